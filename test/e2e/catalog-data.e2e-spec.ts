import { ConfigResourceTypes } from 'kafkajs';
import { eventually, uniqueSuffix } from '@riffle/testing';
import { CatalogSession, orders } from './support/catalog-session';

/** An Avro value schema with every shape the catalog maps: decimal, timestamp, record, array, map, null. */
const RICH_SCHEMA = {
  type: 'record',
  name: 'Shipment',
  namespace: 'dev.riffle.test',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'price', type: { type: 'bytes', logicalType: 'decimal', precision: 10, scale: 2 } },
    { name: 'shipped_at', type: { type: 'long', logicalType: 'timestamp-millis' } },
    {
      name: 'address',
      type: {
        type: 'record',
        name: 'Address',
        fields: [
          { name: 'city', type: 'string' },
          { name: 'zip', type: 'int' },
        ],
      },
    },
    { name: 'tags', type: { type: 'array', items: 'string' } },
    { name: 'attributes', type: { type: 'map', values: 'long' } },
    { name: 'note', type: ['null', 'string'], default: null },
  ],
};

/** unscaled two's-complement big-endian bytes, as Avro's decimal logical type stores them */
const decimalBytes = (unscaled: number) => {
  let hex = unscaled.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  if (parseInt(hex[0]!, 16) >= 8) hex = `00${hex}`;
  return Buffer.from(hex, 'hex');
};

/**
 * Topics as tables, the data side (DESIGN §4): an Avro topic read by SELECT with typed columns and
 * `$rowtime`, and tables made by CREATE TABLE (topic + registry schemas) that a Flink INSERT writes and a
 * plain Kafka consumer reads back; against the real Kafka, registry, Flink, Postgres and Redis.
 */
