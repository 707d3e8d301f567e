import type { RegistrySchema } from '@riffle/domain';
import { FixedLogins, InMemoryTopicCatalog } from '@riffle/testing';
import { RecordedSqlAnalyzer } from '../../../../test/fixtures/recorded-sql-analyzer';
import type { IdentityRepository } from '../identity/identity.ports';
import type { StatementRecord } from '../statements/statement.ports';
import type { KafkaClusterRecord, KafkaClusterRepository } from './catalog.ports';
import { LogicalClusterTopics, newLogicalCluster, topicPrefixOf } from './logical-clusters';
import { PrepareStatementTables } from './prepare-statement-tables';

const VALUE: RegistrySchema = {
  format: 'AVRO',
  schema: JSON.stringify({ type: 'record', name: 'V', fields: [{ name: 'id', type: 'long' }] }),
};
const logical = (id: string, environmentId = 'env-1'): KafkaClusterRecord => ({
  ...newLogicalCluster('org-1', environmentId),
  id,
  bootstrapServers: 'platform:9092',
  schemaRegistryUrl: 'http://registry:8081',
  createdAt: new Date(0),
});
const a = logical('lkc-a');
const b = logical('lkc-b', 'env-2');
const external: KafkaClusterRecord = { ...a, id: 'lkc-x', kind: 'external', name: 'x' };

function platform() {
  const inner = new InMemoryTopicCatalog();
  for (const topic of ['lkc-a.orders', 'lkc-b.orders', 'lkc-b.payments', 'lkc-a', 'orders'])
    inner.topics.set(topic, { partitions: 1, config: {} });
  inner.subjects.set('lkc-a.orders-value', [VALUE]);
  return { inner, topics: new LogicalClusterTopics(inner) };
}

describe('logical clusters', () => {
  it('names a new environment database main, logical, with its id as topic prefix', () => {
    const cluster = newLogicalCluster('org-1', 'env-1');
    expect(cluster).toMatchObject({
      name: 'main',
      kind: 'logical',
      bootstrapServers: '',
      schemaRegistryUrl: '',
    });
    expect(topicPrefixOf(cluster)).toBe(`${cluster.id}.`);
    expect(topicPrefixOf(external)).toBe('');
  });

  it("lists only a logical cluster's own topics, without the prefix", async () => {
    const { topics } = platform();
    expect(await topics.listTopics(a)).toEqual(['orders']);
    expect((await topics.listTopics(b)).sort()).toEqual(['orders', 'payments']);
    expect((await topics.listTopics(external)).sort()).toEqual([
      'lkc-a',
      'lkc-a.orders',
      'lkc-b.orders',
      'lkc-b.payments',
      'orders',
    ]);
  });

  it('prefixes every topic and subject on the way in and strips subjects on the way out', async () => {
    const { inner, topics } = platform();
    expect(await topics.topicExists(a, 'orders')).toBe(true);
    expect(await topics.topicExists(a, 'payments')).toBe(false);
    expect((await topics.describeTopic(a, 'orders'))?.valueSubject).toEqual({
      subject: 'orders-value',
      version: 1,
      id: 41,
    });
    expect(await topics.describeTopic(b, 'lkc-a.orders')).toBeUndefined();
    await topics.createTopic(b, { topic: 'refunds', partitions: 3, config: {} });
    await topics.registerSchema(b, 'refunds-value', {
      ...VALUE,
      references: [{ name: 'r', subject: 'common-value', version: 1 }],
    });
    await topics.alterTopicConfig(b, 'refunds', { 'retention.ms': '1' });
    await topics.deleteSubject(b, 'refunds-value');
    await topics.deleteTopic(b, 'payments');
    expect(inner.calls).toEqual([
      'createTopic lkc-b.refunds 3',
      'registerSchema lkc-b.refunds-value',
      'alterTopicConfig lkc-b.refunds {"retention.ms":"1"}',
      'deleteSubject lkc-b.refunds-value',
      'deleteTopic lkc-b.payments',
    ]);
    expect(inner.topics.has('lkc-a.orders')).toBe(true);
  });
});

describe('LogicalClusterTopics lifecycle', () => {
  it("closes the wrapped catalog's clients when the app shuts down", async () => {
    const inner = Object.assign(new InMemoryTopicCatalog(), { closed: 0 });
    (inner as unknown as { onApplicationShutdown: () => Promise<void> }).onApplicationShutdown = async () => {
      inner.closed += 1;
    };
    await new LogicalClusterTopics(inner).onApplicationShutdown();
    expect(inner.closed).toBe(1);
    await new LogicalClusterTopics(new InMemoryTopicCatalog()).onApplicationShutdown(); // nothing to close
  });
});

