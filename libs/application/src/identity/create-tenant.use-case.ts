import { newApiKeyId, newApiKeySecret, newOrganizationId, newResourceId, sha256 } from './credentials';
import type { KafkaClusterRepository } from '../catalog/catalog.ports';
import { newLogicalCluster } from '../catalog/logical-clusters';
import { IdentityRepository } from './identity.ports';

export interface TenantCredentials {
  organizationId: string;
  environmentId: string;
  serviceAccountId: string;
  apiKey: { id: string; secret: string };
}

/**
 * An organization with a default environment and an admin service account holding one API key.
 * Used by the local bootstrap (first start) and by tests, which each make their own tenant.
 */
export class CreateTenant {
  constructor(
    private readonly identities: IdentityRepository,
    /** given: the environment gets its default database, a logical cluster (tests that register their own cluster leave it out) */
    private readonly clusters?: KafkaClusterRepository,
  ) {}

  async execute(name: string): Promise<TenantCredentials> {
    const organizationId = newOrganizationId();
    await this.identities.createOrganization({ id: organizationId, name });
    const environment = await this.identities.createEnvironment({
      id: newResourceId('env'),
      organizationId,
      name: 'default',
    });
    await this.clusters?.insert(newLogicalCluster(organizationId, environment.id));
    const serviceAccountId = newResourceId('sa');
    await this.identities.createServiceAccount({
      id: serviceAccountId,
      organizationId,
      displayName: `${name} admin`,
    });
    await this.identities.createRoleBinding({
      id: newResourceId('rb'),
      organizationId,
      serviceAccountId,
      role: 'OrgAdmin',
      environmentId: null,
    });
    const apiKey = { id: newApiKeyId(), secret: newApiKeySecret() };
    await this.identities.createApiKey({
      id: apiKey.id,
      organizationId,
      serviceAccountId,
      secretSha256: sha256(apiKey.secret),
      description: 'created with the organization',
    });
    return { organizationId, environmentId: environment.id, serviceAccountId, apiKey };
  }
}
