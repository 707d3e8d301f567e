import { type RegistrySchema, RiffleError, type TableSettings } from '@riffle/domain';
import { analysisOf } from '../../../../test/fixtures/flink-sql-readings';
import { RecordedSqlAnalyzer } from '../../../../test/fixtures/recorded-sql-analyzer';
import type { IdentityRepository } from '../identity/identity.ports';
import type {
  ResultRow,
  StatementRecord,
  StatementRepository,
  StatusPatch,
} from '../statements/statement.ports';
import { FixedLogins, InMemoryResultStore, InMemoryTopicCatalog } from '@riffle/testing';
import type { ResultStore } from '../results/result-store.port';
import { AnswerMetadataStatement } from './answer-metadata-statement.use-case';
import type { KafkaClusterRecord, KafkaClusterRepository } from './catalog.ports';
import { PrepareStatementTables } from './prepare-statement-tables';

const ORDER_VALUE: RegistrySchema = {
  format: 'AVRO',
  schema: JSON.stringify({
    type: 'record',
    name: 'Order',
    fields: [
      { name: 'id', type: 'long' },
      { name: 'customer', type: 'string' },
    ],
  }),
};

const cluster: KafkaClusterRecord = {
  id: 'lkc-1',
  organizationId: 'org-1',
  environmentId: 'env-1',
  name: 'main',
  kind: 'external',
  bootstrapServers: 'kafka:9092',
  schemaRegistryUrl: 'http://registry:8081',
  createdAt: new Date(0),
};
const identities = {
  findEnvironment: async (org: string, env: string) =>
    org === 'org-1' && env === 'env-1'
      ? { id: 'env-1', organizationId: 'org-1', name: 'default', createdAt: new Date(0) }
      : undefined,
} as unknown as IdentityRepository;
/** clusters, and what ALTER TABLE stored with their tables, in memory */
function fakeClusters() {
  const settings = new Map<string, TableSettings>();
  const repository = {
    list: async (org: string, env: string) => (org === 'org-1' && env === 'env-1' ? [cluster] : []),
    findTableSettings: async (clusterId: string, topic: string) => settings.get(`${clusterId}/${topic}`),
    saveTableSettings: async (clusterId: string, topic: string, stored: TableSettings) => {
      if (!stored.watermark && Object.keys(stored.options).length === 0)
        settings.delete(`${clusterId}/${topic}`);
      else settings.set(`${clusterId}/${topic}`, stored);
    },
  } as unknown as KafkaClusterRepository;
  return { repository, settings };
}

/** what the use case wrote for one statement */
class RecordingStatements {
  pages: { rows: ResultRow[]; last: boolean }[] = [];
  statuses: StatusPatch[] = [];
  exceptions: { name: string; message: string }[] = [];

  /** the result pages the use case wrote, whatever the statement */
  asResults(): ResultStore {
    const results = new InMemoryResultStore();
    results.writeAll = async (_uid, _scope, pages) => {
      this.pages.push(...pages.map((p) => ({ rows: p.rows, last: p.last })));
    };
    return results;
  }

  asRepository(): StatementRepository {
    return {
      recordStatus: async (_: string, patch: StatusPatch) => {
        this.statuses.push(patch);
      },
      addException: async (_: string, name: string, message: string) => {
        this.exceptions.push({ name, message });
      },
    } as unknown as StatementRepository;
  }

  get phase() {
    return this.statuses.at(-1)?.phase;
  }
  get rows() {
    return this.pages.flatMap((p) => p.rows.map((r) => r.row));
  }
}

const statement = (sql: string, sqlKind: string, properties: Record<string, string> = {}) =>
  ({
    uid: 'uid-1',
    organizationId: 'org-1',
    environmentId: 'env-1',
    statement: sql,
    sqlKind,
    properties,
  }) as StatementRecord;

function setUp() {
  const topics = new InMemoryTopicCatalog();
  topics.topics.set('orders', {
    partitions: 2,
    config: { 'cleanup.policy': 'delete', 'retention.ms': '604800000' },
  });
  topics.subjects.set('orders-value', [ORDER_VALUE]);
  for (const internal of ['__consumer_offsets', '_schemas', 'riffle.usage'])
    topics.topics.set(internal, { partitions: 1, config: {} });
  const clusters = fakeClusters();
  const tables = new PrepareStatementTables(
    identities,
    clusters.repository,
    topics,
    new RecordedSqlAnalyzer(),
    new FixedLogins(),
  );
  const recorded = new RecordingStatements();
  const answer = (sql: string, kind: string, properties: Record<string, string> = {}) =>
    new AnswerMetadataStatement(recorded.asRepository(), tables, recorded.asResults()).execute(
      statement(sql, kind, properties),
    );
  return { topics, tables, recorded, answer, settings: clusters.settings };
}

