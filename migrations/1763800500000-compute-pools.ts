import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Compute pools: a tenant's CFU budget per environment. A statement is admitted into its pool (its CFUs
 * reserved in `admitted_cfu`) before it is submitted to Flink; `scaling_status` says why it waits.
 */
export class ComputePools1763800500000 implements MigrationInterface {
  name = 'ComputePools1763800500000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE compute_pools (
        id                text PRIMARY KEY CHECK (id ~ '^lfcp-[a-z0-9]+$'),
        organization_id   uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        environment_id    text NOT NULL REFERENCES environments (id) ON DELETE CASCADE,
        display_name      text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 128),
        max_cfu           integer NOT NULL CHECK (max_cfu BETWEEN 1 AND 10000),
        isolation         text NOT NULL DEFAULT 'shared' CHECK (isolation IN ('shared', 'dedicated')),
        default_pool      boolean NOT NULL DEFAULT false,
        phase             text NOT NULL DEFAULT 'PROVISIONED'
                            CHECK (phase IN ('PROVISIONING', 'PROVISIONED', 'FAILED', 'DEPROVISIONING')),
        created_at        timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
        updated_at        timestamptz NOT NULL DEFAULT now(),
        resource_version  bigint NOT NULL DEFAULT 1
      )`);
    await db.query(
      `CREATE INDEX compute_pools_env_idx ON compute_pools (organization_id, environment_id, created_at)`,
    );
    await db.query(
      `CREATE UNIQUE INDEX compute_pools_default_idx ON compute_pools (environment_id) WHERE default_pool`,
    );
    await db.query(
      `ALTER TABLE statements ADD COLUMN admitted_cfu integer NOT NULL DEFAULT 0 CHECK (admitted_cfu >= 0)`,
    );
    await db.query(
      `ALTER TABLE statements ADD COLUMN scaling_status jsonb NOT NULL DEFAULT '{"scaling_state": "OK"}'`,
    );
    await db.query(
      `CREATE INDEX statements_pool_idx ON statements (compute_pool_id, created_at) WHERE compute_pool_id IS NOT NULL`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP INDEX statements_pool_idx');
    await db.query('ALTER TABLE statements DROP COLUMN scaling_status, DROP COLUMN admitted_cfu');
    await db.query('DROP TABLE compute_pools');
  }
}
