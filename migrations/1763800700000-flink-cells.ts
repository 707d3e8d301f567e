import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The fleet: Flink session clusters ("cells") the scheduler places statements on (DESIGN §5). Cells
 * come from the fleet provider (static list, local launcher, Kubernetes); a cell whose JobManager
 * stays unreachable is LOST and its statements are restored elsewhere. `statements.cell_id` is where a
 * statement's job runs (NULL: not placed yet, or placed before cells existed = the first cell).
 */
export class FlinkCells1763800700000 implements MigrationInterface {
  name = 'FlinkCells1763800700000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE flink_cells (
        id                 text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
        provider           text NOT NULL,
        rest_url           text NOT NULL,
        gateway_url        text NOT NULL,
        dedicated_pool_id  text NULL REFERENCES compute_pools (id) ON DELETE SET NULL,
        state              text NOT NULL DEFAULT 'ACTIVE' CHECK (state IN ('ACTIVE', 'LOST', 'REMOVED')),
        slots_total        integer NOT NULL DEFAULT 0,
        checkpoint_dir     text NULL,
        last_seen_at       timestamptz NULL,
        lost_at            timestamptz NULL,
        detail             text NOT NULL DEFAULT '',
        created_at         timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`ALTER TABLE statements ADD COLUMN cell_id text NULL`);
    await db.query(`CREATE INDEX statements_cell_idx ON statements (cell_id) WHERE cell_id IS NOT NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP INDEX statements_cell_idx');
    await db.query('ALTER TABLE statements DROP COLUMN cell_id');
    await db.query('DROP TABLE flink_cells');
  }
}
