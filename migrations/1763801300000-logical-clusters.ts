import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Logical clusters (docs/tenancy.md): an environment's default database is a slice of the platform
 * Kafka, not a registered cluster. Its addresses are the platform's, from configuration, so none are
 * stored. Environments that have no database yet get their `main` one now. Registered clusters keep
 * their logins (SASL, TLS, registry auth) encrypted (ClusterSecrets).
 */
export class LogicalClusters1763801300000 implements MigrationInterface {
  name = 'LogicalClusters1763801300000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE kafka_clusters
        ADD COLUMN kind text NOT NULL DEFAULT 'external' CHECK (kind IN ('logical', 'external')),
        ADD COLUMN credentials_sealed text NULL,
        ADD CONSTRAINT kafka_clusters_logical_has_no_addresses
          CHECK (kind = 'external' OR (bootstrap_servers = '' AND schema_registry_url = '' AND credentials_sealed IS NULL))`);
    await db.query(`
      INSERT INTO kafka_clusters (id, organization_id, environment_id, name, kind, bootstrap_servers, schema_registry_url)
      SELECT 'lkc-' || substr(md5(random()::text || e.id), 1, 10), e.organization_id, e.id, 'main', 'logical', '', ''
        FROM environments e
       WHERE NOT EXISTS (SELECT 1 FROM kafka_clusters c WHERE c.environment_id = e.id)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DELETE FROM kafka_clusters WHERE kind = 'logical'`);
    await db.query(`
      ALTER TABLE kafka_clusters
        DROP CONSTRAINT kafka_clusters_logical_has_no_addresses,
        DROP COLUMN credentials_sealed,
        DROP COLUMN kind`);
  }
}
