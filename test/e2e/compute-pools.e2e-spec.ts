import { JobManagerClient } from '@riffle/flink';
import {
  AvroTopics,
  createTestTenant,
  eventually,
  stackEnv,
  type TestTenant,
  uniqueSuffix,
} from '@riffle/testing';
import { as as client, registerKafka, type Riffle, startRiffle } from './support/riffle';

/** Compute pools: the REST resource, the default pool, and admission capping what runs. */
describe('compute pools', () => {
  const env: Record<string, string> = {
    ...stackEnv(),
    SCHEDULER_SWEEP_INTERVAL_MS: '1000',
    SCHEDULER_OBSERVE_INTERVAL_MS: '1000',
    LOG_LEVEL: 'warn',
  };
  const topics = new AvroTopics(env.KAFKA_BOOTSTRAP_SERVERS!.split(','), env.SCHEMA_REGISTRY_URL!);
  const jobManager = new JobManagerClient(env.FLINK_REST_URL!);
  const suffix = uniqueSuffix();
  const source = `pool_in_${suffix}`;
  const sinks = [1, 2, 3].map((i) => `pool_out_${i}_${suffix}`);
  let riffle: Riffle;
  let tenant: TestTenant;
  let other: TestTenant;

  const as = (t: TestTenant = tenant) => client(riffle.api, t);
  const statement = async (name: string) => (await as().get(`${tenant.statementsPath}/${name}`)).body;
  const until = (name: string, wanted: (body: { status: { phase: string } }) => boolean, what: string) =>
    eventually(
      `${name} ${what}`,
      async () => {
        const body = await statement(name);
        if (body.status?.phase === 'FAILED') throw new Error(`FAILED: ${body.status.detail}`);
        return wanted(body) ? body : undefined;
      },
      { timeoutMs: 150_000 },
    );

  beforeAll(async () => {
    riffle = await startRiffle(env, { scheduler: true });
    tenant = await createTestTenant(riffle.db, 'pools');
    other = await createTestTenant(riffle.db, 'pools-other');
    await registerKafka(riffle.api, tenant, env);
  });

  afterAll(async () => {
    await riffle?.close();
    await topics.delete([source, ...sinks]);
    await topics.close();
  });

  it('creates, lists, updates and deletes pools, with clear errors', async () => {
    const created = await as()
      .post('/fcpm/v2/compute-pools')
      .send({ spec: { display_name: 'etl', max_cfu: 4, environment: { id: tenant.environmentId } } })
      .expect(201);
    expect(created.body).toMatchObject({
      kind: 'ComputePool',
      id: expect.stringMatching(/^lfcp-/),
      spec: {
        display_name: 'etl',
        max_cfu: 4,
        isolation: 'shared',
        environment: { id: tenant.environmentId },
      },
      status: { phase: 'PROVISIONED', current_cfu: 0 },
    });
    const id: string = created.body.id;
    const list = await as().get(`/fcpm/v2/compute-pools?environment=${tenant.environmentId}`).expect(200);
    expect(list.body.data.map((p: { id: string }) => p.id)).toContain(id);
    const patched = await as()
      .patch(`/fcpm/v2/compute-pools/${id}`)
      .send({ spec: { max_cfu: 8 } })
      .expect(200);
    expect(patched.body.spec.max_cfu).toBe(8);

    const bad = await as()
      .post('/fcpm/v2/compute-pools')
      .send({ spec: { display_name: 'x', max_cfu: 0, environment: { id: tenant.environmentId } } });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('INVALID_FIELD');
    const immutable = await as()
      .patch(`/fcpm/v2/compute-pools/${id}`)
      .send({ spec: { isolation: 'dedicated' } });
    expect(immutable.body.code).toBe('FIELD_IMMUTABLE');
    await as(other).get(`/fcpm/v2/compute-pools/${id}`).expect(404);
    await as(other).delete(`/fcpm/v2/compute-pools/${id}`).expect(404);
    await as().get(`/fcpm/v2/compute-pools/${id}?environment=env-elsewhere`).expect(404);

    await as().delete(`/fcpm/v2/compute-pools/${id}`).expect(204);
    await as().get(`/fcpm/v2/compute-pools/${id}`).expect(404);
  });

  it('puts a statement without a pool into the environment’s default pool', async () => {
    const created = await as()
      .post(tenant.statementsPath)
      .send({ name: `defaulted-${suffix}`, spec: { statement: 'SELECT 1', stopped: true } })
      .expect(201);
    const pools = await as().get(`/fcpm/v2/compute-pools?environment=${tenant.environmentId}`).expect(200);
    const fallback = pools.body.data.find((p: { spec: { default_pool: boolean } }) => p.spec.default_pool);
    expect(created.body.spec.compute_pool_id).toBe(fallback.id);
    const unknown = await as()
      .post(tenant.statementsPath)
      .send({ name: `nopool-${suffix}`, spec: { statement: 'SELECT 1', compute_pool_id: 'lfcp-nothere' } });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('COMPUTE_POOL_NOT_FOUND');
  });

  it('creates the default pool once when a fresh environment’s first statements arrive together', async () => {
    const fresh = await createTestTenant(riffle.db, 'pools-race');
    const created = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        as(fresh)
          .post(fresh.statementsPath)
          .send({ name: `race-${i}-${suffix}`, spec: { statement: 'SELECT 1', stopped: true } }),
      ),
    );
    expect(created.map((c) => (c.status === 201 ? 201 : c.body))).toEqual(created.map(() => 201));
    expect(new Set(created.map((c) => c.body.spec.compute_pool_id)).size).toBe(1);
  });

  it('caps admission: the third statement waits POOL_EXHAUSTED and starts when another stops', async () => {
    const pool = (
      await as()
        .post('/fcpm/v2/compute-pools')
        .send({ spec: { display_name: 'small', max_cfu: 2, environment: { id: tenant.environmentId } } })
        .expect(201)
    ).body.id as string;
    const schemaId = await topics.create(source, 1);
    for (const sink of sinks) await topics.create(sink, 1);
    await topics.produce(source, schemaId, [{ id: 1, customer: 'a', amount: 1 }]);
    const names = sinks.map((_, i) => `capped-${i + 1}-${suffix}`);
    for (const [i, name] of names.entries()) {
      await as()
        .post(tenant.statementsPath)
        .send({
          name,
          spec: { statement: `INSERT INTO ${sinks[i]} SELECT * FROM ${source}`, compute_pool_id: pool },
        })
        .expect(201);
      await new Promise((r) => setTimeout(r, 50)); // distinct submission times
    }
    await until(names[0]!, (b) => b.status.phase === 'RUNNING', 'to run');
    await until(names[1]!, (b) => b.status.phase === 'RUNNING', 'to run');
    const waiting = await until(
      names[2]!,
      (b) =>
        (b as unknown as { status: { scaling_status: { scaling_state: string } } }).status.scaling_status
          .scaling_state === 'POOL_EXHAUSTED',
      'to wait for room',
    );
    expect(waiting.status.phase).toBe('PENDING');
    expect(waiting.status.detail).toMatch(/pool exhausted \(2\/2 CFU\)/);
    expect(await jobManager.findJobsByName(waiting.metadata.uid)).toEqual([]);
    expect((await as().get(`/fcpm/v2/compute-pools/${pool}`).expect(200)).body.status.current_cfu).toBe(2);
    const busy = await as().delete(`/fcpm/v2/compute-pools/${pool}`);
    expect(busy.body.code).toBe('COMPUTE_POOL_NOT_EMPTY');

    const first = await statement(names[0]!);
    await as()
      .put(`${tenant.statementsPath}/${names[0]}`)
      .send({ metadata: { resource_version: first.metadata.resource_version }, spec: { stopped: true } })
      .expect(200);
    const started = await until(names[2]!, (b) => b.status.phase === 'RUNNING', 'to run once room appears');
    expect(
      (started as unknown as { status: { scaling_status: { scaling_state: string } } }).status.scaling_status
        .scaling_state,
    ).toBe('OK');
    // the first one was not evicted to make room: it stopped by request, with its savepoint
    expect((await statement(names[0]!)).status.phase).toBe('STOPPED');

    for (const name of names) await as().delete(`${tenant.statementsPath}/${name}`).expect(202);
    for (const name of names)
      await eventually(`${name} to be gone`, async () =>
        (await as().get(`${tenant.statementsPath}/${name}`)).status === 404 ? true : undefined,
      );
  });

  it('starts a statement at the size its plan suggests: a join over 2-partition topics at 2 CFU', async () => {
    const left = `pool_left_${suffix}`;
    const right = `pool_right_${suffix}`;
    const joined = `pool_joined_${suffix}`;
    const schemaId = await topics.create(left, 2);
    await topics.create(right, 2);
    await topics.create(joined, 1);
    await topics.produce(left, schemaId, [{ id: 1, customer: 'a', amount: 1 }]);
    const name = `sized-${suffix}`;
    await as()
      .post(tenant.statementsPath)
      .send({
        name,
        spec: {
          statement: `INSERT INTO ${joined} SELECT l.id, r.customer, l.amount FROM ${left} l JOIN ${right} r ON l.id = r.id`,
        },
      })
      .expect(201);
    const running = await until(
      name,
      (b) =>
        b.status.phase === 'RUNNING' &&
        (b as unknown as { status: { current_cfu: number } }).status.current_cfu === 2,
      'to run at 2 CFU',
    );
    expect(running.status.detail).toBeDefined();
    const [job] = (await jobManager.findJobsByName(running.metadata.uid)).filter(
      (j) => j.state === 'RUNNING',
    );
    const details = await jobManager.job(job!.jid);
    expect(Math.max(...details.vertices.map((v) => v.parallelism))).toBe(2);
    await as().delete(`${tenant.statementsPath}/${name}`).expect(202);
    await eventually(`${name} to be gone`, async () =>
      (await as().get(`${tenant.statementsPath}/${name}`)).status === 404 ? true : undefined,
    );
    await topics.delete([left, right, joined]);
  });
});
