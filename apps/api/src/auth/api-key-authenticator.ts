import { AuthenticateApiKey, type Principal } from '@riffle/application';
import { isAllowed, type Permission, RiffleError, rolesFor } from '@riffle/domain';
import { ApiRateLimiter, type ResponseHeaders } from '../http/api-rate-limiter';

const BASIC = /^Basic ([A-Za-z0-9+/=]{1,1024})$/;

/**
 * Who is calling: the API key in HTTP Basic (key id + secret), counted against the key's rate limit.
 * Every authenticated route goes through here — Nest routes by ApiKeyGuard, the direct statement read
 * by itself — so there is one answer to a missing, wrong or revoked key.
 */
export class ApiKeyAuthenticator {
  constructor(
    private readonly authenticateApiKey: AuthenticateApiKey,
    private readonly rateLimiter: ApiRateLimiter,
  ) {}

  /** the caller of a request with this Authorization header; the rate limit's headers go on `answer` */
  async authenticate(authorization: string | undefined, answer: ResponseHeaders): Promise<Principal> {
    const match = BASIC.exec(authorization ?? '');
    const decoded = match ? Buffer.from(match[1]!, 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    if (colon < 1) {
      answer.header('www-authenticate', 'Basic realm="riffle"');
      throw new RiffleError(
        'UNAUTHENTICATED',
        'unauthenticated',
        'Send an API key id and secret with HTTP Basic authentication.',
      );
    }
    let principal: Principal;
    try {
      principal = await this.authenticateApiKey.execute(decoded.slice(0, colon), decoded.slice(colon + 1));
    } catch (error) {
      answer.header('www-authenticate', 'Basic realm="riffle"');
      throw error;
    }
    await this.rateLimiter.consume(principal.apiKeyId, answer);
    return principal;
  }
}

/**
 * The principal may use `permission` in `environment` (DESIGN §7 roles; the table is `PERMISSIONS` in
 * libs/domain) within the organization the route names. Another organization's resources are
 * indistinguishable from missing ones.
 */
export function authorize(
  principal: Principal,
  permission: Permission,
  organization: string | undefined,
  environment: unknown,
): void {
  if (organization !== undefined && organization !== principal.organizationId)
    throw new RiffleError('ENVIRONMENT_NOT_FOUND', 'not_found', 'No such organization or environment.');
  const environmentId = typeof environment === 'string' && environment ? environment : undefined;
  if (!isAllowed(principal.roles, permission, environmentId)) {
    const where = environmentId ? `the organization or environment ${environmentId}` : 'the organization';
    throw new RiffleError(
      'PERMISSION_DENIED',
      'forbidden',
      `${permission} needs one of the roles ${rolesFor(permission).join(', ')}, bound to ${where}; ask an OrgAdmin for a role binding.`,
    );
  }
}
