import { AuthenticateApiKey } from './authenticate-api-key.use-case';
import { sha256 } from './credentials';
import type { ApiKeyRecord, IdentityRepository } from './identity.ports';

const KEY_ID = 'AAAABBBBCCCCDDDD';
const SECRET = 'the-right-secret';

/** a key record that counts how often its stored hash is read, i.e. how often a secret is hashed */
function keyRecord(secret = SECRET, revokedAt: Date | null = null) {
  const stored = sha256(secret);
  const record = {
    id: KEY_ID,
    organizationId: 'org-1',
    serviceAccountId: 'sa-1',
    revokedAt,
    roles: [],
    hashChecks: 0,
  };
  Object.defineProperty(record, 'secretSha256', {
    get: () => ((record.hashChecks += 1), stored),
  });
  return record as typeof record & ApiKeyRecord;
}

/** a repository handing out `current.record` for KEY_ID, as the identity cache does while it keeps it */
function repository(record: ReturnType<typeof keyRecord>) {
  const current = { record };
  const identities = {
    findApiKey: async (id: string) => (id === KEY_ID ? current.record : undefined),
  } as unknown as IdentityRepository;
  return { identities, current };
}

const refused = expect.objectContaining({ code: 'UNAUTHENTICATED' });

describe('AuthenticateApiKey', () => {
  it('answers the principal of a right secret', async () => {
    const { identities } = repository(keyRecord());
    await expect(new AuthenticateApiKey(identities).execute(KEY_ID, SECRET)).resolves.toEqual({
      organizationId: 'org-1',
      serviceAccountId: 'sa-1',
      apiKeyId: KEY_ID,
      roles: [],
    });
  });

  it('hashes a right secret once per key record, and a wrong one every time', async () => {
    const record = keyRecord();
    const authenticate = new AuthenticateApiKey(repository(record).identities);
    for (let i = 0; i < 5; i++) await authenticate.execute(KEY_ID, SECRET);
    expect(record.hashChecks).toBe(1);
    for (let i = 0; i < 3; i++)
      await expect(authenticate.execute(KEY_ID, 'a-wrong-secret!!')).rejects.toThrow(refused);
    expect(record.hashChecks).toBe(4);
    await expect(authenticate.execute(KEY_ID, SECRET)).resolves.toBeDefined();
    expect(record.hashChecks).toBe(4);
  });

  it('checks the secret again against a new record: a rotated secret or a revocation counts at once', async () => {
    const { identities, current } = repository(keyRecord());
    const authenticate = new AuthenticateApiKey(identities);
    await authenticate.execute(KEY_ID, SECRET);

    current.record = keyRecord('the-new-secret');
    await expect(authenticate.execute(KEY_ID, SECRET)).rejects.toThrow(refused);
    await expect(authenticate.execute(KEY_ID, 'the-new-secret')).resolves.toBeDefined();

    current.record = keyRecord('the-new-secret', new Date());
    await expect(authenticate.execute(KEY_ID, 'the-new-secret')).rejects.toThrow(refused);
  });

  it('refuses a malformed key id, an empty or overlong secret and an unknown key', async () => {
    const { identities } = repository(keyRecord());
    const authenticate = new AuthenticateApiKey(identities);
    for (const [id, secret] of [
      ['short', SECRET],
      [KEY_ID, ''],
      [KEY_ID, 'x'.repeat(257)],
      ['ZZZZZZZZZZZZZZZZ', SECRET],
    ] as const)
      await expect(authenticate.execute(id, secret)).rejects.toThrow(refused);
  });
});