describe('PrepareStatementTables', () => {
  it('declares the environment, its database and each table with the options Riffle injects', async () => {
    const { tables } = setUp();
    const { setupStatements: setup } = await tables.execute(
      statement('SELECT id FROM orders', 'SELECT', { 'sql.tables.scan.bounded.mode': 'latest-offset' }),
    );
    expect(setup.slice(0, 5)).toEqual([
      "SET 'table.column-expansion-strategy' = 'EXCLUDE_ALIASED_VIRTUAL_METADATA_COLUMNS;EXCLUDE_DEFAULT_VIRTUAL_METADATA_COLUMNS'",
      "CREATE CATALOG `env-1` WITH ('type' = 'generic_in_memory')",
      'CREATE DATABASE `env-1`.`main`',
      'USE CATALOG `env-1`',
      'USE `main`',
    ]);
    const ddl = setup[5]!;
    expect(ddl).toMatch(
      /^CREATE TABLE `env-1`\.`main`\.`orders` \(\n {2}`id` BIGINT NOT NULL,\n {2}`customer` STRING NOT NULL,/,
    );
    expect(ddl).toContain("`$rowtime` TIMESTAMP_LTZ(3) NOT NULL METADATA FROM 'timestamp' VIRTUAL");
    for (const option of [
      "'properties.bootstrap.servers' = 'kafka:9092'",
      "'properties.group.id' = 'riffle-uid-1'",
      "'scan.startup.mode' = 'earliest-offset'",
      "'scan.bounded.mode' = 'latest-offset'",
      "'sink.delivery-guarantee' = 'exactly-once'",
      "'sink.transactional-id-prefix' = 'riffle-uid-1-orders'",
      "'value.avro-confluent.url' = 'http://registry:8081'",
    ])
      expect(ddl).toContain(option);
    expect(ddl).not.toContain("'key.format'");
  });

  it('accepts the catalog by environment name and the database by cluster id, as written', async () => {
    const { tables } = setUp();
    const { setupStatements: setup } = await tables.execute(
      statement('SELECT * FROM `default`.`lkc-1`.orders', 'SELECT'),
    );
    expect(setup).toContain("CREATE CATALOG `default` WITH ('type' = 'generic_in_memory')");
    expect(setup).toContain('CREATE DATABASE `default`.`lkc-1`');
    expect(setup.at(-1)).toMatch(/^CREATE TABLE `default`\.`lkc-1`\.`orders`/);
  });

  it.each([
    ['SELECT * FROM other.main.orders', /only catalog env-1/],
    ['SELECT * FROM nowhere.orders', /no Kafka cluster named nowhere/],
    ['SELECT * FROM missing', /no topic named missing/],
  ])('refuses %s with TABLE_NOT_FOUND', async (sql, message) => {
    const { tables } = setUp();
    await expect(tables.execute(statement(sql, 'SELECT'))).rejects.toMatchObject({
      code: 'TABLE_NOT_FOUND',
      message: expect.stringMatching(message),
    });
  });

  it('creates the topic of CREATE TABLE … AS SELECT and lets Flink derive the table into it', async () => {
    const { tables, topics } = setUp();
    const prepared = await tables.execute(
      statement(
        "CREATE TABLE big_orders WITH ('kafka.partitions' = '3') AS SELECT id, amount FROM orders WHERE amount > 10",
        'CREATE_TABLE_AS',
      ),
    );
    expect(topics.topics.get('big_orders')).toMatchObject({ partitions: 3 });
    // the source is installed, the new table is not: Flink's CTAS creates it
    expect(prepared.setupStatements.filter((s) => s.startsWith('CREATE TABLE'))).toHaveLength(1);
    expect(prepared.setupStatements.at(-1)).toMatch(/^CREATE TABLE `env-1`\.`main`\.`orders`/);
    expect(prepared.statement).toMatch(/^CREATE TABLE `env-1`\.`main`\.`big_orders` WITH \(/);
    for (const option of [
      "'connector' = 'kafka'",
      "'topic' = 'big_orders'",
      "'properties.bootstrap.servers' = 'kafka:9092'",
      "'sink.delivery-guarantee' = 'exactly-once'",
      "'value.format' = 'avro-confluent'",
      "'value.avro-confluent.url' = 'http://registry:8081'",
      "'value.avro-confluent.subject' = 'big_orders-value'",
    ])
      expect(prepared.statement).toContain(option);
    expect(prepared.statement).toMatch(/\) AS SELECT id, amount FROM orders WHERE amount > 10$/);
  });

  it('refuses CREATE TABLE … AS SELECT onto an existing table', async () => {
    const { tables } = setUp();
    await expect(
      tables.execute(
        statement(
          "CREATE TABLE orders WITH ('kafka.partitions' = '1') AS SELECT * FROM orders",
          'CREATE_TABLE_AS',
        ),
      ),
    ).rejects.toMatchObject({ code: 'TABLE_EXISTS' });
  });

  it('needs nothing for a statement without tables', async () => {
    expect(await setUp().tables.execute(statement('SELECT 1', 'SELECT'))).toEqual({
      setupStatements: [],
      statement: 'SELECT 1',
    });
  });
});

describe('AnswerMetadataStatement', () => {
  it('answers catalog statements and EXPLAIN, and leaves SET and SHOW FUNCTIONS to Flink', async () => {
    const answers = async (sql: string, kind: string) =>
      AnswerMetadataStatement.answers({ analysis: await analysisOf(sql), sqlKind: kind, properties: {} });
    expect(await answers('SHOW TABLES', 'SHOW')).toBe(true);
    expect(await answers('SHOW CATALOGS', 'SHOW')).toBe(true);
    expect(await answers('DESCRIBE t', 'DESCRIBE')).toBe(true);
    expect(await answers('CREATE TABLE t (a INT)', 'CREATE_TABLE')).toBe(true);
    expect(await answers('SHOW FUNCTIONS', 'SHOW')).toBe(false);
    expect(await answers("SET 'a' = 'b'", 'SET')).toBe(false);
    expect(await answers('EXPLAIN SELECT 1', 'EXPLAIN')).toBe(true);
    expect(await answers('SELECT 1', 'SELECT')).toBe(false);
  });

  it('lists catalogs, databases and tables without internal topics', async () => {
    const { recorded, answer } = setUp();
    await answer('SHOW CATALOGS', 'SHOW');
    await answer('SHOW DATABASES', 'SHOW');
    await answer('SHOW TABLES', 'SHOW');
    await answer('SHOW CURRENT CATALOG', 'SHOW');
    expect(recorded.rows).toEqual([['default', 'env-1'], ['main', 'lkc-1'], ['orders'], ['env-1']]);
    expect(recorded.pages.every((p) => p.last)).toBe(true);
    expect(recorded.statuses.map((s) => s.phase)).toEqual([
      'COMPLETED',
      'COMPLETED',
      'COMPLETED',
      'COMPLETED',
    ]);
  });

  it('describes a table and shows its CREATE TABLE with user options only', async () => {
    const { recorded, answer } = setUp();
    await answer('DESCRIBE orders', 'DESCRIBE');
    expect(recorded.rows).toEqual([
      ['id', 'BIGINT', false, null, null, null],
      ['customer', 'STRING', false, null, null, null],
    ]);
    recorded.pages = [];
    await answer('DESCRIBE EXTENDED main.orders', 'DESCRIBE');
    expect(recorded.rows.slice(0, 6).map((r) => r[0])).toEqual([
      'id',
      'customer',
      '$rowtime',
      '$partition',
      '$offset',
      '$headers',
    ]);
    expect(recorded.rows.slice(6)).toEqual(
      [
        ['# Detailed Table Information', ''],
        ['Table', '`env-1`.`main`.`orders`'],
        ['Topic', 'orders'],
        ['Partitions', '2'],
        ['Distribution', 'DISTRIBUTED INTO 2 BUCKETS'],
        ['Changelog mode', 'append'],
        ['Primary key', 'none'],
        ['Watermark', "FOR `$rowtime` AS `$rowtime` - INTERVAL '5' SECOND"],
        ['Key format', 'raw'],
        ['Value format', 'avro-registry'],
        ['Key subject', 'none (no subject orders-key)'],
        ['Value subject', 'orders-value (version 1, schema id 41)'],
        ["Option 'kafka.cleanup-policy'", 'delete'],
        ["Option 'kafka.retention.time'", '7 d'],
      ].map(([name, value]) => [name, value, null, null, null, null]),
    );
    recorded.pages = [];
    await answer('SHOW CREATE TABLE orders', 'SHOW_CREATE_TABLE');
    const [[ddl]] = recorded.rows as [[string]];
    expect(ddl).toContain('CREATE TABLE `env-1`.`main`.`orders` (');
    expect(ddl).toContain("'kafka.retention.time' = '7 d'");
    expect(ddl).not.toContain('kafka:9092');
  });

  it('creates a table: schemas first, then the topic', async () => {
    const { topics, recorded, answer } = setUp();
    await answer(
      "CREATE TABLE totals (customer STRING, total DOUBLE, PRIMARY KEY (customer) NOT ENFORCED) WITH ('kafka.partitions' = '3')",
      'CREATE_TABLE',
    );
    expect(recorded.phase).toBe('COMPLETED');
    expect(topics.calls).toEqual([
      'registerSchema totals-key',
      'registerSchema totals-value',
      'createTopic totals 3',
    ]);
    expect(topics.topics.get('totals')?.config).toEqual({ 'cleanup.policy': 'compact' });
    expect(recorded.statuses.at(-1)?.detail).toMatch(/3 partitions \(cleanup.policy compact, upsert\)/);
  });

  it.each([
    ['CREATE TABLE orders (id BIGINT)', 'CREATE_TABLE', 'TABLE_EXISTS'],
    ['CREATE TABLE strict (id BIGINT)', 'CREATE_TABLE', 'SCHEMA_INCOMPATIBLE'],
    ["CREATE TABLE t (id BIGINT) WITH ('connector' = 'x')", 'CREATE_TABLE', 'INVALID_TABLE_OPTION'],
    ["ALTER TABLE orders SET ('scan.startup.mode' = 'timestamp')", 'ALTER_TABLE', 'INVALID_TABLE_OPTION'],
    ['ALTER TABLE orders MODIFY WATERMARK FOR id AS id', 'ALTER_TABLE', 'INVALID_WATERMARK'],
    ['ALTER TABLE orders MODIFY WATERMARK FOR id AS id + 1', 'ALTER_TABLE', 'INVALID_WATERMARK'],
    ['ALTER TABLE nothing DROP WATERMARK', 'ALTER_TABLE', 'TABLE_NOT_FOUND'],
    ["ALTER TABLE orders SET ('kafka.partitions' = '4')", 'ALTER_TABLE', 'INVALID_TABLE_OPTION'],
    ["ALTER TABLE orders SET ('kafka.retention.time' = 'soon')", 'ALTER_TABLE', 'INVALID_TABLE_OPTION'],
    ["ALTER TABLE nothing SET ('kafka.retention.time' = '1 d')", 'ALTER_TABLE', 'TABLE_NOT_FOUND'],
    ["ALTER TABLE _schemas RESET ('kafka.retention.time')", 'ALTER_TABLE', 'TABLE_NOT_FOUND'],
    ['DROP TABLE nothing', 'DROP_TABLE', 'TABLE_NOT_FOUND'],
    ['DROP TABLE _schemas', 'DROP_TABLE', 'TABLE_NOT_FOUND'],
    ['DESCRIBE nothing', 'DESCRIBE', 'TABLE_NOT_FOUND'],
    ['SHOW JOBS', 'SHOW', 'NOT_SUPPORTED'],
    ['USE main', 'USE', 'NOT_SUPPORTED'],
    ['CREATE VIEW v AS SELECT 1', 'CREATE_VIEW', 'NOT_SUPPORTED_YET'],
  ])('fails %s (%s) with %s', async (sql, kind, code) => {
    const { topics, recorded, answer } = setUp();
    topics.strict.add('strict-value');
    await answer(sql, kind);
    expect(recorded.phase).toBe('FAILED');
    expect(recorded.exceptions.map((e) => e.name)).toEqual([code]);
    expect(recorded.pages).toEqual([]);
    expect(topics.calls.filter((c) => c.startsWith('createTopic'))).toEqual([]);
  });

  it('alters a table: SET and RESET change the topic configs its options map to', async () => {
    const { topics, recorded, answer } = setUp();
    await answer(
      "ALTER TABLE main.orders SET ('kafka.retention.time' = '1 d', 'kafka.max-message-size' = '2000000')",
      'ALTER_TABLE',
    );
    expect(recorded.phase).toBe('COMPLETED');
    expect(topics.topics.get('orders')?.config).toEqual({
      'cleanup.policy': 'delete',
      'retention.ms': '86400000',
      'max.message.bytes': '2000000',
    });
    expect(recorded.statuses.at(-1)?.detail).toBe(
      'Altered table orders in database main: set retention.ms = 86400000, set max.message.bytes = 2000000.',
    );
    await answer("ALTER TABLE orders RESET ('kafka.retention.time', 'changelog.mode')", 'ALTER_TABLE');
    expect(recorded.phase).toBe('COMPLETED');
    expect(topics.topics.get('orders')?.config).toEqual({ 'max.message.bytes': '2000000' });
    await answer("ALTER TABLE IF EXISTS nothing SET ('changelog.mode' = 'upsert')", 'ALTER_TABLE');
    expect(recorded.phase).toBe('COMPLETED');
    expect(recorded.statuses.at(-1)?.detail).toMatch(/No table nothing in database main; nothing changed/);
  });

  it('stores scan options and the watermark with the table, for DESCRIBE, SHOW CREATE TABLE and statements', async () => {
    const { topics, recorded, answer, tables, settings } = setUp();
    await answer(
      "ALTER TABLE orders SET ('scan.startup.mode' = 'latest-offset', 'kafka.retention.time' = '1 d')",
      'ALTER_TABLE',
    );
    expect(recorded.phase).toBe('COMPLETED');
    expect(recorded.statuses.at(-1)?.detail).toBe(
      'Altered table orders in database main: set retention.ms = 86400000, stored scan.startup.mode = latest-offset.',
    );
    expect(topics.topics.get('orders')?.config['retention.ms']).toBe('86400000');
    await answer(
      "ALTER TABLE orders MODIFY WATERMARK FOR `$rowtime` AS `$rowtime` - INTERVAL '1' MINUTE",
      'ALTER_TABLE',
    );
    expect(recorded.statuses.at(-1)?.detail).toBe(
      "Altered table orders in database main: the watermark is now FOR `$rowtime` AS `$rowtime` - INTERVAL '1' MINUTE.",
    );
    expect(settings.get('lkc-1/orders')).toEqual({
      watermark: { column: '$rowtime', expression: "`$rowtime` - INTERVAL '1' MINUTE" },
      options: { 'scan.startup.mode': 'latest-offset' },
    });

    recorded.pages = [];
    await answer('SHOW CREATE TABLE orders', 'SHOW_CREATE_TABLE');
    const [[ddl]] = recorded.rows as [[string]];
    expect(ddl).toContain("WATERMARK FOR `$rowtime` AS `$rowtime` - INTERVAL '1' MINUTE");
    expect(ddl).toContain("'scan.startup.mode' = 'latest-offset'");

    // statements read the table from where it says, with its watermark; their own property still wins
    const { setupStatements } = await tables.execute(
      statement('SELECT id FROM orders', 'SELECT', { 'sql.tables.scan.bounded.mode': 'latest-offset' }),
    );
    const table = setupStatements.at(-1)!;
    expect(table).toContain("'scan.startup.mode' = 'latest-offset'");
    expect(table).not.toContain("'scan.startup.mode' = 'earliest-offset'");
    expect(table).toContain("'scan.bounded.mode' = 'latest-offset'");
    expect(table).toContain("WATERMARK FOR `$rowtime` AS `$rowtime` - INTERVAL '1' MINUTE");

    await answer("ALTER TABLE orders RESET ('scan.startup.mode')", 'ALTER_TABLE');
    expect(recorded.statuses.at(-1)?.detail).toMatch(/removed the stored scan.startup.mode/);
    await answer('ALTER TABLE orders DROP WATERMARK', 'ALTER_TABLE');
    expect(recorded.statuses.at(-1)?.detail).toMatch(/the default watermark applies again/);
    expect(settings.has('lkc-1/orders')).toBe(false);
  });

  it('drops a table: the topic, then both subjects, and what was stored with it', async () => {
    const { topics, recorded, answer, settings } = setUp();
    settings.set('lkc-1/orders', { options: { 'scan.startup.mode': 'latest-offset' } });
    await answer('DROP TABLE IF EXISTS orders', 'DROP_TABLE');
    expect(settings.has('lkc-1/orders')).toBe(false);
    expect(recorded.phase).toBe('COMPLETED');
    expect(topics.calls).toEqual([
      'deleteTopic orders',
      'deleteSubject orders-key',
      'deleteSubject orders-value',
    ]);
    expect(topics.topics.has('orders')).toBe(false);
  });

  it('rethrows an unreachable Kafka so the reconcile queue retries', async () => {
    const { topics, recorded, answer } = setUp();
    topics.fail = new RiffleError('KAFKA_UNAVAILABLE', 'unavailable', 'down');
    await expect(answer('SHOW TABLES', 'SHOW')).rejects.toMatchObject({ code: 'KAFKA_UNAVAILABLE' });
    expect(recorded.statuses).toEqual([]);
  });
});
