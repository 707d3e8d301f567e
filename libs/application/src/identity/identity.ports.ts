import type { RoleBinding, RoleName } from '@riffle/domain';

export interface ApiKeyRecord {
  id: string;
  organizationId: string;
  serviceAccountId: string;
  secretSha256: Buffer;
  revokedAt: Date | null;
}

export interface ApiKeySummary {
  id: string;
  serviceAccountId: string;
  description: string;
  createdAt: Date;
  revokedAt: Date | null;
}

export interface RoleBindingRecord extends RoleBinding {
  id: string;
  organizationId: string;
  serviceAccountId: string;
  createdAt: Date;
}

export interface EnvironmentRecord {
  id: string;
  organizationId: string;
  name: string;
  createdAt: Date;
}

/** Organizations, environments, service accounts and API keys. Every read is scoped by organization. */
export abstract class IdentityRepository {
  abstract createOrganization(organization: { id: string; name: string }): Promise<void>;
  abstract createEnvironment(environment: {
    id: string;
    organizationId: string;
    name: string;
  }): Promise<EnvironmentRecord>;
  abstract findEnvironment(
    organizationId: string,
    environmentId: string,
  ): Promise<EnvironmentRecord | undefined>;
  abstract listEnvironments(organizationId: string): Promise<EnvironmentRecord[]>;
  abstract createServiceAccount(account: {
    id: string;
    organizationId: string;
    displayName: string;
  }): Promise<void>;
  abstract findServiceAccount(
    organizationId: string,
    id: string,
  ): Promise<{ id: string; displayName: string } | undefined>;
  abstract createApiKey(key: Omit<ApiKeyRecord, 'revokedAt'> & { description: string }): Promise<void>;
  /** by key id alone: authentication happens before the organization is known; with its owner's roles */
  abstract findApiKey(id: string): Promise<(ApiKeyRecord & { roles: RoleBinding[] }) | undefined>;
  abstract listApiKeys(organizationId: string): Promise<ApiKeySummary[]>;
  /** false when the organization has no such key */
  abstract revokeApiKey(organizationId: string, id: string): Promise<boolean>;
  /** throws RiffleError ROLE_BINDING_EXISTS on a duplicate */
  abstract createRoleBinding(binding: {
    id: string;
    organizationId: string;
    serviceAccountId: string;
    role: RoleName;
    environmentId: string | null;
  }): Promise<RoleBindingRecord>;
  abstract listRoleBindings(
    organizationId: string,
    filter: { serviceAccountId?: string; environmentId?: string },
  ): Promise<RoleBindingRecord[]>;
  abstract findRoleBinding(organizationId: string, id: string): Promise<RoleBindingRecord | undefined>;
  abstract deleteRoleBinding(organizationId: string, id: string): Promise<void>;
  abstract countApiKeys(): Promise<number>;
}
