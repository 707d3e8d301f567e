import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { Principal } from '@riffle/application';
import { RiffleError } from '@riffle/domain';

/** the platform operator's organization id (API_OPERATOR_ORGANIZATION_ID); null: nobody is the operator */
export const OPERATOR_ORGANIZATION = Symbol('OPERATOR_ORGANIZATION');

/**
 * Queues are shared by every tenant: one statement-reconcile queue holds all organizations' jobs, with
 * their ids, data and failure messages. A tenant's OrgAdmin must not see another tenant's work (DESIGN
 * §7), so views over shared infrastructure are for the platform operator's organization only. Runs after
 * ApiKeyGuard, which has authenticated the key and checked the route's permission.
 */
@Injectable()
export class PlatformOperatorGuard implements CanActivate {
  constructor(@Inject(OPERATOR_ORGANIZATION) private readonly operatorOrganizationId: string | null) {}

  canActivate(context: ExecutionContext): boolean {
    const { principal } = context.switchToHttp().getRequest<{ principal?: Principal }>();
    if (!principal) throw new RiffleError('UNAUTHENTICATED', 'unauthenticated', 'Not authenticated.');
    if (!this.operatorOrganizationId || principal.organizationId !== this.operatorOrganizationId)
      throw new RiffleError(
        'PERMISSION_DENIED',
        'forbidden',
        "This view shows every tenant's jobs; only the platform operator's OrgAdmins may open it.",
      );
    return true;
  }
}
