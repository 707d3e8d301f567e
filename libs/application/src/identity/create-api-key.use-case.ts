import { RiffleError } from '@riffle/domain';
import { newApiKeyId, newApiKeySecret, newResourceId, sha256 } from './credentials';
import { IdentityRepository } from './identity.ports';
import type { Principal } from './principal';

export interface CreatedApiKey {
  id: string;
  secret: string;
  serviceAccountId: string;
}

/** A new key for an existing service account of the caller's organization, or for a new one. */
export class CreateApiKey {
  constructor(private readonly identities: IdentityRepository) {}

  async execute(
    principal: Principal,
    request: { serviceAccountId?: unknown; serviceAccountName?: unknown; description?: unknown },
  ): Promise<CreatedApiKey> {
    const description = typeof request.description === 'string' ? request.description.slice(0, 256) : '';
    let serviceAccountId: string;
    if (request.serviceAccountId !== undefined) {
      const found =
        typeof request.serviceAccountId === 'string'
          ? await this.identities.findServiceAccount(principal.organizationId, request.serviceAccountId)
          : undefined;
      if (!found) throw new RiffleError('SERVICE_ACCOUNT_NOT_FOUND', 'not_found', 'No such service account.');
      serviceAccountId = found.id;
    } else {
      const name = request.serviceAccountName;
      if (typeof name !== 'string' || name.length < 1 || name.length > 128) {
        throw new RiffleError(
          'INVALID_SERVICE_ACCOUNT',
          'invalid',
          'Give spec.owner.id of an existing service account, or spec.owner.display_name (1-128 characters) for a new one.',
        );
      }
      serviceAccountId = newResourceId('sa');
      await this.identities.createServiceAccount({
        id: serviceAccountId,
        organizationId: principal.organizationId,
        displayName: name,
      });
    }
    const key = { id: newApiKeyId(), secret: newApiKeySecret() };
    await this.identities.createApiKey({
      id: key.id,
      organizationId: principal.organizationId,
      serviceAccountId,
      secretSha256: sha256(key.secret),
      description,
    });
    return { ...key, serviceAccountId };
  }
}
