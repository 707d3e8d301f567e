import { RiffleError } from '../riffle-error';
import { parseCreateTable } from '../../../../test/fixtures/flink-sql-readings';
import {
  durationMs,
  formatDuration,
  isInternalTopic,
  planCreateTable,
  tableOptionsOfTopic,
} from './plan-create-table';
import { topicTable } from './topic-table';

const plan = async (sql: string) => planCreateTable(await parseCreateTable(sql));

async function rejectionOf(sql: string): Promise<RiffleError> {
  try {
    await plan(sql);
  } catch (error) {
    if (error instanceof RiffleError) return error;
    throw error;
  }
  throw new Error(`expected ${sql} to be rejected`);
}

describe('planCreateTable', () => {
  it('plans an append table: 6 partitions, delete policy, a value schema and no key schema', async () => {
    const planned = await plan('CREATE TABLE orders (id BIGINT NOT NULL, note STRING)');
    expect(planned).toMatchObject({
      topic: 'orders',
      partitions: 6,
      topicConfig: { 'cleanup.policy': 'delete' },
      changelogMode: 'append',
      keyColumns: [],
    });
    expect(planned.keySchema).toBeUndefined();
    expect(JSON.parse(planned.valueSchema)).toEqual({
      type: 'record',
      name: 'orders_value',
      fields: [
        { name: 'id', type: 'long' },
        { name: 'note', type: ['null', 'string'], default: null },
      ],
    });
  });

  it('plans an upsert table from a PRIMARY KEY: compacted, key schema of the (NOT NULL) key columns', async () => {
    const planned = await plan(
      "CREATE TABLE totals (customer STRING, total DOUBLE, PRIMARY KEY (customer) NOT ENFORCED) DISTRIBUTED INTO 2 BUCKETS WITH ('kafka.retention.time' = '12 h')",
    );
    expect(planned).toMatchObject({
      partitions: 2,
      changelogMode: 'upsert',
      keyColumns: ['customer'],
      topicConfig: { 'cleanup.policy': 'compact', 'retention.ms': String(12 * 3_600_000) },
    });
    expect(JSON.parse(planned.keySchema!)).toEqual({
      type: 'record',
      name: 'totals_key',
      fields: [{ name: 'customer', type: 'string' }],
    });
    expect(JSON.parse(planned.valueSchema).fields[0]).toEqual({ name: 'customer', type: 'string' });
  });

  it('reads its own topic back as the table it declared (value carries the key)', async () => {
    const planned = await plan(
      "CREATE TABLE totals (customer STRING, total DOUBLE, PRIMARY KEY (customer) NOT ENFORCED) WITH ('kafka.partitions' = '3')",
    );
    const def = topicTable({
      topic: planned.topic,
      compacted: true,
      partitions: planned.partitions,
      keySchema: { format: 'AVRO', schema: planned.keySchema! },
      valueSchema: { format: 'AVRO', schema: planned.valueSchema },
    });
    expect(def.columns.filter((c) => !c.hidden).map((c) => [c.name, c.type, c.nullable])).toEqual([
      ['customer', 'STRING', false],
      ['total', 'DOUBLE', true],
    ]);
    expect(def).toMatchObject({ primaryKey: ['customer'], changelogMode: 'upsert', partitions: 3 });
  });

  it('keys an append table by DISTRIBUTED BY / PARTITIONED BY columns', async () => {
    const planned = await plan(
      "CREATE TABLE t (id BIGINT, region STRING) PARTITIONED BY (region) WITH ('kafka.partitions' = '3')",
    );
    expect(planned).toMatchObject({ changelogMode: 'append', partitions: 3, keyColumns: ['region'] });
    expect(JSON.parse(planned.keySchema!).fields).toEqual([
      { name: 'region', type: ['null', 'string'], default: null },
    ]);
  });

  it('maps the Kafka options users may write to topic configs', async () => {
    expect(
      (
        await plan(
          "CREATE TABLE t (k STRING, PRIMARY KEY (k) NOT ENFORCED) WITH ('kafka.cleanup-policy' = 'delete-compact', 'kafka.retention.time' = '0', 'kafka.retention.size' = '1048576', 'kafka.max-message-size' = '2097152', 'changelog.mode' = 'upsert', 'key.format' = 'avro-registry', 'value.format' = 'avro-registry')",
        )
      ).topicConfig,
    ).toEqual({
      'cleanup.policy': 'compact,delete',
      'retention.ms': '-1',
      'retention.bytes': '1048576',
      'max.message.bytes': '2097152',
    });
    expect(
      await plan(
        "CREATE TABLE t (k STRING, PRIMARY KEY (k) NOT ENFORCED) WITH ('kafka.cleanup-policy' = 'delete')",
      ),
    ).toMatchObject({
      changelogMode: 'append',
      topicConfig: { 'cleanup.policy': 'delete' },
      keyColumns: ['k'],
    });
  });

  it('stores scan options with the table, and nothing else of them reaches the topic', async () => {
    const plan = planCreateTable(
      await parseCreateTable(
        "CREATE TABLE t (id INT) WITH ('scan.startup.mode' = 'timestamp', 'scan.startup.timestamp-millis' = '1735689600000')",
      ),
    );
    expect(plan.tableOptions).toEqual({
      'scan.startup.mode': 'timestamp',
      'scan.startup.timestamp-millis': '1735689600000',
    });
    expect(plan.topicConfig).toEqual({ 'cleanup.policy': 'delete' });
  });

  it.each([
    ["CREATE TABLE t (id INT) WITH ('connector' = 'filesystem')", 'INVALID_TABLE_OPTION', /'connector'/],
    ["CREATE TABLE t (id INT) WITH ('properties.sasl.jaas.config' = 'x')", 'INVALID_TABLE_OPTION', /Riffle/],
    ["CREATE TABLE t (id INT) WITH ('sink.parallelism' = '2')", 'NOT_SUPPORTED_YET', /OPTIONS/],
    [
      "CREATE TABLE t (id INT) WITH ('scan.startup.mode' = 'timestamp')",
      'INVALID_TABLE_OPTION',
      /timestamp-millis/,
    ],
    ["CREATE TABLE t (id INT) WITH ('value.format' = 'json')", 'INVALID_TABLE_OPTION', /avro-registry/],
    ["CREATE TABLE t (id INT) WITH ('changelog.mode' = 'upsert')", 'INVALID_TABLE_OPTION', /PRIMARY KEY/],
    ["CREATE TABLE t (id INT) WITH ('changelog.mode' = 'retract')", 'INVALID_TABLE_OPTION', /append/],
    ["CREATE TABLE t (id INT) WITH ('kafka.cleanup-policy' = 'compact')", 'INVALID_TABLE_OPTION', /keys/],
    [
      "CREATE TABLE t (k INT, PRIMARY KEY (k) NOT ENFORCED) WITH ('changelog.mode' = 'upsert', 'kafka.cleanup-policy' = 'delete')",
      'INVALID_TABLE_OPTION',
      /compacted/,
    ],
    ["CREATE TABLE t (id INT) WITH ('kafka.retention.time' = 'a week')", 'INVALID_TABLE_OPTION', /duration/],
    ["CREATE TABLE t (id INT) WITH ('kafka.retention.size' = '1 GB')", 'INVALID_TABLE_OPTION', /bytes/],
    ["CREATE TABLE t (id INT) WITH ('kafka.partitions' = 'six')", 'INVALID_TABLE_OPTION', /whole number/],
    [
      "CREATE TABLE t (id INT) DISTRIBUTED INTO 2 BUCKETS WITH ('kafka.partitions' = '3')",
      'INVALID_TABLE_OPTION',
      /2 BUCKETS/,
    ],
    ['CREATE TABLE t (id INT) DISTRIBUTED INTO 0 BUCKETS', 'INVALID_PARTITIONS', /1 to 1000/],
    ['CREATE TABLE `a b` (id INT)', 'INVALID_TABLE_NAME', /topic name/],
    ['CREATE TABLE `_schemas` (id INT)', 'INVALID_TABLE_NAME', /reserved/],
    ['CREATE TABLE `riffle.usage` (id INT)', 'INVALID_TABLE_NAME', /reserved/],
    ['CREATE TABLE t (d MULTISET<INT>)', 'UNSUPPORTED_COLUMN_TYPE', /`d`/],
    ['CREATE TABLE t (`my-col` INT)', 'UNSUPPORTED_COLUMN_NAME', /my-col/],
  ])('rejects %s', async (sql, code, message) => {
    const error = await rejectionOf(sql);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
  });
});

