import { RiffleError } from '@riffle/domain';
import type { IdentityRepository } from '../identity/identity.ports';
import type { Principal } from '../identity/principal';
import type { StatementScope } from './statement.ports';

export const statementNotFound = (name: string) =>
  new RiffleError('STATEMENT_NOT_FOUND', 'not_found', `No statement named "${name}" in this environment.`);

/**
 * Resolves /organizations/{org}/environments/{env} for the caller. Another tenant's organization or
 * environment is indistinguishable from a missing one.
 */
export async function resolveScope(
  identities: IdentityRepository,
  principal: Principal,
  organizationId: string,
  environmentId: string,
): Promise<StatementScope> {
  const notFound = () =>
    new RiffleError('ENVIRONMENT_NOT_FOUND', 'not_found', 'No such organization or environment.');
  if (organizationId !== principal.organizationId) throw notFound();
  const environment = await identities.findEnvironment(organizationId, environmentId);
  if (!environment) throw notFound();
  return { organizationId, environmentId };
}
