import { createTopicsWithLeaders } from '@riffle/kafka';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { JobManagerClient, SqlGatewayClient } from '@riffle/flink';
import { eventually, stackEnv, uniqueSuffix } from '@riffle/testing';
import { type Admin, type Consumer, Kafka, logLevel } from 'kafkajs';

/**
 * The whole data path on the real stack: Avro records produced through the schema registry, a
 * Kafka → Kafka INSERT submitted to the Flink SQL Gateway with avro-confluent on both sides, and
 * the output decoded through the registry again.
 */
describe('data path: Kafka + schema registry + Flink SQL', () => {
  const env = stackEnv();
  const brokers = env.KAFKA_BOOTSTRAP_SERVERS!.split(',');
  const registryUrl = env.SCHEMA_REGISTRY_URL!;
  const kafka = new Kafka({ clientId: 'riffle-e2e', brokers, logLevel: logLevel.NOTHING });
  const registry = new SchemaRegistry({ host: registryUrl });
  const gateway = new SqlGatewayClient(env.FLINK_SQL_GATEWAY_URL!, 60_000);
  const jobManager = new JobManagerClient(env.FLINK_REST_URL!);
  const suffix = uniqueSuffix();
  const source = `smoke-orders-${suffix}`;
  const sink = `smoke-large-orders-${suffix}`;
  let admin: Admin;
  let consumer: Consumer | undefined;
  let session: string | undefined;

  const orders = Array.from({ length: 40 }, (_, i) => ({
    id: i + 1,
    customer: `customer-${i % 7}`,
    amount: Math.round(((i * 37) % 100) * 100 + 99) / 100,
    placed_at: 1_763_800_000_000 + i * 1_000,
  }));

  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
    await createTopicsWithLeaders(admin, [
      { topic: source, numPartitions: 3 },
      { topic: sink, numPartitions: 1 },
    ]);
  });

  afterAll(async () => {
    await consumer?.disconnect();
    if (session) await gateway.closeSession(session).catch(() => undefined);
    await admin.deleteTopics({ topics: [source, sink] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('moves registry-encoded Avro records through a Flink SQL INSERT', async () => {
    const { id: schemaId } = await registry.register(
      {
        type: SchemaType.AVRO,
        schema: JSON.stringify({
          type: 'record',
          name: 'Order',
          namespace: 'dev.riffle.smoke',
          fields: [
            { name: 'id', type: 'long' },
            { name: 'customer', type: 'string' },
            { name: 'amount', type: 'double' },
            { name: 'placed_at', type: { type: 'long', logicalType: 'timestamp-millis' } },
          ],
        }),
      },
      { subject: `${source}-value` },
    );

    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: source,
      messages: await Promise.all(
        orders.map(async (o) => ({ key: String(o.id), value: await registry.encode(schemaId, o) })),
      ),
    });
    await producer.disconnect();

    const connection = (topic: string) => `
      'connector' = 'kafka',
      'topic' = '${topic}',
      'properties.bootstrap.servers' = '${brokers.join(',')}',
      'value.format' = 'avro-confluent',
      'value.avro-confluent.url' = '${registryUrl}'`;
    session = await gateway.openSession({ 'execution.runtime-mode': 'streaming' }, `smoke-${suffix}`);
    await gateway.executeAndWait(
      session,
      `CREATE TABLE orders (id BIGINT NOT NULL, customer STRING NOT NULL, amount DOUBLE NOT NULL,
         placed_at TIMESTAMP(3) NOT NULL)
       WITH (${connection(source)},
         'properties.group.id' = 'smoke-${suffix}',
         'scan.startup.mode' = 'earliest-offset',
         'scan.bounded.mode' = 'latest-offset')`,
    );
    await gateway.executeAndWait(
      session,
      `CREATE TABLE large_orders (id BIGINT NOT NULL, customer STRING NOT NULL, doubled DOUBLE NOT NULL,
         placed_at TIMESTAMP(3) NOT NULL)
       WITH (${connection(sink)})`,
    );
    const insert = await gateway.executeAndWait(
      session,
      `INSERT INTO large_orders SELECT id, UPPER(customer), amount * 2, placed_at FROM orders WHERE amount >= 50`,
    );
    const jobId = insert.jobID ?? String(insert.results?.data[0]?.fields[0]);
    expect(jobId).toMatch(/^[0-9a-f]{32}$/);

    const state = await eventually(
      'the bounded INSERT job to finish',
      async () => {
        const job = await jobManager.job(jobId);
        if (job.state === 'FAILED' || job.state === 'CANCELED') throw new Error(`job ended ${job.state}`);
        return job.state === 'FINISHED' ? job.state : undefined;
      },
      { timeoutMs: 150_000, intervalMs: 1_000 },
    );
    expect(state).toBe('FINISHED');

    const expected = orders
      .filter((o) => o.amount >= 50)
      .map((o) => ({
        id: o.id,
        customer: o.customer.toUpperCase(),
        doubled: o.amount * 2,
        placed_at: o.placed_at,
      }));
    expect(expected.length).toBeGreaterThan(10);

    const received: Record<string, unknown>[] = [];
    consumer = kafka.consumer({ groupId: `smoke-reader-${suffix}` });
    await consumer.connect();
    await consumer.subscribe({ topic: sink, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        if (message.value) received.push((await registry.decode(message.value)) as Record<string, unknown>);
      },
    });
    await eventually(
      'every output record',
      async () => (received.length >= expected.length ? true : undefined),
      {
        timeoutMs: 60_000,
      },
    );

    const normalize = (r: Record<string, unknown>) => ({
      id: Number(r.id),
      customer: r.customer,
      doubled: r.doubled,
      placed_at: Number(r.placed_at),
    });
    const byId = (a: { id: number }, b: { id: number }) => a.id - b.id;
    expect(received.map(normalize).sort(byId)).toEqual(expected.sort(byId));

    // Flink registered the sink's value schema under TopicNameStrategy
    const latest = await registry.getLatestSchemaId(`${sink}-value`);
    expect(latest).toBeGreaterThan(0);
  });
});
