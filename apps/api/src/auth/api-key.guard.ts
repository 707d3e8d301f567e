import {
  type CanActivate,
  createParamDecorator,
  type ExecutionContext,
  Injectable,
  SetMetadata,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Principal } from '@riffle/application';
import { type Permission, RiffleError } from '@riffle/domain';
import { PUBLIC_ROUTE } from '@riffle/observability';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiKeyAuthenticator, authorize } from './api-key-authenticator';

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
    private readonly authenticator: ApiKeyAuthenticator,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const principal = await this.authenticator.authenticate(
      request.headers.authorization,
      context.switchToHttp().getResponse<FastifyReply>(),
    );
    request.principal = principal;
    const required = this.reflector.get<PermissionRequirement | undefined>(PERMISSION, context.getHandler());
    if (!required)
      throw new RiffleError(
        'PERMISSION_DENIED',
        'forbidden',
        'This endpoint declares no permission; nobody may call it.',
      );
    authorize(
      principal,
      required.permission,
      request.params?.org,
      required.environment ? required.environment(request) : request.params?.env,
    );
    return true;
  }
}

export const CurrentPrincipal = createParamDecorator((_: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new RiffleError('UNAUTHENTICATED', 'unauthenticated', 'Not authenticated.');
  return principal;
});
