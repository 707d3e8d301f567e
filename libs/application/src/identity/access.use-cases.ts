import { isAllowed, isRoleName, RiffleError, ROLE_NAMES, type RoleName } from '@riffle/domain';
import { newResourceId } from './credentials';
import type { ApiKeySummary, IdentityRepository, RoleBindingRecord } from './identity.ports';
import type { Principal } from './principal';

const bindingNotFound = (id: string) =>
  new RiffleError('ROLE_BINDING_NOT_FOUND', 'not_found', `No role binding "${id}".`);

/**
 * Role bindings of the caller's organization. An OrgAdmin binds anything; an EnvironmentAdmin binds
 * roles within its own environments only, and never OrgAdmin or BillingAdmin (organization roles).
 */
export class ManageRoleBindings {
  constructor(private readonly identities: IdentityRepository) {}

  async create(
    principal: Principal,
    request: { principal?: unknown; role_name?: unknown; environment_id?: unknown },
  ): Promise<RoleBindingRecord> {
    if (typeof request.principal !== 'string' || !request.principal)
      throw new RiffleError('INVALID_FIELD', 'invalid', 'principal must be a service account id (sa-…).');
    if (!isRoleName(request.role_name))
      throw new RiffleError('INVALID_ROLE', 'invalid', `role_name must be one of ${ROLE_NAMES.join(', ')}.`);
    const environmentId = request.environment_id ?? null;
    if (environmentId !== null && typeof environmentId !== 'string')
      throw new RiffleError('INVALID_FIELD', 'invalid', 'environment_id must be a string or absent.');
    const role: RoleName = request.role_name;
    if (environmentId !== null) {
      if ((role === 'OrgAdmin' || role === 'BillingAdmin') as boolean)
        throw new RiffleError(
          'INVALID_ROLE',
          'invalid',
          `${role} is an organization role: omit environment_id.`,
        );
      if (!(await this.identities.findEnvironment(principal.organizationId, environmentId)))
        throw new RiffleError('ENVIRONMENT_NOT_FOUND', 'not_found', 'No such organization or environment.');
    }
    this.mayManage(principal, environmentId ?? undefined);
    const account = await this.identities.findServiceAccount(principal.organizationId, request.principal);
    if (!account) throw new RiffleError('SERVICE_ACCOUNT_NOT_FOUND', 'not_found', 'No such service account.');
    return this.identities.createRoleBinding({
      id: newResourceId('rb'),
      organizationId: principal.organizationId,
      serviceAccountId: account.id,
      role,
      environmentId,
    });
  }

  list(principal: Principal, filter: { serviceAccountId?: string; environmentId?: string }) {
    return this.identities.listRoleBindings(principal.organizationId, filter);
  }

  async get(principal: Principal, id: string): Promise<RoleBindingRecord> {
    const found = await this.identities.findRoleBinding(principal.organizationId, id);
    if (!found) throw bindingNotFound(id);
    return found;
  }

  async delete(principal: Principal, id: string): Promise<void> {
    const found = await this.get(principal, id);
    this.mayManage(principal, found.environmentId ?? undefined);
    await this.identities.deleteRoleBinding(principal.organizationId, id);
  }

  private mayManage(principal: Principal, environmentId: string | undefined): void {
    if (
      !isAllowed(principal.roles, 'role-binding.manage', environmentId) ||
      (!environmentId && !isOrgAdmin(principal))
    )
      throw new RiffleError(
        'PERMISSION_DENIED',
        'forbidden',
        environmentId
          ? `Binding roles in ${environmentId} needs OrgAdmin or EnvironmentAdmin there.`
          : 'Binding organization-wide roles needs OrgAdmin.',
      );
  }
}

const isOrgAdmin = (principal: Principal) =>
  principal.roles.some((b) => b.role === 'OrgAdmin' && b.environmentId === null);

/** Listing and revoking the organization's API keys; revocation takes effect on the next request. */
export class ManageApiKeys {
  constructor(private readonly identities: IdentityRepository) {}

  list(principal: Principal): Promise<ApiKeySummary[]> {
    return this.identities.listApiKeys(principal.organizationId);
  }

  async revoke(principal: Principal, id: string): Promise<void> {
    if (!(await this.identities.revokeApiKey(principal.organizationId, id)))
      throw new RiffleError('API_KEY_NOT_FOUND', 'not_found', `No API key "${id}".`);
  }
}
