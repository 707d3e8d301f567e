import { type ApiKeyRecord, type EnvironmentRecord, IdentityRepository } from '@riffle/application';
import type { DataSource } from 'typeorm';

interface EnvironmentRow {
  id: string;
  organization_id: string;
  name: string;
  created_at: Date;
}

const toEnvironment = (row: EnvironmentRow): EnvironmentRecord => ({
  id: row.id,
  organizationId: row.organization_id,
  name: row.name,
  createdAt: row.created_at,
});

export class SqlIdentityRepository extends IdentityRepository {
  constructor(private readonly db: DataSource) {
    super();
  }

  async createOrganization(organization: { id: string; name: string }): Promise<void> {
    await this.db.query('INSERT INTO organizations (id, name) VALUES ($1, $2)', [
      organization.id,
      organization.name,
    ]);
  }

  async createEnvironment(e: {
    id: string;
    organizationId: string;
    name: string;
  }): Promise<EnvironmentRecord> {
    const rows: EnvironmentRow[] = await this.db.query(
      'INSERT INTO environments (id, organization_id, name) VALUES ($1, $2, $3) RETURNING id, organization_id, name, created_at',
      [e.id, e.organizationId, e.name],
    );
    return toEnvironment(rows[0]!);
  }

  async findEnvironment(
    organizationId: string,
    environmentId: string,
  ): Promise<EnvironmentRecord | undefined> {
    const rows: EnvironmentRow[] = await this.db.query(
      'SELECT id, organization_id, name, created_at FROM environments WHERE organization_id = $1 AND id = $2',
      [organizationId, environmentId],
    );
    return rows[0] && toEnvironment(rows[0]);
  }

  async listEnvironments(organizationId: string): Promise<EnvironmentRecord[]> {
    const rows: EnvironmentRow[] = await this.db.query(
      'SELECT id, organization_id, name, created_at FROM environments WHERE organization_id = $1 ORDER BY created_at, id',
      [organizationId],
    );
    return rows.map(toEnvironment);
  }

  async createServiceAccount(a: { id: string; organizationId: string; displayName: string }): Promise<void> {
    await this.db.query(
      'INSERT INTO service_accounts (id, organization_id, display_name) VALUES ($1, $2, $3)',
      [a.id, a.organizationId, a.displayName],
    );
  }

  async findServiceAccount(
    organizationId: string,
    id: string,
  ): Promise<{ id: string; displayName: string } | undefined> {
    const rows: { id: string; display_name: string }[] = await this.db.query(
      'SELECT id, display_name FROM service_accounts WHERE organization_id = $1 AND id = $2',
      [organizationId, id],
    );
    return rows[0] && { id: rows[0].id, displayName: rows[0].display_name };
  }

  async createApiKey(key: Omit<ApiKeyRecord, 'revokedAt'> & { description: string }): Promise<void> {
    await this.db.query(
      `INSERT INTO api_keys (id, organization_id, service_account_id, secret_sha256, description)
       VALUES ($1, $2, $3, $4, $5)`,
      [key.id, key.organizationId, key.serviceAccountId, key.secretSha256, key.description],
    );
  }

  async findApiKey(id: string): Promise<ApiKeyRecord | undefined> {
    const rows: {
      id: string;
      organization_id: string;
      service_account_id: string;
      secret_sha256: Buffer;
      revoked_at: Date | null;
    }[] = await this.db.query(
      'SELECT id, organization_id, service_account_id, secret_sha256, revoked_at FROM api_keys WHERE id = $1',
      [id],
    );
    const row = rows[0];
    return (
      row && {
        id: row.id,
        organizationId: row.organization_id,
        serviceAccountId: row.service_account_id,
        secretSha256: row.secret_sha256,
        revokedAt: row.revoked_at,
      }
    );
  }

  async countApiKeys(): Promise<number> {
    const rows: { count: string }[] = await this.db.query('SELECT count(*) FROM api_keys');
    return Number(rows[0]?.count ?? 0);
  }
}
