import { type CanActivate, createParamDecorator, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthenticateApiKey, type Principal } from '@riffle/application';
import { RiffleError } from '@riffle/domain';
import { PUBLIC_ROUTE } from '@riffle/observability';
import type { Request, Response } from 'express';

type AuthenticatedRequest = Request & { principal?: Principal };

/** Every route needs an API key (HTTP Basic: key id + secret) unless marked public. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticate: AuthenticateApiKey,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const response = context.switchToHttp().getResponse<Response>();
    const header = request.header('authorization') ?? '';
    const match = /^Basic ([A-Za-z0-9+/=]{1,1024})$/.exec(header);
    const decoded = match ? Buffer.from(match[1]!, 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    if (colon < 1) {
      response.setHeader('www-authenticate', 'Basic realm="riffle"');
      throw new RiffleError(
        'UNAUTHENTICATED',
        'unauthenticated',
        'Send an API key id and secret with HTTP Basic authentication.',
      );
    }
    try {
      request.principal = await this.authenticate.execute(decoded.slice(0, colon), decoded.slice(colon + 1));
    } catch (error) {
      response.setHeader('www-authenticate', 'Basic realm="riffle"');
      throw error;
    }
    return true;
  }
}

export const CurrentPrincipal = createParamDecorator((_: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new RiffleError('UNAUTHENTICATED', 'unauthenticated', 'Not authenticated.');
  return principal;
});
