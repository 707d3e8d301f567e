import { RiffleError } from '@riffle/domain';
import { secretMatches } from './credentials';
import { IdentityRepository } from './identity.ports';
import type { Principal } from './principal';

const unauthenticated = () =>
  new RiffleError(
    'UNAUTHENTICATED',
    'unauthenticated',
    'Send a valid API key id and secret with HTTP Basic authentication.',
  );

export class AuthenticateApiKey {
  constructor(private readonly identities: IdentityRepository) {}

  async execute(keyId: string, secret: string): Promise<Principal> {
    if (!/^[A-Z0-9]{16}$/.test(keyId) || secret.length === 0 || secret.length > 256) throw unauthenticated();
    const key = await this.identities.findApiKey(keyId);
    if (!key || key.revokedAt || !secretMatches(secret, key.secretSha256)) throw unauthenticated();
    return {
      organizationId: key.organizationId,
      serviceAccountId: key.serviceAccountId,
      apiKeyId: key.id,
      roles: key.roles,
    };
  }
}