describe('table options of a topic', () => {
  it('shows topic configs as the options a user writes', async () => {
    expect(
      tableOptionsOfTopic({
        'cleanup.policy': 'compact,delete',
        'retention.ms': '604800000',
        'retention.bytes': '-1',
        'max.message.bytes': '1048588',
      }),
    ).toEqual({
      'kafka.cleanup-policy': 'delete-compact',
      'kafka.retention.time': '7 d',
      'kafka.retention.size': '0',
      'kafka.max-message-size': '1048588',
    });
    expect(tableOptionsOfTopic({ 'cleanup.policy': 'compact', 'retention.ms': '-1' })).toEqual({
      'kafka.cleanup-policy': 'compact',
      'kafka.retention.time': '0',
    });
  });

  it.each([
    ['7 d', 604_800_000],
    ['7d', 604_800_000],
    ['12 h', 43_200_000],
    ['30 min', 1_800_000],
    ['10 s', 10_000],
    ['1500 ms', 1_500],
    ['1500', 1_500],
    ['0', -1],
    ['-1', -1],
  ])('reads the duration %s', (text, ms) => expect(durationMs('k', text)).toBe(ms));

  it.each([
    [604_800_000, '7 d'],
    [43_200_000, '12 h'],
    [90_000, '90 s'],
    [1_500, '1500 ms'],
    [-1, '0'],
  ])('formats %d ms as %s', (ms, text) => expect(formatDuration(ms)).toBe(text));

  it('knows internal topics', async () => {
    expect(['__consumer_offsets', '_schemas', 'riffle.usage', 'orders'].map(isInternalTopic)).toEqual([
      true,
      true,
      true,
      false,
    ]);
  });
});
