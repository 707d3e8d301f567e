import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every committed change of a statement row is announced on `riffle_statement_changed` with the
 * statement's address (`<organization>/<environment>/<name>`), so an API replica's statement read cache
 * (StatementReadCache) drops it within milliseconds, whichever process wrote it. Postgres delivers a
 * NOTIFY only once its transaction commits, and folds repeats of one payload within a transaction.
 * Name, organization and environment never change today; an update that changed them would announce
 * the old address as well. An UPDATE that changes nothing but `last_read_at` (results reads touch it
 * once a second; the API never shows it) announces nothing. An INSERT announces nothing either: the cache
 * keeps only statements it found, and a name is free again only after its row's DELETE was announced, so
 * creates stay off the commit-time lock that notifying transactions share.
 */
export class StatementChangeNotify1763801000000 implements MigrationInterface {
  name = 'StatementChangeNotify1763801000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE FUNCTION statements_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          PERFORM pg_notify('riffle_statement_changed',
            OLD.organization_id || '/' || OLD.environment_id || '/' || OLD.name);
          RETURN NULL;
        END IF;
        IF TG_OP = 'UPDATE' THEN
          IF to_jsonb(OLD) - 'last_read_at' = to_jsonb(NEW) - 'last_read_at' THEN
            RETURN NULL;
          END IF;
          IF (OLD.organization_id, OLD.environment_id, OLD.name)
             IS DISTINCT FROM (NEW.organization_id, NEW.environment_id, NEW.name) THEN
            PERFORM pg_notify('riffle_statement_changed',
              OLD.organization_id || '/' || OLD.environment_id || '/' || OLD.name);
          END IF;
        END IF;
        PERFORM pg_notify('riffle_statement_changed',
          NEW.organization_id || '/' || NEW.environment_id || '/' || NEW.name);
        RETURN NULL;
      END $$`);
    await db.query(`
      CREATE TRIGGER statements_notify_change AFTER UPDATE OR DELETE ON statements
      FOR EACH ROW EXECUTE FUNCTION statements_notify_change()`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TRIGGER statements_notify_change ON statements');
    await db.query('DROP FUNCTION statements_notify_change');
  }
}