describe('catalog data', () => {
  const s = new CatalogSession();
  const suffix = uniqueSuffix();

  beforeAll(() => s.start());
  afterAll(() => s.close());

  it('reads an Avro topic of decimals, timestamps, records, arrays, maps and nulls as typed columns with $rowtime', async () => {
    const topic = `shipments_${suffix}`;
    s.created.push(topic);
    const schemaId = await s.topics.create(topic, 1, RICH_SCHEMA);
    const producer = s.topics.kafka.producer();
    await producer.connect();
    const shipments = [
      {
        id: 1,
        price: decimalBytes(123456),
        shipped_at: 1_700_000_000_123,
        address: { city: 'Lyon', zip: 69001 },
        tags: ['fragile', 'express'],
        attributes: { weight: 12 },
        note: 'ring twice',
      },
      {
        id: 2,
        price: decimalBytes(5),
        shipped_at: 1_700_000_060_000,
        address: { city: 'Oslo', zip: 150 },
        tags: [],
        attributes: {},
        note: null,
      },
    ];
    await producer.send({
      topic,
      messages: await Promise.all(
        shipments.map(async (shipment, i) => ({
          value: await s.topics.registry.encode(schemaId, shipment),
          timestamp: String(1_750_000_000_000 + i * 1_000),
        })),
      ),
    });
    await producer.disconnect();

    await s.run(`describe-rich-${suffix}`, `DESCRIBE ${topic}`, ['COMPLETED']);
    expect((await s.rowsOf(`describe-rich-${suffix}`)).map((r) => [r[0], r[1], r[2]])).toEqual([
      ['id', 'BIGINT', false],
      ['price', 'DECIMAL(10, 2)', false],
      ['shipped_at', 'TIMESTAMP_LTZ(3)', false],
      ['address', 'ROW<`city` STRING NOT NULL, `zip` INT NOT NULL>', false],
      ['tags', 'ARRAY<STRING NOT NULL>', false],
      ['attributes', 'MAP<STRING NOT NULL, BIGINT NOT NULL>', false],
      ['note', 'STRING', true],
    ]);

    const name = `select-rich-${suffix}`;
    const selected = await s.run(
      name,
      `SELECT id, price, shipped_at, address, tags, attributes, note, \`$rowtime\` FROM ${topic}`,
      ['COMPLETED'],
      { 'sql.tables.scan.bounded.mode': 'latest-offset' },
      150_000,
    );
    const rows = (await s.rowsOf(name)).sort((x, y) => Number(x[0]) - Number(y[0]));
    // the executed table reads Avro timestamp-millis as TIMESTAMP(3) (see avro-to-flink); $rowtime is the record time
    expect(rows).toEqual([
      [
        1,
        1234.56,
        '2023-11-14T22:13:20.123',
        { city: 'Lyon', zip: 69001 },
        ['fragile', 'express'],
        { weight: 12 },
        'ring twice',
        '2025-06-15T15:06:40Z',
      ],
      [2, 0.05, '2023-11-14T22:14:20', { city: 'Oslo', zip: 150 }, [], {}, null, '2025-06-15T15:06:41Z'],
    ]);
    expect(selected.status.phase).toBe('COMPLETED');

    // SELECT * leaves out $rowtime and the metadata columns
    const all = `select-all-${suffix}`;
    await s.run(
      all,
      `SELECT * FROM ${topic}`,
      ['COMPLETED'],
      { 'sql.tables.scan.bounded.mode': 'latest-offset' },
      150_000,
    );
    expect((await s.rowsOf(all)).map((row) => row.length)).toEqual([7, 7]);
  });

  it('creates tables as topics with schemas that Flink writes and a plain Kafka consumer reads back', async () => {
    const source = `orders_src_${suffix}`;
    const keyed = `orders_keyed_${suffix}`;
    const totals = `customer_totals_${suffix}`;
    s.created.push(source, keyed, totals);
    const schemaId = await s.topics.create(source, 2);
    await s.topics.produce(source, schemaId, orders(1, 10));

    // the grammar Riffle parses with (dt-sql-parser 4.5) has no DISTRIBUTED BY yet: PARTITIONED BY and
    // 'kafka.partitions' say the same (key columns, bucket count)
    await s.run(
      `create-keyed-${suffix}`,
      `CREATE TABLE ${keyed} (id BIGINT NOT NULL, customer STRING NOT NULL, amount DOUBLE)
       PARTITIONED BY (customer) WITH ('kafka.partitions' = '3', 'kafka.retention.time' = '7 d')`,
      ['COMPLETED'],
    );
    const upsert = await s.run(
      `create-totals-${suffix}`,
      `CREATE TABLE main.${totals} (customer STRING NOT NULL, total DOUBLE, PRIMARY KEY (customer) NOT ENFORCED)
       WITH ('kafka.partitions' = '2')`,
      ['COMPLETED'],
    );
    expect(upsert.status.detail).toMatch(/2 partitions \(cleanup.policy compact, upsert\)/);
    await s.expectNoJob(upsert.metadata.uid);

    const kafkaAdmin = s.topics.kafka.admin();
    await kafkaAdmin.connect();
    const metadata = await kafkaAdmin.fetchTopicMetadata({ topics: [keyed, totals] });
    const configs = await kafkaAdmin.describeConfigs({
      includeSynonyms: false,
      resources: [keyed, totals].map((name) => ({
        type: ConfigResourceTypes.TOPIC,
        name,
        configNames: ['cleanup.policy', 'retention.ms'],
      })),
    });
    await kafkaAdmin.disconnect();
    const partitions = Object.fromEntries(metadata.topics.map((t) => [t.name, t.partitions.length]));
    expect(partitions).toEqual({ [keyed]: 3, [totals]: 2 });
    const config = (name: string) =>
      Object.fromEntries(
        configs.resources
          .find((r) => r.resourceName === name)!
          .configEntries.map((e) => [e.configName, e.configValue]),
      );
    expect(config(keyed)).toMatchObject({ 'cleanup.policy': 'delete', 'retention.ms': '604800000' });
    expect(config(totals)).toMatchObject({ 'cleanup.policy': 'compact' });
    expect(JSON.parse((await s.subject(`${keyed}-key`))!.schema)).toMatchObject({
      type: 'record',
      fields: [{ name: 'customer', type: 'string' }],
    });
    expect(
      JSON.parse((await s.subject(`${keyed}-value`))!.schema).fields.map((f: { name: string }) => f.name),
    ).toEqual(['id', 'customer', 'amount']);
    expect(await s.subject(`${totals}-key`)).toBeDefined();

    await s.run(`show-totals-${suffix}`, `SHOW CREATE TABLE ${totals}`, ['COMPLETED']);
    const [[ddl]] = (await s.rowsOf(`show-totals-${suffix}`)) as [[string]];
    expect(ddl).toContain('PRIMARY KEY (`customer`) NOT ENFORCED');
    expect(ddl).toContain('DISTRIBUTED BY HASH(`customer`) INTO 2 BUCKETS');
    expect(ddl).toContain("'changelog.mode' = 'upsert'");

    // one job writes both tables: exactly-once Kafka transactions, keys and values in registry Avro
    const name = `fill-${suffix}`;
    const filling = await s.run(
      name,
      `EXECUTE STATEMENT SET BEGIN
         INSERT INTO ${keyed} SELECT id, customer, amount FROM ${source};
         INSERT INTO ${totals} SELECT customer, SUM(amount) FROM ${source} GROUP BY customer;
       END`,
      ['RUNNING'],
      {},
      150_000,
    );
    try {
      const written = await s.readKeyed(keyed, 10);
      expect(written.map((r) => Number(r.value.id)).sort((a, b) => a - b)).toEqual(
        orders(1, 10).map((o) => o.id),
      );
      for (const record of written) expect(record.key).toEqual({ customer: record.value.customer });
      const latest = new Map<string, number>();
      await eventually(
        'the final totals per customer',
        async () => {
          for (const r of await s.readKeyed(totals, 5, 5_000))
            latest.set(String(r.key.customer), Number(r.value.total));
          return latest.size === 5 && latest.get('c0') === 16 ? true : undefined;
        },
        { timeoutMs: 90_000, intervalMs: 1_000 },
      );
      expect(Object.fromEntries(latest)).toEqual({ c0: 16, c1: 8, c2: 10, c3: 12, c4: 14 });
    } finally {
      await s.deleteStatement(name);
    }
    expect(
      (await s.jobManager.findJobsByName(filling.metadata.uid)).filter((j) => j.state === 'RUNNING'),
    ).toEqual([]);

    await s.run(`drop-keyed-${suffix}`, `DROP TABLE ${keyed}`, ['COMPLETED']);
    await s.run(`drop-totals-${suffix}`, `DROP TABLE IF EXISTS ${totals}`, ['COMPLETED']);
    const remaining = s.topics.kafka.admin();
    await remaining.connect();
    const left = await remaining.listTopics();
    await remaining.disconnect();
    expect(left.filter((t) => t === keyed || t === totals)).toEqual([]);
    for (const gone of [`${keyed}-key`, `${keyed}-value`, `${totals}-key`, `${totals}-value`])
      expect(await s.subject(gone)).toBeUndefined();
  });
});
