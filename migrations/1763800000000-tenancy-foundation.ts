import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tenants and where their data lives: organization → environment (Flink catalog) → Kafka cluster
 * (Flink database). Ids follow the managed-service style: `env-…`, `lkc-…`; organizations are UUIDs.
 */
export class TenancyFoundation1763800000000 implements MigrationInterface {
  name = 'TenancyFoundation1763800000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE organizations (
        id          uuid PRIMARY KEY,
        name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 128),
        created_at  timestamptz NOT NULL DEFAULT now(),
        updated_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`
      CREATE TABLE environments (
        id               text PRIMARY KEY CHECK (id ~ '^env-[a-z0-9]+$'),
        organization_id  uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 128),
        created_at       timestamptz NOT NULL DEFAULT now(),
        updated_at       timestamptz NOT NULL DEFAULT now(),
        UNIQUE (organization_id, name)
      )`);
    await db.query(`CREATE INDEX environments_organization_idx ON environments (organization_id)`);
    await db.query(`
      CREATE TABLE kafka_clusters (
        id                   text PRIMARY KEY CHECK (id ~ '^lkc-[a-z0-9]+$'),
        organization_id      uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        environment_id       text NOT NULL REFERENCES environments (id) ON DELETE CASCADE,
        name                 text NOT NULL CHECK (name ~ '^[A-Za-z0-9_.-]{1,128}$'),
        bootstrap_servers    text NOT NULL,
        schema_registry_url  text NOT NULL,
        -- a reference to credentials held outside this table (secret store key), never the secret itself
        credentials_ref      text,
        created_at           timestamptz NOT NULL DEFAULT now(),
        updated_at           timestamptz NOT NULL DEFAULT now(),
        UNIQUE (environment_id, name)
      )`);
    await db.query(
      `CREATE INDEX kafka_clusters_organization_idx ON kafka_clusters (organization_id, environment_id)`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE kafka_clusters`);
    await db.query(`DROP TABLE environments`);
    await db.query(`DROP TABLE organizations`);
  }
}
