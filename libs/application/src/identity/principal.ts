import type { RoleBinding } from '@riffle/domain';

/** Who is calling: resolved from an API key on every request. */
export interface Principal {
  organizationId: string;
  serviceAccountId: string;
  apiKeyId: string;
  /** the service account's role bindings, read with the key on every request */
  roles: RoleBinding[];
}
