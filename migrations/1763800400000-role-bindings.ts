import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Roles bound to service accounts, at organization scope (environment_id NULL) or one environment's.
 * Before this migration every key could do everything: existing service accounts become OrgAdmins so
 * nobody is locked out; new ones start with no role at all.
 */
export class RoleBindings1763800400000 implements MigrationInterface {
  name = 'RoleBindings1763800400000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE role_bindings (
        id                  text PRIMARY KEY CHECK (id ~ '^rb-[a-z0-9]+$'),
        organization_id     uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        service_account_id  text NOT NULL REFERENCES service_accounts (id) ON DELETE CASCADE,
        role                text NOT NULL CHECK (role IN
                              ('OrgAdmin','EnvironmentAdmin','FlinkAdmin','FlinkDeveloper','BillingAdmin','Viewer')),
        environment_id      text REFERENCES environments (id) ON DELETE CASCADE,
        created_at          timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`
      CREATE UNIQUE INDEX role_bindings_unique_idx
      ON role_bindings (service_account_id, role, coalesce(environment_id, ''))`);
    await db.query(
      `CREATE INDEX role_bindings_org_idx ON role_bindings (organization_id, service_account_id)`,
    );
    await db.query(`
      INSERT INTO role_bindings (id, organization_id, service_account_id, role)
      SELECT 'rb-' || substr(md5(id), 1, 16), organization_id, id, 'OrgAdmin' FROM service_accounts`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE role_bindings');
  }
}
