import { KafkaLogicalClusterLogins } from '@riffle/kafka';
import { SqlKafkaClusterRepository } from '@riffle/persistence';
import { createTestTenant, eventually, stackEnv, type TestTenant } from '@riffle/testing';
import { Kafka, logLevel } from 'kafkajs';
import { as, type Riffle, startRiffle } from './support/riffle';

/**
 * Two organizations on the one platform Kafka, each with the database a new environment gets: a logical
 * cluster `main`. They use the same table names without colliding, and neither can reach the other's
 * topics, not through SQL, not by registering the platform's Kafka, and not with a Kafka client logged in
 * as its own principal: Kafka's authorizer refuses it.
 */
describe('tenancy: logical clusters on the platform Kafka', () => {
  const env: Record<string, string> = {
    ...stackEnv(),
    // nothing internal may be registered: the platform's Kafka among it
    EGRESS_ALLOW: '',
    SCHEDULER_SWEEP_INTERVAL_MS: '1000',
    SCHEDULER_OBSERVE_INTERVAL_MS: '1000',
  };
  const platform = new Kafka({
    clientId: 'tenancy-e2e',
    brokers: env.KAFKA_BOOTSTRAP_SERVERS!.split(','),
    logLevel: logLevel.NOTHING,
  });
  let riffle: Riffle;
  let a: TestTenant;
  let b: TestTenant;
  const databases: Record<'a' | 'b', string> = { a: '', b: '' };
  const passwords: string[] = [];

  const statementsOf = (t: TestTenant) => as(riffle.api, t);
  async function run(t: TestTenant, name: string, sql: string, phases: string[], properties = {}) {
    const created = await statementsOf(t)
      .post(t.statementsPath)
      .send({ name, spec: { statement: sql, properties } });
    if (created.status !== 201) throw new Error(`${name}: ${created.status} ${JSON.stringify(created.body)}`);
    return eventually(
      `${name} to reach ${phases.join('/')}`,
      async () => {
        const body = (await statementsOf(t).get(`${t.statementsPath}/${name}`)).body;
        if (body.status?.phase === 'FAILED' && !phases.includes('FAILED'))
          throw new Error(`${name} FAILED: ${body.status.detail}`);
        return phases.includes(body.status?.phase) ? body : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 250 },
    );
  }
  async function rows(t: TestTenant, name: string): Promise<unknown[][]> {
    const page = await statementsOf(t).get(`${t.statementsPath}/${name}/results`).expect(200);
    return page.body.results.data.map((r: { row: unknown[] }) => r.row);
  }
  const bounded = { 'sql.tables.scan.bounded.mode': 'latest-offset' };

  beforeAll(async () => {
    riffle = await startRiffle(env, { scheduler: true });
    a = await createTestTenant(riffle.db, 'tenancy-a', { database: 'logical' });
    b = await createTestTenant(riffle.db, 'tenancy-b', { database: 'logical' });
    const clusters = new SqlKafkaClusterRepository(riffle.db);
    for (const [key, t] of [
      ['a', a],
      ['b', b],
    ] as const) {
      const [only, other] = await clusters.list(t.organizationId, t.environmentId);
      expect(other).toBeUndefined();
      expect(only).toMatchObject({ name: 'main', kind: 'logical' });
      databases[key] = only!.id;
    }
  });

  afterAll(async () => {
    await riffle?.close();
    const admin = platform.admin();
    await admin.connect();
    const mine = (await admin.listTopics()).filter(
      (t) => t.startsWith(`${databases.a}.`) || t.startsWith(`${databases.b}.`),
    );
    if (mine.length) await admin.deleteTopics({ topics: mine });
    await admin.disconnect();
  });

  it('shows each new environment its database main at once, with nothing to register', async () => {
    const listed = await statementsOf(a).get(`/cmk/v2/clusters?environment=${a.environmentId}`).expect(200);
    expect(listed.body.data.map((c: { display_name: string; id: string }) => [c.display_name, c.id])).toEqual(
      [['main', databases.a]],
    );
    expect(JSON.stringify(listed.body)).not.toContain(env.KAFKA_BOOTSTRAP_SERVERS!);
  });

  it('lets both organizations own a table orders, each seeing only its own, without the prefix', async () => {
    for (const t of [a, b])
      await run(
        t,
        'create-orders',
        "CREATE TABLE orders (id BIGINT, who STRING) WITH ('kafka.partitions' = '1')",
        ['COMPLETED'],
      );
    await run(a, 'insert-a', "INSERT INTO orders VALUES (1, 'a1'), (2, 'a2')", ['COMPLETED']);
    await run(b, 'insert-b', "INSERT INTO orders VALUES (7, 'b7')", ['COMPLETED']);

    await run(a, 'read-a', 'SELECT id, who FROM orders', ['COMPLETED'], bounded);
    expect(await rows(a, 'read-a')).toEqual([
      [1, 'a1'],
      [2, 'a2'],
    ]);
    await run(b, 'read-b', 'SELECT id, who FROM orders', ['COMPLETED'], bounded);
    expect(await rows(b, 'read-b')).toEqual([[7, 'b7']]);

    await run(a, 'show-a', 'SHOW TABLES', ['COMPLETED']);
    expect(await rows(a, 'show-a')).toEqual([['orders']]);
    const table = await statementsOf(a)
      .get(
        `/catalog/v1/organizations/${a.organizationId}/environments/${a.environmentId}/databases/main/tables/orders`,
      )
      .expect(200);
    expect(table.body.name).toBe('orders');
    // the database is named by its id, but no topic or subject name shows the prefix
    expect(table.body.spec.topic).toBe('orders');
    expect(JSON.stringify(table.body)).not.toContain(`${databases.a}.`);

    // underneath: one topic and one subject per organization, under its logical cluster's prefix
    const admin = platform.admin();
    await admin.connect();
    const topics = await admin.listTopics();
    await admin.disconnect();
    expect(topics).toEqual(expect.arrayContaining([`${databases.a}.orders`, `${databases.b}.orders`]));
    expect(topics).not.toContain('orders');
    const subjects = (await (await fetch(`${env.SCHEMA_REGISTRY_URL}/subjects`)).json()) as string[];
    expect(subjects).toEqual(
      expect.arrayContaining([`${databases.a}.orders-value`, `${databases.b}.orders-value`]),
    );
  });

  it("refuses B every way to A's tables through SQL and the API", async () => {
    const hidden = `\`${databases.a}.orders\``;
    await run(b, 'read-a-topic', `SELECT * FROM ${hidden}`, ['FAILED'], bounded);
    await run(b, 'drop-a-topic', `DROP TABLE ${hidden}`, ['FAILED']);
    await run(b, 'alter-a-topic', `ALTER TABLE ${hidden} SET ('scan.startup.mode' = 'latest-offset')`, [
      'FAILED',
    ]);
    await run(b, 'insert-a-topic', `INSERT INTO ${hidden} VALUES (9, 'b9')`, ['FAILED']);
    for (const name of ['read-a-topic', 'drop-a-topic', 'alter-a-topic', 'insert-a-topic']) {
      const exceptions = await statementsOf(b).get(`${b.statementsPath}/${name}/exceptions`).expect(200);
      expect([name, exceptions.body.data[0].name]).toEqual([
        name,
        expect.stringMatching(/TABLE_NOT_FOUND|SQL_VALIDATION_ERROR/),
      ]);
    }
    // A's database id is not a database of B's environment
    await statementsOf(b)
      .get(
        `/catalog/v1/organizations/${b.organizationId}/environments/${b.environmentId}/databases/${databases.a}/tables`,
      )
      .expect(404);
    // the platform's own Kafka cannot be registered as a cluster of B's
    const registered = await statementsOf(b)
      .post('/cmk/v2/clusters')
      .send({
        display_name: 'platform',
        spec: {
          environment: { id: b.environmentId },
          bootstrap_servers: env.KAFKA_BOOTSTRAP_SERVERS,
          schema_registry_url: env.SCHEMA_REGISTRY_URL,
        },
      })
      .expect(400);
    expect(registered.body.code).toBe('EGRESS_NOT_ALLOWED');
    // A's table is untouched
    await run(a, 'read-a-again', 'SELECT id FROM orders', ['COMPLETED'], bounded);
    expect(await rows(a, 'read-a-again')).toEqual([[1], [2]]);
  });

  it("has Kafka itself refuse B's principal on A's topics, while B's own work", async () => {
    const logins = new KafkaLogicalClusterLogins(platform, {
      secretsKey: Buffer.from(env.RIFFLE_SECRETS_KEY!, 'base64'),
      bootstrapServers: env.KAFKA_TENANT_BOOTSTRAP_SERVERS!.split(','),
      securityProtocol: 'SASL_PLAINTEXT',
    });
    const clusters = new SqlKafkaClusterRepository(riffle.db);
    const [bCluster] = await clusters.list(b.organizationId, b.environmentId);
    const login = await logins.loginFor(bCluster!);
    passwords.push(login.password);
    const asB = new Kafka({
      clientId: 'tenancy-e2e-b',
      brokers: login.bootstrapServers.split(','),
      sasl: { mechanism: 'scram-sha-512', username: login.username, password: login.password },
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
    });
    const producer = asB.producer({ retry: { retries: 0 } });
    await producer.connect();
    try {
      // B's own topic: allowed (the positive control)
      await producer.send({ topic: `${databases.b}.orders`, messages: [{ value: 'raw' }] });
      await expect(
        producer.send({ topic: `${databases.a}.orders`, messages: [{ value: 'from b' }] }),
      ).rejects.toThrow(/Not authorized to access topics/);
    } finally {
      await producer.disconnect();
    }
    const admin = asB.admin({ retry: { retries: 0 } });
    await admin.connect();
    try {
      const visible = await admin.listTopics();
      expect(visible).toContain(`${databases.b}.orders`);
      expect(visible).not.toContain(`${databases.a}.orders`);
      await expect(admin.deleteTopics({ topics: [`${databases.a}.orders`] })).rejects.toThrow();
      await expect(admin.createTopics({ topics: [{ topic: `${databases.a}.sneaky` }] })).rejects.toThrow();
      await expect(admin.fetchTopicOffsets(`${databases.a}.orders`)).rejects.toMatchObject({
        type: expect.stringMatching(/TOPIC_AUTHORIZATION_FAILED|UNKNOWN_TOPIC_OR_PARTITION/),
      });
    } finally {
      await admin.disconnect();
    }
    const consumer = asB.consumer({ groupId: `${databases.a}.steal`, retry: { retries: 0 } });
    await expect(
      (async () => {
        await consumer.connect();
        await consumer.subscribe({ topics: [`${databases.a}.orders`], fromBeginning: true });
        await consumer.run({ eachMessage: async () => undefined });
        await new Promise((_, fail) => consumer.on(consumer.events.CRASH, (e) => fail(e.payload.error)));
      })(),
    ).rejects.toBeDefined();
    await consumer.disconnect().catch(() => undefined);
  });

  it('keeps a streaming INSERT running exactly-once under its own principal', async () => {
    await run(
      a,
      'create-copy',
      "CREATE TABLE orders_copy (id BIGINT, who STRING) WITH ('kafka.partitions' = '1')",
      ['COMPLETED'],
    );
    await run(a, 'copy', 'INSERT INTO orders_copy SELECT id, who FROM orders', ['RUNNING']);
    await run(a, 'insert-more', "INSERT INTO orders VALUES (3, 'a3')", ['COMPLETED']);
    const copied = await eventually(
      'the copy to hold all three orders (committed at a checkpoint)',
      async () => {
        const name = `read-copy-${Date.now()}`;
        await run(a, name, 'SELECT id FROM orders_copy', ['COMPLETED'], bounded);
        const found = await rows(a, name);
        return found.length >= 3 ? found : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 2_000 },
    );
    expect(copied.map((r) => r[0]).sort()).toEqual([1, 2, 3]);
    const copy = (await statementsOf(a).get(`${a.statementsPath}/copy`).expect(200)).body;
    expect(copy.status.phase).toBe('RUNNING');
    // its secrets stay out of everything the API answers and stores
    const stored = (await riffle.db.query(
      `SELECT row_to_json(s)::text AS row FROM statements s WHERE organization_id = $1`,
      [a.organizationId],
    )) as { row: string }[];
    const everything = [JSON.stringify(copy), ...stored.map((s) => s.row)].join('\n');
    expect(everything).not.toMatch(/jaas|sasl|password/i);
    for (const password of passwords) expect(everything).not.toContain(password);
    await statementsOf(a).delete(`${a.statementsPath}/copy`).expect(202);
  });
});
