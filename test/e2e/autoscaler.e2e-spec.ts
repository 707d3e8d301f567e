import { JobManagerClient } from '@riffle/flink';
import {
  AvroTopics,
  createTestTenant,
  eventually,
  stackEnv,
  type TestTenant,
  uniqueSuffix,
} from '@riffle/testing';
import { as, registerKafka, type Riffle, startRiffle } from './support/riffle';

/**
 * A statement over a 4-partition topic under a produced burst scales up (more CFUs in `current_cfu`
 * and in Flink's job parallelism), and back down once the input stops. Timings shortened by config.
 */
describe('autoscaler', () => {
  const env: Record<string, string> = {
    ...stackEnv(),
    SCHEDULER_SWEEP_INTERVAL_MS: '1000',
    SCHEDULER_OBSERVE_INTERVAL_MS: '1000',
    AUTOSCALER_INTERVAL_MS: '2000',
    AUTOSCALER_STABILIZATION_MS: '10000',
    AUTOSCALER_SCALE_DOWN_DELAY_MS: '10000',
    AUTOSCALER_CATCH_UP_MS: '5000',
    LOG_LEVEL: 'warn',
  };
  const topics = new AvroTopics(env.KAFKA_BOOTSTRAP_SERVERS!.split(','), env.SCHEMA_REGISTRY_URL!);
  const jobManager = new JobManagerClient(env.FLINK_REST_URL!);
  const suffix = uniqueSuffix();
  const source = `burst_in_${suffix}`;
  const sink = `burst_out_${suffix}`;
  let riffle: Riffle;
  let tenant: TestTenant;
  let producing = false;

  beforeAll(async () => {
    riffle = await startRiffle(env, { scheduler: true });
    tenant = await createTestTenant(riffle.db, 'autoscale');
    await registerKafka(riffle.api, tenant, env);
  });

  afterAll(async () => {
    producing = false;
    // a failed run must not leave its job holding slots for the tests after it
    await as(riffle.api, tenant).delete(`${tenant.statementsPath}/bursty-${suffix}`);
    await new Promise((r) => setTimeout(r, 3_000));
    await riffle?.close();
    await topics.delete([source, sink]);
    await topics.close();
  });

  /** as fast as kafkajs goes, across all partitions, until told to stop */
  async function burst(schemaId: number): Promise<number> {
    const value = await topics.registry.encode(schemaId, { id: 1, customer: 'c', amount: 1.5 });
    const producer = topics.kafka.producer();
    await producer.connect();
    let sent = 0;
    try {
      while (producing) {
        await producer.send({
          topic: source,
          acks: 1,
          messages: Array.from({ length: 2_000 }, (_, i) => ({ partition: i % 4, value })),
        });
        sent += 2_000;
      }
    } finally {
      await producer.disconnect();
    }
    return sent;
  }

  it('scales up under a burst and back down after it', async () => {
    const schemaId = await topics.create(source, 4);
    await topics.create(sink, 1);
    const client = as(riffle.api, tenant);
    const name = `bursty-${suffix}`;
    const path = `${tenant.statementsPath}/${name}`;
    const created = await client
      .post(tenant.statementsPath)
      // hashing 40 KB per record makes each record cost ~0.1 ms: one subtask falls behind the producer
      .send({
        name,
        spec: {
          statement: `INSERT INTO ${sink} SELECT id, SHA512(REPEAT(customer, 40000)) AS customer, amount FROM ${source}`,
        },
      })
      .expect(201);
    const uid: string = created.body.metadata.uid;
    const cfu = async () => {
      const body = (await client.get(path)).body;
      if (body.status?.phase === 'FAILED') throw new Error(body.status.detail);
      return body.status?.phase === 'RUNNING' ? (body.status.current_cfu as number) : undefined;
    };
    await eventually('the statement to run', cfu, { timeoutMs: 120_000 });

    producing = true;
    const produced = burst(schemaId);
    const grown = await eventually(
      'a scale-up',
      async () => {
        const current = await cfu();
        return current !== undefined && current > 1 ? current : undefined;
      },
      { timeoutMs: 180_000, intervalMs: 1_000 },
    ).finally(() => (producing = false));
    const sent = await produced;
    expect(sent).toBeGreaterThan(0);
    expect(grown).toBeGreaterThan(1);
    expect(grown).toBeLessThanOrEqual(4);
    const [job] = (await jobManager.findJobsByName(uid)).filter((j) => j.state === 'RUNNING');
    expect(await jobManager.jobPlanParallelism(job!.jid)).toBe(grown);

    // the backlog the burst left must drain first (minutes on a busy host: each record hashes 40 KB), and
    // the way down may take two steps (4 → 2 → 1) with Flink's 30 s cooldown between rescales
    await eventually(
      'a scale-down after the input stopped',
      async () => ((await cfu()) === 1 ? true : undefined),
      { timeoutMs: 420_000, intervalMs: 1_000 },
    );
    const decisions: { action: string; from_cfu: number; to_cfu: number; reason: string }[] =
      await riffle.db.query(
        'SELECT action, from_cfu, to_cfu, reason FROM scaling_decisions WHERE statement_uid = $1 ORDER BY id',
        [uid],
      );
    expect(decisions.map((d) => d.action)).toEqual(expect.arrayContaining(['scale-up', 'scale-down']));
    expect(decisions[0]!.reason).toMatch(/scale up/);
    const status = (await client.get(path)).body.status;
    expect(status.scaling_status.scaling_state).toBeDefined();
    const ledger: { cfu: number }[] = await riffle.db.query(
      'SELECT cfu FROM allocation_ledger WHERE statement_uid = $1 ORDER BY seq',
      [uid],
    );
    expect(ledger.map((e) => e.cfu)).toEqual(expect.arrayContaining([1, grown]));

    await client.delete(path).expect(202);
    await eventually('the statement to be gone', async () =>
      (await client.get(path)).status === 404 ? true : undefined,
    );
  }, 780_000);
});
