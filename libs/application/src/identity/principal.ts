/** Who is calling: resolved from an API key on every request. */
export interface Principal {
  organizationId: string;
  serviceAccountId: string;
  apiKeyId: string;
}
