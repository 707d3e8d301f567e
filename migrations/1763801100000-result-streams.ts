import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * DESIGN §9.1: a query's rows stream from the SQL Gateway into result pages in short steps that any
 * scheduler replica may take. `result_streams` is where a stream stands: the gateway operation it reads
 * (so a replica that dies loses nothing: the next step fetches the same token again, and the gateway
 * answers the page it last served), the next token and page, and what it keeps (rows, bytes), for the
 * per-query caps and the per-environment storage bound. A stream ENDS with its query (a truncation code
 * when a cap stopped it) and EXPIRES after the results retention: its pages go, the row stays so reads
 * answer RESULTS_EXPIRED. Exceptions gain a repeat count and a USER/SYSTEM kind.
 */
export class ResultStreams1763801100000 implements MigrationInterface {
  name = 'ResultStreams1763801100000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE result_streams (
        statement_uid    uuid PRIMARY KEY REFERENCES statements (uid) ON DELETE CASCADE,
        organization_id  uuid NOT NULL,
        environment_id   text NOT NULL,
        cell_id          text NULL,
        gateway_ref      jsonb NULL,
        job_id           text NULL,
        next_token       bigint NOT NULL DEFAULT 0,
        next_page        integer NOT NULL DEFAULT 0,
        rows             bigint NOT NULL DEFAULT 0,
        bytes            bigint NOT NULL DEFAULT 0,
        state            text NOT NULL DEFAULT 'OPEN' CHECK (state IN ('OPEN', 'ENDED', 'EXPIRED')),
        truncation       text NULL,
        opened_at        timestamptz NOT NULL DEFAULT now(),
        last_rows_at     timestamptz NOT NULL DEFAULT now(),
        ended_at         timestamptz NULL
      )`);
    await db.query(
      `CREATE INDEX result_streams_environment_idx ON result_streams (organization_id, environment_id) WHERE state <> 'EXPIRED'`,
    );
    await db.query(
      `CREATE INDEX result_streams_ended_idx ON result_streams (ended_at) WHERE state = 'ENDED'`,
    );
    await db.query(`ALTER TABLE statement_result_pages ADD COLUMN bytes integer NOT NULL DEFAULT 0`);
    // statements written before this migration keep their pages: they count as streams that ended now
    await db.query(`
      INSERT INTO result_streams (statement_uid, organization_id, environment_id, state, ended_at, next_page, rows, bytes)
      SELECT s.uid, s.organization_id, s.environment_id, 'ENDED', now(), count(p.page),
             coalesce(sum(jsonb_array_length(p.rows)), 0), coalesce(sum(length(p.rows::text)), 0)
      FROM statements s JOIN statement_result_pages p ON p.statement_uid = s.uid
      GROUP BY s.uid`);
    await db.query(`
      CREATE INDEX statements_open_queries_idx ON statements (organization_id, environment_id)
      WHERE execution_mode = 'foreground' AND phase IN ('PENDING', 'RUNNING')`);
    await db.query(`
      ALTER TABLE statement_exceptions
        ADD COLUMN count integer NOT NULL DEFAULT 1 CHECK (count >= 1),
        ADD COLUMN kind text NULL CHECK (kind IN ('USER', 'SYSTEM'))`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE statement_exceptions DROP COLUMN count, DROP COLUMN kind');
    await db.query('DROP INDEX statements_open_queries_idx');
    await db.query('ALTER TABLE statement_result_pages DROP COLUMN bytes');
    await db.query('DROP TABLE result_streams');
  }
}
