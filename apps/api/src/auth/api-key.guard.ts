import {
  type CanActivate,
  createParamDecorator,
  type ExecutionContext,
  Injectable,
  SetMetadata,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthenticateApiKey, type Principal } from '@riffle/application';
import { isAllowed, type Permission, RiffleError, rolesFor } from '@riffle/domain';
import { PUBLIC_ROUTE } from '@riffle/observability';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiRateLimiter } from '../http/api-rate-limiter';

type Request = FastifyRequest<{
  Params: Record<string, string | undefined>;
  Querystring: Record<string, unknown>;
}>;
type AuthenticatedRequest = Request & { principal?: Principal };

const PERMISSION = 'riffle:permission';

interface PermissionRequirement {
  permission: Permission;
  /** the environment the request acts in; default: the `:env` route parameter */
  environment?: (request: Request) => unknown;
}

/**
 * The permission a route needs (DESIGN §7 roles; the table is `PERMISSIONS` in libs/domain). Routes
 * without one are refused: a new endpoint cannot be forgotten into being open.
 */
export const RequirePermission = (permission: Permission, environment?: (request: Request) => unknown) =>
  SetMetadata(PERMISSION, { permission, environment } satisfies PermissionRequirement);

/**
 * Every route needs an API key (HTTP Basic: key id + secret) unless marked public, and the key's
 * service account needs a role granting the route's permission in the environment it acts in.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticate: AuthenticateApiKey,
    private readonly rateLimiter: ApiRateLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const header = request.headers.authorization ?? '';
    const match = /^Basic ([A-Za-z0-9+/=]{1,1024})$/.exec(header);
    const decoded = match ? Buffer.from(match[1]!, 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    if (colon < 1) {
      reply.header('www-authenticate', 'Basic realm="riffle"');
      throw new RiffleError(
        'UNAUTHENTICATED',
        'unauthenticated',
        'Send an API key id and secret with HTTP Basic authentication.',
      );
    }
    let principal: Principal;
    try {
      principal = await this.authenticate.execute(decoded.slice(0, colon), decoded.slice(colon + 1));
    } catch (error) {
      reply.header('www-authenticate', 'Basic realm="riffle"');
      throw error;
    }
    request.principal = principal;
    await this.rateLimiter.consume(principal.apiKeyId, reply);
    this.authorize(context, request, principal);
    return true;
  }

  private authorize(context: ExecutionContext, request: Request, principal: Principal): void {
    const required = this.reflector.get<PermissionRequirement | undefined>(PERMISSION, context.getHandler());
    if (!required)
      throw new RiffleError(
        'PERMISSION_DENIED',
        'forbidden',
        'This endpoint declares no permission; nobody may call it.',
      );
    // another organization's resources are indistinguishable from missing ones
    const organization = request.params?.org;
    if (organization !== undefined && organization !== principal.organizationId)
      throw new RiffleError('ENVIRONMENT_NOT_FOUND', 'not_found', 'No such organization or environment.');
    const environment = required.environment ? required.environment(request) : request.params?.env;
    const environmentId = typeof environment === 'string' && environment ? environment : undefined;
    if (!isAllowed(principal.roles, required.permission, environmentId)) {
      const where = environmentId ? `the organization or environment ${environmentId}` : 'the organization';
      throw new RiffleError(
        'PERMISSION_DENIED',
        'forbidden',
        `${required.permission} needs one of the roles ${rolesFor(required.permission).join(', ')}, bound to ${where}; ask an OrgAdmin for a role binding.`,
      );
    }
  }
}

export const CurrentPrincipal = createParamDecorator((_: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new RiffleError('UNAUTHENTICATED', 'unauthenticated', 'Not authenticated.');
  return principal;
});
