import type { Principal } from '@riffle/application';
import { RiffleError } from '@riffle/domain';
import { authorize } from './api-key-authenticator';

const principal = (roles: Principal['roles']): Principal => ({
  organizationId: 'org-1',
  serviceAccountId: 'sa-1',
  apiKeyId: 'KEY0000000000001',
  roles,
});

const refusal = (act: () => void): RiffleError => {
  try {
    act();
  } catch (error) {
    if (error instanceof RiffleError) return error;
    throw error;
  }
  throw new Error('not refused');
};

describe('authorize', () => {
  it('allows a role that grants the permission in the environment, or organization-wide', () => {
    expect(() =>
      authorize(principal([{ role: 'Viewer', environmentId: 'env-1' }]), 'statement.read', 'org-1', 'env-1'),
    ).not.toThrow();
    expect(() =>
      authorize(principal([{ role: 'Viewer', environmentId: null }]), 'statement.read', 'org-1', 'env-9'),
    ).not.toThrow();
  });

  it("answers another organization's resources as missing ones", () => {
    const error = refusal(() =>
      authorize(principal([{ role: 'OrgAdmin', environmentId: null }]), 'statement.read', 'org-2', 'env-1'),
    );
    expect(error.code).toBe('ENVIRONMENT_NOT_FOUND');
  });

  it('refuses a role bound to another environment, naming the roles that would do', () => {
    const error = refusal(() =>
      authorize(principal([{ role: 'Viewer', environmentId: 'env-2' }]), 'statement.read', 'org-1', 'env-1'),
    );
    expect(error.code).toBe('PERMISSION_DENIED');
    expect(error.message).toMatch(/statement\.read needs one of the roles .*Viewer.*env-1/);
  });

  it('refuses a permission the role does not grant', () => {
    const error = refusal(() =>
      authorize(principal([{ role: 'Viewer', environmentId: null }]), 'statement.write', 'org-1', 'env-1'),
    );
    expect(error.code).toBe('PERMISSION_DENIED');
  });
});
