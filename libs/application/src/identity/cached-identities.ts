import type { RoleBinding, RoleName } from '@riffle/domain';
import { TtlCache } from '../ttl-cache';
import {
  type ApiKeyRecord,
  type ApiKeySummary,
  type EnvironmentRecord,
  IdentityRepository,
  type RoleBindingRecord,
} from './identity.ports';

type ApiKeyWithRoles = ApiKeyRecord & { roles: RoleBinding[] };

/**
 * The two identity reads every API request makes (its key with the owner's roles, and the environment
 * it names), kept for `ttlMs` so a busy API does not ask Postgres twice per request. Only hits are kept:
 * a new key or environment works at once. A revocation, a role binding change or any other identity write
 * through this process empties the cache at once; one made through another API replica takes effect here
 * within `ttlMs` (docs/configuration.md's "API_IDENTITY_CACHE_TTL_MS"). `ttlMs` 0 turns caching off.
 */
export class CachedIdentities extends IdentityRepository {
  private readonly keys: TtlCache<ApiKeyWithRoles | undefined>;
  private readonly environments: TtlCache<EnvironmentRecord | undefined>;

  constructor(
    private readonly inner: IdentityRepository,
    ttlMs: number,
    maxEntries = 10_000,
  ) {
    super();
    this.keys = new TtlCache(ttlMs, maxEntries);
    this.environments = new TtlCache(ttlMs, maxEntries);
  }

  async findApiKey(id: string): Promise<ApiKeyWithRoles | undefined> {
    const key = await this.keys.get(id, () => this.inner.findApiKey(id));
    if (!key) this.keys.delete(id);
    return key;
  }

  async findEnvironment(
    organizationId: string,
    environmentId: string,
  ): Promise<EnvironmentRecord | undefined> {
    const cacheKey = `${organizationId}/${environmentId}`;
    const environment = await this.environments.get(cacheKey, () =>
      this.inner.findEnvironment(organizationId, environmentId),
    );
    if (!environment) this.environments.delete(cacheKey);
    return environment;
  }

  /** runs an identity write, then forgets everything cached: writes are rare, stale grants are not ok */
  private async write<T>(change: Promise<T>): Promise<T> {
    try {
      return await change;
    } finally {
      this.keys.clear();
      this.environments.clear();
    }
  }

  createOrganization(organization: { id: string; name: string }): Promise<void> {
    return this.write(this.inner.createOrganization(organization));
  }

  createEnvironment(environment: {
    id: string;
    organizationId: string;
    name: string;
  }): Promise<EnvironmentRecord> {
    return this.write(this.inner.createEnvironment(environment));
  }

  listEnvironments(organizationId: string): Promise<EnvironmentRecord[]> {
    return this.inner.listEnvironments(organizationId);
  }

  createServiceAccount(account: { id: string; organizationId: string; displayName: string }): Promise<void> {
    return this.write(this.inner.createServiceAccount(account));
  }

  findServiceAccount(
    organizationId: string,
    id: string,
  ): Promise<{ id: string; displayName: string } | undefined> {
    return this.inner.findServiceAccount(organizationId, id);
  }

  createApiKey(key: Omit<ApiKeyRecord, 'revokedAt'> & { description: string }): Promise<void> {
    return this.write(this.inner.createApiKey(key));
  }

  listApiKeys(organizationId: string): Promise<ApiKeySummary[]> {
    return this.inner.listApiKeys(organizationId);
  }

  revokeApiKey(organizationId: string, id: string): Promise<boolean> {
    return this.write(this.inner.revokeApiKey(organizationId, id));
  }

  createRoleBinding(binding: {
    id: string;
    organizationId: string;
    serviceAccountId: string;
    role: RoleName;
    environmentId: string | null;
  }): Promise<RoleBindingRecord> {
    return this.write(this.inner.createRoleBinding(binding));
  }

  listRoleBindings(
    organizationId: string,
    filter: { serviceAccountId?: string; environmentId?: string },
  ): Promise<RoleBindingRecord[]> {
    return this.inner.listRoleBindings(organizationId, filter);
  }

  findRoleBinding(organizationId: string, id: string): Promise<RoleBindingRecord | undefined> {
    return this.inner.findRoleBinding(organizationId, id);
  }

  deleteRoleBinding(organizationId: string, id: string): Promise<void> {
    return this.write(this.inner.deleteRoleBinding(organizationId, id));
  }

  countApiKeys(): Promise<number> {
    return this.inner.countApiKeys();
  }
}
