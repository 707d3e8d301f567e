export interface ApiKeyRecord {
  id: string;
  organizationId: string;
  serviceAccountId: string;
  secretSha256: Buffer;
  revokedAt: Date | null;
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
  /** by key id alone: authentication happens before the organization is known */
  abstract findApiKey(id: string): Promise<ApiKeyRecord | undefined>;
  abstract countApiKeys(): Promise<number>;
}
