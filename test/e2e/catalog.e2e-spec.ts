import { createTopicsWithLeaders } from '@riffle/kafka';
import { SchemaType } from '@kafkajs/confluent-schema-registry';
import { eventually, uniqueSuffix } from '@riffle/testing';
import { CatalogSession } from './support/catalog-session';

/**
 * Topics as tables, the metadata side (DESIGN §3, §4): SHOW, DESCRIBE and SHOW CREATE TABLE answered by
 * Riffle without a Flink job, DDL refusals with their reasons, and the REST table reads (organization
 * scoped, live from Kafka and the registry), against the real Kafka, registry, Flink, Postgres and Redis.
 * catalog-data.e2e-spec.ts has the data side (typed reads, CREATE TABLE + INSERT).
 */
describe('catalog', () => {
  const s = new CatalogSession();
  const suffix = uniqueSuffix();

  beforeAll(() => s.start());
  afterAll(() => s.close());

  it('answers SHOW CATALOGS, SHOW DATABASES, SHOW TABLES, DESCRIBE and SHOW CREATE TABLE without a Flink job', async () => {
    const topic = `meta_${suffix}`;
    s.created.push(topic, `__internal_${suffix}`, `riffle.own_${suffix}`);
    await s.topics.create(topic, 2);
    const kafkaAdmin = s.topics.kafka.admin();
    await kafkaAdmin.connect();
    await createTopicsWithLeaders(kafkaAdmin, [
      { topic: `__internal_${suffix}` },
      { topic: `riffle.own_${suffix}` },
    ]);
    await kafkaAdmin.disconnect();

    const catalogs = await s.run(`show-catalogs-${suffix}`, 'SHOW CATALOGS', ['COMPLETED']);
    expect(await s.rowsOf(`show-catalogs-${suffix}`)).toEqual([['default', s.tenant.environmentId]]);
    await s.expectNoJob(catalogs.metadata.uid);

    await s.run(`show-databases-${suffix}`, 'SHOW DATABASES', ['COMPLETED']);
    expect(await s.rowsOf(`show-databases-${suffix}`)).toEqual([['main', s.clusterId]]);

    const tables = await s.run(`show-tables-${suffix}`, 'SHOW TABLES', ['COMPLETED']);
    const names = (await s.rowsOf(`show-tables-${suffix}`)).map((r) => r[0]);
    expect(names).toContain(topic);
    expect(names.filter((n) => String(n).startsWith('_') || String(n).startsWith('riffle.'))).toEqual([]);
    await s.expectNoJob(tables.metadata.uid);

    await s.run(`show-like-${suffix}`, `SHOW TABLES FROM main LIKE 'meta_${suffix.slice(0, 4)}%'`, [
      'COMPLETED',
    ]);
    expect(await s.rowsOf(`show-like-${suffix}`)).toEqual([[topic]]);

    const describe = await s.run(`describe-${suffix}`, `DESCRIBE ${topic}`, ['COMPLETED']);
    expect(await s.rowsOf(`describe-${suffix}`)).toEqual([
      ['id', 'BIGINT', false, null, null, null],
      ['customer', 'STRING', false, null, null, null],
      ['amount', 'DOUBLE', false, null, null, null],
    ]);
    await s.expectNoJob(describe.metadata.uid);

    const show = await s.run(
      `show-create-${suffix}`,
      `SHOW CREATE TABLE \`${s.tenant.environmentId}\`.main.${topic}`,
      ['COMPLETED'],
    );
    const [[ddl]] = (await s.rowsOf(`show-create-${suffix}`)) as [[string]];
    expect(ddl).toContain(`CREATE TABLE \`${s.tenant.environmentId}\`.\`main\`.\`${topic}\` (`);
    expect(ddl).toContain("`$rowtime` TIMESTAMP_LTZ(3) NOT NULL METADATA FROM 'timestamp' VIRTUAL");
    expect(ddl).toContain('DISTRIBUTED INTO 2 BUCKETS');
    expect(ddl).toContain("'changelog.mode' = 'append'");
    expect(ddl).not.toMatch(/bootstrap|connector|127\.0\.0\.1/);
    await s.expectNoJob(show.metadata.uid);

    const missing = await s.run(`describe-missing-${suffix}`, `DESCRIBE nope_${suffix}`, ['FAILED']);
    expect(missing.status.detail).toMatch(/No table nope_/);
    expect((await s.latestException(`describe-missing-${suffix}`)).name).toBe('TABLE_NOT_FOUND');
  });

  it('fails CREATE TABLE for an existing table, a bad option and an incompatible schema, with the reason', async () => {
    const existing = `existing_${suffix}`;
    const incompatible = `incompatible_${suffix}`;
    s.created.push(existing, incompatible);
    await s.topics.create(existing, 1);

    const exists = await s.run(
      `create-existing-${suffix}`,
      `CREATE TABLE ${existing} (id BIGINT) WITH ('kafka.partitions' = '1')`,
      ['FAILED'],
    );
    expect(exists.status.detail).toMatch(/already exists/);
    expect((await s.latestException(`create-existing-${suffix}`)).name).toBe('TABLE_EXISTS');
    await s.run(
      `create-if-${suffix}`,
      `CREATE TABLE IF NOT EXISTS ${existing} (id BIGINT) WITH ('kafka.partitions' = '1')`,
      ['COMPLETED'],
    );

    // options Riffle sets itself are refused by the SQL policy when the statement is submitted
    const option = await s
      .as()
      .post(s.tenant.statementsPath)
      .send({
        name: `create-option-${suffix}`,
        spec: { statement: `CREATE TABLE bad_${suffix} (id BIGINT) WITH ('connector' = 'filesystem')` },
      });
    expect(option.status).toBe(403);
    expect(option.body.code).toBe('OPTION_NOT_ALLOWED');
    expect(option.body.detail).toMatch(/'connector'/);
    const startup = await s.run(
      `create-startup-${suffix}`,
      `CREATE TABLE bad_${suffix} (id BIGINT) WITH ('scan.bounded.mode' = 'timestamp')`,
      ['FAILED'],
    );
    expect((await s.latestException(`create-startup-${suffix}`)).name).toBe('INVALID_TABLE_OPTION');
    expect(startup.status.detail).toMatch(/'scan.bounded.timestamp-millis' must be set too/);

    // the subject already holds a BACKWARD-checked schema whose id is a long
    await s.topics.registry.register(
      {
        type: SchemaType.AVRO,
        schema: JSON.stringify({ type: 'record', name: 'Old', fields: [{ name: 'id', type: 'long' }] }),
      },
      { subject: `${incompatible}-value` },
    );
    await fetch(`${s.registryUrl}/config/${incompatible}-value`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ compatibility: 'BACKWARD' }),
    });
    const refused = await s.run(
      `create-incompatible-${suffix}`,
      `CREATE TABLE ${incompatible} (id STRING) WITH ('kafka.partitions' = '1')`,
      ['FAILED'],
    );
    expect((await s.latestException(`create-incompatible-${suffix}`)).name).toBe('SCHEMA_INCOMPATIBLE');
    expect(refused.status.detail).toMatch(new RegExp(`${incompatible}-value`));
    await s.run(`show-no-incompatible-${suffix}`, `SHOW TABLES LIKE '${incompatible}'`, ['COMPLETED']);
    expect(await s.rowsOf(`show-no-incompatible-${suffix}`)).toEqual([]);

    // ALTER TABLE … SET works (catalog-ddl.e2e-spec.ts); options that contradict each other fail
    const alter = await s.run(
      `alter-${suffix}`,
      `ALTER TABLE ${existing} SET ('scan.startup.mode' = 'timestamp')`,
      ['FAILED'],
    );
    expect((await s.latestException(`alter-${suffix}`)).name).toBe('INVALID_TABLE_OPTION');
    expect(alter.status.detail).toMatch(/scan.startup.timestamp-millis' must be set too/);
    await s.run(`drop-missing-${suffix}`, `DROP TABLE nothing_${suffix}`, ['FAILED']);
    expect((await s.latestException(`drop-missing-${suffix}`)).name).toBe('TABLE_NOT_FOUND');
    await s.run(`drop-if-${suffix}`, `DROP TABLE IF EXISTS nothing_${suffix}`, ['COMPLETED']);

    // CREATE TABLE … AS SELECT runs (catalog-ddl.e2e-spec.ts), but not onto a table that exists
    const ctas = await s.run(
      `ctas-${suffix}`,
      `CREATE TABLE ${existing} WITH ('kafka.partitions' = '1') AS SELECT * FROM ${existing}`,
      ['FAILED'],
    );
    expect(ctas.status.detail).toMatch(/already exists/);
    expect((await s.latestException(`ctas-${suffix}`)).name).toBe('TABLE_EXISTS');
  });

  it('serves tables over REST to their organization only and sees topics and schema versions made outside Riffle within 5 s', async () => {
    const topic = `rest_${suffix}`;
    s.created.push(topic, `outside_${suffix}`);
    await s.topics.create(topic, 4);

    // the list is served from a cache of about a second, so a topic made outside Riffle shows within it
    await eventually(
      'the topic made outside Riffle in the REST table list',
      async () => {
        const list = await s.as().get(s.tablesPath()).expect(200);
        expect(list.body.kind).toBe('TableList');
        return list.body.data.some((t: { name: string }) => t.name === topic) ? true : undefined;
      },
      { timeoutMs: 5_000, intervalMs: 250 },
    );
    const table = (
      await s
        .as()
        .get(`${s.tablesPath(s.tenant, s.clusterId)}/${topic}`)
        .expect(200)
    ).body;
    expect(table).toMatchObject({
      kind: 'Table',
      name: topic,
      spec: {
        catalog: { id: s.tenant.environmentId, name: 'default' },
        database: { id: s.clusterId, name: 'main' },
        partitions: 4,
        changelog_mode: 'append',
        primary_key: [],
        watermark: { column: '$rowtime', expression: "`$rowtime` - INTERVAL '5' SECOND" },
        value_format: 'avro-registry',
      },
    });
    const columns = table.spec.columns.map((c: { name: string; hidden: boolean; type: string }) => [
      c.name,
      c.type,
      c.hidden,
    ]);
    expect(columns).toEqual([
      ['id', 'BIGINT', false],
      ['customer', 'STRING', false],
      ['amount', 'DOUBLE', false],
      ['$rowtime', 'TIMESTAMP_LTZ(3)', true],
      ['$partition', 'INT', true],
      ['$offset', 'BIGINT', true],
      ['$headers', 'MAP<STRING, BYTES>', true],
    ]);
    expect(table.spec.show_create_table).toContain('DISTRIBUTED INTO 4 BUCKETS');
    await s.as().get(`${s.tablesPath()}/nothing_${suffix}`).expect(404);
    await s
      .as()
      .get(`${s.tablesPath(s.tenant, 'nowhere')}`)
      .expect(404);

    // another organization: its own path with our environment, or our path with its key
    const foreign = `/catalog/v1/organizations/${s.other.organizationId}/environments/${s.tenant.environmentId}/databases/main/tables`;
    expect((await s.as(s.other).get(foreign).expect(404)).body.code).toBe('ENVIRONMENT_NOT_FOUND');
    await s.as(s.other).get(`${s.tablesPath()}/${topic}`).expect(404);

    // a topic created directly in Kafka, a schema version registered directly in the registry
    const outside = `outside_${suffix}`;
    const kafkaAdmin = s.topics.kafka.admin();
    await kafkaAdmin.connect();
    await createTopicsWithLeaders(kafkaAdmin, [{ topic: outside, numPartitions: 2 }]);
    await kafkaAdmin.disconnect();
    const createdAt = Date.now();
    await eventually(
      'the new topic in the REST table list',
      async () => {
        const names = (await s.as().get(s.tablesPath()).expect(200)).body.data.map(
          (t: { name: string }) => t.name,
        );
        return names.includes(outside) ? true : undefined;
      },
      { timeoutMs: 5_000, intervalMs: 250 },
    );
    expect(Date.now() - createdAt).toBeLessThan(5_000);
    await s.run(`show-outside-${suffix}`, `SHOW TABLES LIKE 'outside_${suffix}'`, ['COMPLETED']);
    expect(await s.rowsOf(`show-outside-${suffix}`)).toEqual([[outside]]);
    const raw = (await s.as().get(`${s.tablesPath()}/${outside}`).expect(200)).body;
    expect(
      raw.spec.columns.filter((c: { hidden: boolean }) => !c.hidden).map((c: { name: string }) => c.name),
    ).toEqual(['key', 'val']);

    await s.topics.registry.register(
      {
        type: SchemaType.AVRO,
        schema: JSON.stringify({ type: 'record', name: 'V2', fields: [{ name: 'sku', type: 'string' }] }),
      },
      { subject: `${outside}-value` },
    );
    const registeredAt = Date.now();
    await eventually(
      'the new schema version in the REST table',
      async () => {
        const body = (await s.as().get(`${s.tablesPath()}/${outside}`).expect(200)).body;
        return body.spec.columns.some((c: { name: string }) => c.name === 'sku') ? true : undefined;
      },
      { timeoutMs: 5_000, intervalMs: 250 },
    );
    expect(Date.now() - registeredAt).toBeLessThan(5_000);
  });
});
