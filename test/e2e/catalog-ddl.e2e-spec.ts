import { uniqueSuffix } from '@riffle/testing';
import { type Admin, ConfigResourceTypes } from 'kafkajs';
import { CatalogSession, orders } from './support/catalog-session';

/**
 * The DDL the grammar did not know (DESIGN §4): DESCRIBE EXTENDED, CREATE TABLE … DISTRIBUTED BY … INTO n
 * BUCKETS, ALTER TABLE … SET/RESET and MODIFY/DROP WATERMARK, checked in Kafka and the registry
 * themselves, against the real stack.
 */
describe('catalog DDL', () => {
  const s = new CatalogSession();
  const suffix = uniqueSuffix();
  let admin: Admin;

  beforeAll(async () => {
    await s.start();
    admin = s.topics.kafka.admin();
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.disconnect();
    await s.close();
  });

  /** the configs set on the topic itself (not broker defaults) */
  async function topicConfigs(topic: string): Promise<Record<string, string>> {
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }],
    });
    return Object.fromEntries(
      (resources[0]?.configEntries ?? [])
        .filter((e) => (e as { configSource?: number }).configSource === 1)
        .map((e) => [e.configName, e.configValue]),
    );
  }

  it('creates a table DISTRIBUTED BY its key INTO n BUCKETS and describes it EXTENDED', async () => {
    const table = `ddl_dist_${suffix}`;
    s.created.push(table);
    const created = await s.run(
      `create-dist-${suffix}`,
      `CREATE TABLE ${table} (id BIGINT, customer STRING, amount DOUBLE) DISTRIBUTED BY HASH(id) INTO 3 BUCKETS WITH ('kafka.retention.time' = '2 d')`,
      ['COMPLETED'],
    );
    expect(created.status.detail).toMatch(/a topic with 3 partitions/);
    const metadata = await admin.fetchTopicMetadata({ topics: [table] });
    expect(metadata.topics[0]?.partitions).toHaveLength(3);
    expect(await topicConfigs(table)).toMatchObject({ 'retention.ms': String(2 * 86_400_000) });
    const key = await s.subject(`${table}-key`);
    expect(JSON.parse(key!.schema).fields.map((f: { name: string }) => f.name)).toEqual(['id']);
    const value = await s.subject(`${table}-value`);

    await s.run(`describe-ext-${suffix}`, `DESC EXTENDED main.\`${table}\``, ['COMPLETED']);
    const rows = await s.rowsOf(`describe-ext-${suffix}`);
    expect(rows.map((r) => r[0])).toEqual(
      expect.arrayContaining(['id', 'customer', 'amount', '$rowtime', '# Detailed Table Information']),
    );
    const details = Object.fromEntries(
      rows.slice(rows.findIndex((r) => r[0] === '# Detailed Table Information')).map((r) => [r[0], r[1]]),
    );
    expect(details).toMatchObject({
      Topic: table,
      Partitions: '3',
      Distribution: 'DISTRIBUTED BY HASH(`id`) INTO 3 BUCKETS',
      'Changelog mode': 'append',
      'Key subject': `${table}-key (version 1, schema id ${key!.id})`,
      'Value subject': `${table}-value (version 1, schema id ${value!.id})`,
      "Option 'kafka.retention.time'": '2 d',
    });
  });

  it('ALTER TABLE SET and RESET change the topic configs in Kafka; bad options and unknown tables fail', async () => {
    const table = `ddl_alter_${suffix}`;
    s.created.push(table);
    await s.topics.create(table, 1);

    const set = await s.run(
      `alter-set-${suffix}`,
      `ALTER TABLE ${table} SET ('kafka.retention.time' = '1 d', 'kafka.max-message-size' = '2000000')`,
      ['COMPLETED'],
    );
    expect(set.status.detail).toMatch(/set retention.ms = 86400000/);
    expect(await topicConfigs(table)).toEqual({ 'retention.ms': '86400000', 'max.message.bytes': '2000000' });

    await s.run(`alter-reset-${suffix}`, `ALTER TABLE main.${table} RESET ('kafka.retention.time')`, [
      'COMPLETED',
    ]);
    expect(await topicConfigs(table)).toEqual({ 'max.message.bytes': '2000000' });

    await s.run(`alter-upsert-${suffix}`, `ALTER TABLE ${table} SET ('changelog.mode' = 'upsert')`, [
      'COMPLETED',
    ]);
    expect(await topicConfigs(table)).toMatchObject({ 'cleanup.policy': 'compact' });

    const partitions = await s.run(
      `alter-partitions-${suffix}`,
      `ALTER TABLE ${table} SET ('kafka.partitions' = '4')`,
      ['FAILED'],
    );
    expect((await s.latestException(`alter-partitions-${suffix}`)).name).toBe('INVALID_TABLE_OPTION');
    expect(partitions.status.detail).toMatch(/kafka.partitions/);
    const missing = await s.run(
      `alter-missing-${suffix}`,
      `ALTER TABLE nothing_${suffix} SET ('kafka.retention.time' = '1 d')`,
      ['FAILED'],
    );
    expect(missing.status.detail).toMatch(/No table nothing_/);
    await s.run(
      `alter-if-exists-${suffix}`,
      `ALTER TABLE IF EXISTS nothing_${suffix} RESET ('kafka.retention.time')`,
      ['COMPLETED'],
    );

    // the policy judges the keys RESET names like those SET names
    const refused = await s
      .as()
      .post(s.tenant.statementsPath)
      .send({
        name: `alter-refused-${suffix}`,
        spec: { statement: `ALTER TABLE ${table} RESET ('connector')` },
      });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('OPTION_NOT_ALLOWED');
  });

  it('ALTER TABLE stores scan options and the watermark: DESCRIBE shows them, Flink reads the table by them', async () => {
    const table = `ddl_settings_${suffix}`;
    s.created.push(table);
    const schemaId = await s.topics.create(table, 1);
    await s.topics.produce(table, schemaId, orders(1, 5));
    const bounded = { 'sql.tables.scan.bounded.mode': 'latest-offset' };

    const set = await s.run(
      `settings-set-${suffix}`,
      `ALTER TABLE ${table} SET ('scan.startup.mode' = 'latest-offset')`,
      ['COMPLETED'],
    );
    expect(set.status.detail).toMatch(/stored scan.startup.mode = latest-offset/);
    await s.run(
      `settings-watermark-${suffix}`,
      `ALTER TABLE ${table} MODIFY WATERMARK FOR \`$rowtime\` AS \`$rowtime\` - INTERVAL '1' MINUTE`,
      ['COMPLETED'],
    );
    await s.run(`settings-describe-${suffix}`, `DESCRIBE EXTENDED ${table}`, ['COMPLETED']);
    const described = await s.rowsOf(`settings-describe-${suffix}`);
    expect(described.find((r) => r[0] === '$rowtime')?.[5]).toBe("`$rowtime` - INTERVAL '1' MINUTE");

    // from the latest offset to the latest offset: the five records are behind the start
    await s.run(`settings-latest-${suffix}`, `SELECT id FROM ${table}`, ['COMPLETED'], bounded, 120_000);
    expect(await s.rowsOf(`settings-latest-${suffix}`)).toEqual([]);
    // RESET: from the earliest offset again, with the stored watermark still in the table's DDL
    await s.run(`settings-reset-${suffix}`, `ALTER TABLE ${table} RESET ('scan.startup.mode')`, [
      'COMPLETED',
    ]);
    await s.run(`settings-all-${suffix}`, `SELECT id FROM ${table}`, ['COMPLETED'], bounded, 120_000);
    const ids = (await s.rowsOf(`settings-all-${suffix}`)).map((r) => Number(r[0]));
    expect(ids.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5]);

    const refused = await s.run(
      `settings-bad-watermark-${suffix}`,
      `ALTER TABLE ${table} MODIFY WATERMARK FOR id AS id`,
      ['FAILED'],
    );
    expect((await s.latestException(`settings-bad-watermark-${suffix}`)).name).toBe('INVALID_WATERMARK');
    expect(refused.status.detail).toMatch(/TIMESTAMP\(3\) or TIMESTAMP_LTZ\(3\)/);
    await s.run(`settings-drop-watermark-${suffix}`, `ALTER TABLE ${table} DROP WATERMARK`, ['COMPLETED']);
  });

  it('CREATE TABLE … AS SELECT creates the topic, runs the query into it and registers its value schema', async () => {
    const source = `ctas_in_${suffix}`;
    const table = `ctas_out_${suffix}`;
    s.created.push(source, table);
    const schemaId = await s.topics.create(source, 1);
    await s.topics.produce(source, schemaId, orders(1, 20));
    const done = await s.run(
      `ctas-${suffix}`,
      `CREATE TABLE ${table} WITH ('kafka.partitions' = '2', 'kafka.retention.time' = '1 d') AS SELECT id, customer, amount * 2 AS doubled FROM ${source} WHERE id <= 10`,
      ['COMPLETED'],
      { 'sql.tables.scan.bounded.mode': 'latest-offset' },
      180_000,
    );
    expect(done.status.phase).toBe('COMPLETED');
    const metadata = await admin.fetchTopicMetadata({ topics: [table] });
    expect(metadata.topics[0]?.partitions).toHaveLength(2);
    expect(await topicConfigs(table)).toMatchObject({ 'retention.ms': String(86_400_000) });
    const value = await s.subject(`${table}-value`);
    expect(JSON.parse(value!.schema).fields.map((f: { name: string }) => f.name)).toEqual([
      'id',
      'customer',
      'doubled',
    ]);
    // a plain consumer decoding through the registry reads what Flink wrote
    const rows = await s.topics.readAll<{ id: number; customer: string; doubled: number }>(table, 10, 60_000);
    expect(rows.map((r) => r.id).sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    expect(rows.find((r) => r.id === 3)).toMatchObject({ customer: 'c3', doubled: 7 });
    // and the catalog infers the new table from that subject
    await s.run(`ctas-describe-${suffix}`, `DESCRIBE main.\`${table}\``, ['COMPLETED']);
    expect((await s.rowsOf(`ctas-describe-${suffix}`)).map((r) => r[0])).toEqual(
      expect.arrayContaining(['id', 'customer', 'doubled']),
    );
    // a second CTAS onto it fails with a clear reason, without a job
    const again = await s.run(
      `ctas-again-${suffix}`,
      `CREATE TABLE ${table} WITH ('kafka.partitions' = '1') AS SELECT id FROM ${source}`,
      ['FAILED'],
    );
    expect(again.status.detail).toMatch(/already exists/);
  }, 300_000);
});
