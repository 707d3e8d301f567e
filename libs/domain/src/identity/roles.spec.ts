import { isAllowed, PERMISSIONS, type Permission, ROLE_NAMES, type RoleBinding } from './roles';

const org = (role: RoleBinding['role']): RoleBinding => ({ role, environmentId: null });
const env = (role: RoleBinding['role'], environmentId = 'env-a'): RoleBinding => ({ role, environmentId });

describe('isAllowed', () => {
  it('lets an OrgAdmin do everything, everywhere', () => {
    for (const permission of Object.keys(PERMISSIONS) as Permission[]) {
      expect(isAllowed([org('OrgAdmin')], permission)).toBe(true);
      expect(isAllowed([org('OrgAdmin')], permission, 'env-x')).toBe(true);
    }
  });

  it('grants nothing without bindings', () => {
    for (const permission of Object.keys(PERMISSIONS) as Permission[])
      expect(isAllowed([], permission, 'env-a')).toBe(false);
  });

  it.each([
    ['FlinkDeveloper', 'statement.write', true],
    ['FlinkDeveloper', 'statement.results', true],
    ['FlinkDeveloper', 'pool.manage', false],
    ['FlinkDeveloper', 'billing.read', false],
    ['FlinkAdmin', 'pool.manage', true],
    ['Viewer', 'statement.read', true],
    ['Viewer', 'statement.write', false],
    ['Viewer', 'statement.results', false],
    ['BillingAdmin', 'billing.read', true],
    ['BillingAdmin', 'statement.read', false],
    ['BillingAdmin', 'statement.usage', true],
    ['EnvironmentAdmin', 'cluster.manage', true],
    ['EnvironmentAdmin', 'api-key.manage', false],
    ['EnvironmentAdmin', 'environment.create', false],
  ] as const)('%s at organization scope: %s → %s', (role, permission, allowed) => {
    expect(isAllowed([org(role)], permission, 'env-a')).toBe(allowed);
  });

  it('limits an environment binding to its environment', () => {
    expect(isAllowed([env('FlinkDeveloper')], 'statement.write', 'env-a')).toBe(true);
    expect(isAllowed([env('FlinkDeveloper')], 'statement.write', 'env-b')).toBe(false);
    expect(isAllowed([env('FlinkDeveloper')], 'statement.write')).toBe(false);
  });

  it('never grants organization-only permissions through an environment binding', () => {
    expect(isAllowed([env('BillingAdmin')], 'billing.read', 'env-a')).toBe(false);
    expect(isAllowed([env('OrgAdmin')], 'api-key.manage', 'env-a')).toBe(false);
  });

  it('keeps operational views (the queue dashboard) to organization-wide OrgAdmins', () => {
    for (const role of ROLE_NAMES.filter((r) => r !== 'OrgAdmin'))
      expect(isAllowed([org(role)], 'operations.read')).toBe(false);
    expect(isAllowed([org('OrgAdmin')], 'operations.read')).toBe(true);
    expect(isAllowed([env('OrgAdmin')], 'operations.read', 'env-a')).toBe(false);
  });

  it('has a role list for every permission drawn from the six roles', () => {
    for (const roles of Object.values(PERMISSIONS))
      for (const role of roles) expect(ROLE_NAMES).toContain(role);
  });
});
