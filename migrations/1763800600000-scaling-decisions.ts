import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Every autoscaler decision that changed something, with the inputs it rested on and its reason. */
export class ScalingDecisions1763800600000 implements MigrationInterface {
  name = 'ScalingDecisions1763800600000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE scaling_decisions (
        id             bigserial PRIMARY KEY,
        statement_uid  uuid NOT NULL REFERENCES statements (uid) ON DELETE CASCADE,
        decided_at     timestamptz NOT NULL DEFAULT now(),
        action         text NOT NULL CHECK (action IN ('scale-up', 'scale-down')),
        from_cfu       integer NOT NULL,
        to_cfu         integer NOT NULL,
        reason         text NOT NULL,
        inputs         jsonb NOT NULL
      )`);
    await db.query(
      `CREATE INDEX scaling_decisions_statement_idx ON scaling_decisions (statement_uid, decided_at DESC)`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE scaling_decisions');
  }
}
