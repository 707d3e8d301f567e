import {
  type ApiKeyRecord,
  type ApiKeySummary,
  type EnvironmentRecord,
  IdentityRepository,
  type RoleBindingRecord,
} from '@riffle/application';
import { RiffleError, type RoleBinding, type RoleName } from '@riffle/domain';
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

  async findApiKey(id: string): Promise<(ApiKeyRecord & { roles: RoleBinding[] }) | undefined> {
    const rows: {
      id: string;
      organization_id: string;
      service_account_id: string;
      secret_sha256: Buffer;
      revoked_at: Date | null;
      roles: { role: RoleName; environment_id: string | null }[];
    }[] = await this.db.query(
      `SELECT k.id, k.organization_id, k.service_account_id, k.secret_sha256, k.revoked_at,
         coalesce((SELECT json_agg(json_build_object('role', b.role, 'environment_id', b.environment_id))
                   FROM role_bindings b WHERE b.service_account_id = k.service_account_id), '[]') AS roles
       FROM api_keys k WHERE k.id = $1`,
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
        roles: row.roles.map((r) => ({ role: r.role, environmentId: r.environment_id })),
      }
    );
  }

  async listApiKeys(organizationId: string): Promise<ApiKeySummary[]> {
    const rows: {
      id: string;
      service_account_id: string;
      description: string;
      created_at: Date;
      revoked_at: Date | null;
    }[] = await this.db.query(
      `SELECT id, service_account_id, description, created_at, revoked_at FROM api_keys
       WHERE organization_id = $1 ORDER BY created_at, id`,
      [organizationId],
    );
    return rows.map((r) => ({
      id: r.id,
      serviceAccountId: r.service_account_id,
      description: r.description,
      createdAt: r.created_at,
      revokedAt: r.revoked_at,
    }));
  }

  async revokeApiKey(organizationId: string, id: string): Promise<boolean> {
    const [, count]: [unknown, number] = await this.db.query(
      `UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE organization_id = $1 AND id = $2`,
      [organizationId, id],
    );
    return count > 0;
  }

  async createRoleBinding(binding: {
    id: string;
    organizationId: string;
    serviceAccountId: string;
    role: RoleName;
    environmentId: string | null;
  }): Promise<RoleBindingRecord> {
    try {
      const rows: RoleBindingRow[] = await this.db.query(
        `INSERT INTO role_bindings (id, organization_id, service_account_id, role, environment_id)
         VALUES ($1, $2, $3, $4, $5) RETURNING *`,
        [binding.id, binding.organizationId, binding.serviceAccountId, binding.role, binding.environmentId],
      );
      return toBinding(rows[0]!);
    } catch (error) {
      if ((error as { code?: string }).code === '23505')
        throw new RiffleError(
          'ROLE_BINDING_EXISTS',
          'conflict',
          'The service account already has this role here.',
        );
      throw error;
    }
  }

  async listRoleBindings(
    organizationId: string,
    filter: { serviceAccountId?: string; environmentId?: string },
  ): Promise<RoleBindingRecord[]> {
    const rows: RoleBindingRow[] = await this.db.query(
      `SELECT * FROM role_bindings WHERE organization_id = $1
         AND ($2::text IS NULL OR service_account_id = $2) AND ($3::text IS NULL OR environment_id = $3)
       ORDER BY created_at, id LIMIT 1000`,
      [organizationId, filter.serviceAccountId ?? null, filter.environmentId ?? null],
    );
    return rows.map(toBinding);
  }

  async findRoleBinding(organizationId: string, id: string): Promise<RoleBindingRecord | undefined> {
    const rows: RoleBindingRow[] = await this.db.query(
      'SELECT * FROM role_bindings WHERE organization_id = $1 AND id = $2',
      [organizationId, id],
    );
    return rows[0] && toBinding(rows[0]);
  }

  async deleteRoleBinding(organizationId: string, id: string): Promise<void> {
    await this.db.query('DELETE FROM role_bindings WHERE organization_id = $1 AND id = $2', [
      organizationId,
      id,
    ]);
  }

  async countApiKeys(): Promise<number> {
    const rows: { count: string }[] = await this.db.query('SELECT count(*) FROM api_keys');
    return Number(rows[0]?.count ?? 0);
  }
}

interface RoleBindingRow {
  id: string;
  organization_id: string;
  service_account_id: string;
  role: RoleName;
  environment_id: string | null;
  created_at: Date;
}

const toBinding = (r: RoleBindingRow): RoleBindingRecord => ({
  id: r.id,
  organizationId: r.organization_id,
  serviceAccountId: r.service_account_id,
  role: r.role,
  environmentId: r.environment_id,
  createdAt: r.created_at,
});
