import { CachedIdentities } from './cached-identities';
import type { IdentityRepository } from './identity.ports';

function counting() {
  const calls = { findApiKey: 0, findEnvironment: 0 };
  let revoked = false;
  const inner = {
    findApiKey: async (id: string) => {
      calls.findApiKey += 1;
      return id === 'K'
        ? {
            id,
            organizationId: 'o',
            serviceAccountId: 's',
            secretSha256: Buffer.alloc(32),
            revokedAt: revoked ? new Date() : null,
            roles: [],
          }
        : undefined;
    },
    findEnvironment: async (organizationId: string, id: string) => {
      calls.findEnvironment += 1;
      return id === 'env-1' ? { id, organizationId, name: 'dev', createdAt: new Date(0) } : undefined;
    },
    revokeApiKey: async () => ((revoked = true), true),
  } as unknown as IdentityRepository;
  return { inner, calls };
}

describe('CachedIdentities', () => {
  it('asks the repository once per key and environment while the entries live', async () => {
    const { inner, calls } = counting();
    const cached = new CachedIdentities(inner, 60_000);
    for (let i = 0; i < 5; i++) {
      expect((await cached.findApiKey('K'))?.id).toBe('K');
      expect((await cached.findEnvironment('o', 'env-1'))?.name).toBe('dev');
    }
    expect(calls).toEqual({ findApiKey: 1, findEnvironment: 1 });
  });

  it('keeps no misses: a key or environment created elsewhere works at once', async () => {
    const { inner, calls } = counting();
    const cached = new CachedIdentities(inner, 60_000);
    expect(await cached.findApiKey('X')).toBeUndefined();
    expect(await cached.findApiKey('X')).toBeUndefined();
    expect(await cached.findEnvironment('o', 'env-2')).toBeUndefined();
    expect(await cached.findEnvironment('o', 'env-2')).toBeUndefined();
    expect(calls).toEqual({ findApiKey: 2, findEnvironment: 2 });
  });

  it('forgets everything on a write through it: a revoked key is refused on the next request', async () => {
    const { inner } = counting();
    const cached = new CachedIdentities(inner, 60_000);
    expect((await cached.findApiKey('K'))?.revokedAt).toBeNull();
    await cached.revokeApiKey('o', 'K');
    expect((await cached.findApiKey('K'))?.revokedAt).toBeInstanceOf(Date);
  });

  it('with a TTL of 0 always asks', async () => {
    const { inner, calls } = counting();
    const cached = new CachedIdentities(inner, 0);
    await cached.findApiKey('K');
    await cached.findApiKey('K');
    expect(calls.findApiKey).toBe(2);
  });
});
