import { RiffleError } from '@riffle/domain';
import type { IdentityRepository } from '../identity/identity.ports';
import type { Principal } from '../identity/principal';
import {
  EgressGuard,
  type KafkaClusterRecord,
  type KafkaClusterRepository,
  type TopicCatalog,
} from './catalog.ports';
import { MAX_CLUSTERS_PER_ENVIRONMENT, RegisterKafkaCluster } from './register-kafka-cluster.use-case';

class RecordingGuard extends EgressGuard {
  readonly checked: string[] = [];
  async check(endpoints: readonly { host: string; port: number }[]) {
    this.checked.push(...endpoints.map((e) => `${e.host}:${e.port}`));
  }
}

function setUp(answers = true) {
  const inserted: KafkaClusterRecord[] = [];
  const checked: unknown[] = [];
  const identities = {
    findEnvironment: async (_: string, id: string) =>
      id === 'env-1' ? { id, organizationId: 'org-1', name: 'default', createdAt: new Date(0) } : undefined,
  } as unknown as IdentityRepository;
  const clusters = {
    list: async () => inserted,
    insert: async (c: Omit<KafkaClusterRecord, 'createdAt'>) => {
      const record = { ...c, createdAt: new Date(0) };
      inserted.push(record);
      return record;
    },
  } as unknown as KafkaClusterRepository;
  const catalog = {
    check: async (c: unknown) => {
      checked.push(c);
      if (!answers)
        throw new Error('SASL authentication failed for user "u" at 10.0.0.1:9093 (ECONNREFUSED)');
    },
  } as unknown as TopicCatalog;
  const guard = new RecordingGuard();
  const logged: string[] = [];
  const register = new RegisterKafkaCluster(identities, clusters, catalog, guard, (m, e) =>
    logged.push(`${m}: ${(e as Error).message}`),
  );
  const principal = { organizationId: 'org-1' } as Principal;
  const spec = (extra: Record<string, unknown> = {}) => ({
    display_name: 'ext',
    spec: {
      environment: { id: 'env-1' },
      bootstrap_servers: 'kafka.example.com:9093',
      schema_registry_url: 'https://sr.example.com/v1/',
      ...extra,
    },
  });
  return { register, principal, spec, inserted, checked, guard, logged };
}

describe('RegisterKafkaCluster', () => {
  it('checks every address with the egress guard, then the cluster, and stores it with its credentials', async () => {
    const { register, principal, spec, inserted, guard } = setUp();
    const sasl = { mechanism: 'SCRAM-SHA-512', username: 'svc', password: 'p"w;1' };
    const record = await register.execute(
      principal,
      spec({ sasl, tls: true, schema_registry_auth: { username: 'sr', password: 'sr-secret' } }),
    );
    expect(guard.checked).toEqual(['kafka.example.com:9093', 'sr.example.com:443']);
    expect(record).toMatchObject({
      kind: 'external',
      name: 'ext',
      bootstrapServers: 'kafka.example.com:9093',
      schemaRegistryUrl: 'https://sr.example.com/v1',
      credentials: { sasl, tls: true, registry: { username: 'sr', password: 'sr-secret' } },
    });
    expect(inserted).toHaveLength(1);
  });

  it('stores no credentials when none are given', async () => {
    const { register, principal, spec } = setUp();
    expect((await register.execute(principal, spec({ tls: false }))).credentials).toBeUndefined();
  });

  it.each([
    ['sasl null', { sasl: null }],
    ['sasl a string', { sasl: 'user:pw' }],
    ['an unknown mechanism', { sasl: { mechanism: 'GSSAPI', username: 'u', password: 'p' } }],
    ['no password', { sasl: { mechanism: 'PLAIN', username: 'u' } }],
    ['a control character', { sasl: { mechanism: 'PLAIN', username: 'u\n', password: 'p' } }],
    ['tls a string', { tls: 'yes' }],
    ['registry auth with a colon in the user', { schema_registry_auth: { username: 'a:b', password: 'p' } }],
    ['registry auth null', { schema_registry_auth: null }],
  ])('refuses %s as INVALID_KAFKA_CLUSTER, before connecting anywhere', async (_, extra) => {
    const { register, principal, spec, checked, guard } = setUp();
    await expect(register.execute(principal, spec(extra))).rejects.toMatchObject({
      code: 'INVALID_KAFKA_CLUSTER',
    });
    expect(checked).toEqual([]);
    expect(guard.checked).toEqual([]);
  });

  it('answers one generic KAFKA_CLUSTER_UNREACHABLE and keeps the reason for the log', async () => {
    const { register, principal, spec, logged, inserted } = setUp(false);
    const refused = await register
      .execute(principal, spec({ sasl: { mechanism: 'PLAIN', username: 'u', password: 'hunter2' } }))
      .catch((e: RiffleError) => e);
    expect(refused).toBeInstanceOf(RiffleError);
    expect((refused as RiffleError).code).toBe('KAFKA_CLUSTER_UNREACHABLE');
    expect((refused as RiffleError).message).not.toMatch(/SASL|10\.0\.0\.1|ECONN/);
    expect(logged.join()).toContain('SASL authentication failed');
    expect(logged.join()).not.toContain('hunter2');
    expect(inserted).toEqual([]);
  });

  it('refuses a registration past the environment quota before connecting anywhere', async () => {
    const { register, principal, spec, inserted, checked, guard } = setUp();
    for (let i = 0; i < MAX_CLUSTERS_PER_ENVIRONMENT; i++) inserted.push({} as KafkaClusterRecord);
    await expect(register.execute(principal, spec())).rejects.toMatchObject({
      code: 'KAFKA_CLUSTER_QUOTA_EXCEEDED',
      kind: 'quota',
    });
    expect(checked).toEqual([]);
    expect(guard.checked).toEqual([]);
  });
});
