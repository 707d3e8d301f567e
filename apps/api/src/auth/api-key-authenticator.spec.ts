import type { Principal } from '@riffle/application';
import { authorize } from './api-key-authenticator';

const principal = (roles: Principal['roles']): Principal => ({
  organizationId: 'org-1',
  serviceAccountId: 'sa-1',
  apiKeyId: 'KEY0000000000001',
  roles,
});

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
    expect(() =>
      authorize(principal([{ role: 'OrgAdmin', environmentId: null }]), 'statement.read', 'org-2', 'env-1'),
    ).toThrow(expect.objectContaining({ code: 'ENVIRONMENT_NOT_FOUND' }));
  });

  it('refuses a role bound to another environment, naming the roles that would do', () => {
    expect(() =>
      authorize(principal([{ role: 'Viewer', environmentId: 'env-2' }]), 'statement.read', 'org-1', 'env-1'),
    ).toThrow(
      expect.objectContaining({
        code: 'PERMISSION_DENIED',
        message: expect.stringMatching(/statement\.read needs one of the roles .*Viewer.*env-1/),
      }),
    );
  });

  it('refuses a permission the role does not grant', () => {
    expect(() =>
      authorize(principal([{ role: 'Viewer', environmentId: null }]), 'statement.write', 'org-1', 'env-1'),
    ).toThrow(expect.objectContaining({ code: 'PERMISSION_DENIED' }));
  });
});