describe('PrepareStatementTables on a logical cluster', () => {
  it("declares the table by its own name on the prefixed topic, in the cluster's groups and transactions, logged in as its principal", async () => {
    const { topics } = platform();
    const identities = {
      findEnvironment: async () => ({
        id: 'env-1',
        organizationId: 'org-1',
        name: 'default',
        createdAt: new Date(0),
      }),
    } as unknown as IdentityRepository;
    const clusters = {
      list: async () => [a],
      findTableSettings: async () => undefined,
    } as unknown as KafkaClusterRepository;
    const logins = new FixedLogins();
    const tables = new PrepareStatementTables(
      identities,
      clusters,
      topics,
      new RecordedSqlAnalyzer(),
      logins,
    );
    const { setupStatements } = await tables.execute({
      uid: 'uid-1',
      organizationId: 'org-1',
      environmentId: 'env-1',
      statement: 'SELECT id FROM orders',
      sqlKind: 'SELECT',
      properties: {},
    } as unknown as StatementRecord);
    const ddl = setupStatements.find((s) => s.startsWith('CREATE TABLE'))!;
    expect(ddl).toMatch(/^CREATE TABLE `env-1`\.`main`\.`orders` \(/);
    for (const option of [
      "'topic' = 'lkc-a.orders'",
      "'properties.bootstrap.servers' = 'tenant-kafka:9094'",
      "'properties.security.protocol' = 'SASL_SSL'",
      "'properties.sasl.mechanism' = 'SCRAM-SHA-512'",
      `'properties.sasl.jaas.config' = 'org.apache.flink.kafka.shaded.org.apache.kafka.common.security.scram.ScramLoginModule required username="lkc-a" password="secret-of-lkc-a";'`,
      "'properties.group.id' = 'lkc-a.riffle-uid-1'",
      "'sink.transactional-id-prefix' = 'lkc-a.riffle-uid-1-orders'",
    ])
      expect(ddl).toContain(option);
    expect(logins.asked).toEqual(['lkc-a']);
  });

  it("logs a registered cluster's Flink tables in with its SASL, TLS and registry credentials", async () => {
    const inner = new InMemoryTopicCatalog();
    inner.topics.set('orders', { partitions: 1, config: {} });
    inner.subjects.set('orders-value', [VALUE]);
    const registered: KafkaClusterRecord = {
      ...external,
      name: 'main',
      credentials: {
        sasl: { mechanism: 'PLAIN', username: 'svc', password: 'pw"1' },
        tls: true,
        registry: { username: 'sr', password: 'sr-pw' },
      },
    };
    const identities = {
      findEnvironment: async () => ({
        id: 'env-1',
        organizationId: 'org-1',
        name: 'default',
        createdAt: new Date(0),
      }),
    } as unknown as IdentityRepository;
    const clusters = {
      list: async () => [registered],
      findTableSettings: async () => undefined,
    } as unknown as KafkaClusterRepository;
    const logins = new FixedLogins();
    const tables = new PrepareStatementTables(
      identities,
      clusters,
      new LogicalClusterTopics(inner),
      new RecordedSqlAnalyzer(),
      logins,
    );
    const { setupStatements } = await tables.execute({
      uid: 'uid-1',
      organizationId: 'org-1',
      environmentId: 'env-1',
      statement: 'SELECT id FROM orders',
      sqlKind: 'SELECT',
      properties: {},
    } as unknown as StatementRecord);
    const ddl = setupStatements.find((s) => s.startsWith('CREATE TABLE'))!;
    for (const option of [
      "'topic' = 'orders'",
      "'properties.bootstrap.servers' = 'platform:9092'",
      "'properties.security.protocol' = 'SASL_SSL'",
      "'properties.sasl.mechanism' = 'PLAIN'",
      `'properties.sasl.jaas.config' = 'org.apache.flink.kafka.shaded.org.apache.kafka.common.security.plain.PlainLoginModule required username="svc" password="pw\\"1";'`,
      "'value.avro-confluent.basic-auth.credentials-source' = 'USER_INFO'",
      "'value.avro-confluent.basic-auth.user-info' = 'sr:sr-pw'",
      "'properties.group.id' = 'riffle-uid-1'",
    ])
      expect(ddl).toContain(option);
    expect(logins.asked).toEqual([]);
  });
});
