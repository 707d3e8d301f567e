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
 * The results service on the real stack (DESIGN §9.1): caps on what a query keeps, the environment's
 * storage bound, the results retention, the cap on open queries, and queries and INSERTs that fail on
 * their own error inside Flink: each answered with its stable code, none holding a reconcile worker.
 */
describe('query results: caps, retention, open-query limit, failures', () => {
  const env: Record<string, string> = {
    ...stackEnv(),
    SCHEDULER_SWEEP_INTERVAL_MS: '1000',
    SCHEDULER_OBSERVE_INTERVAL_MS: '1000',
    AUTOSCALER_ENABLED: 'false',
    RESULTS_MAX_ROWS_PER_QUERY: '5',
    RESULTS_MAX_BYTES_PER_QUERY: '1000000',
    RESULTS_MAX_BYTES_PER_ENVIRONMENT: '4096',
    RESULTS_RETENTION_MS: '4000',
    API_MAX_OPEN_QUERIES_PER_ENVIRONMENT: '2',
  };
  const topics = new AvroTopics(env.KAFKA_BOOTSTRAP_SERVERS!.split(','), env.SCHEMA_REGISTRY_URL!);
  const suffix = uniqueSuffix();
  const created: string[] = [];
  let riffle: Riffle;

  const submit = (tenant: TestTenant, name: string, statement: string, properties = {}) =>
    as(riffle.api, tenant).post(tenant.statementsPath).send({ name, spec: { statement, properties } });
  const status = async (tenant: TestTenant, name: string) =>
    (await as(riffle.api, tenant).get(`${tenant.statementsPath}/${name}`)).body.status as {
      phase: string;
      detail: string;
    };
  const until = (tenant: TestTenant, name: string, phases: string[], timeoutMs = 90_000) =>
    eventually(
      `${name} to be ${phases.join('/')}`,
      async () => {
        const s = await status(tenant, name);
        return phases.includes(s?.phase) ? s : undefined;
      },
      { timeoutMs, intervalMs: 250 },
    );
  const results = (tenant: TestTenant, name: string, token?: string) =>
    as(riffle.api, tenant).get(
      `${tenant.statementsPath}/${name}/results${token === undefined ? '' : `?page_token=${token}`}`,
    );
  /** every row a statement kept, page by page, and the last answer's metadata */
  const readAll = async (tenant: TestTenant, name: string) => {
    const rows: unknown[][] = [];
    let token: string | undefined;
    for (;;) {
      const page = await results(tenant, name, token);
      expect(page.status).toBe(200);
      rows.push(...page.body.results.data.map((r: { row: unknown[] }) => r.row));
      const next = page.body.metadata.next as string;
      if (!next) return { rows, metadata: page.body.metadata as Record<string, unknown> };
      token = new URL(next, 'http://x').searchParams.get('page_token') ?? undefined;
    }
  };
  const values = (n: number, width = 1) =>
    `SELECT * FROM (VALUES ${Array.from({ length: n }, (_, i) => `(${i}, '${'x'.repeat(width)}')`).join(', ')}) AS t(n, s)`;

  beforeAll(async () => {
    riffle = await startRiffle(env, { scheduler: true });
  });

  afterAll(async () => {
    await riffle?.close();
    await topics.delete(created);
    await topics.close();
  });

  it('stops a query at its row cap and keeps exactly the cap, marked RESULTS_ROW_CAP', async () => {
    const tenant = await createTestTenant(riffle.db, 'row-cap');
    await submit(tenant, 'capped', values(20)).expect(201);
    const stopped = await until(tenant, 'capped', ['STOPPED', 'COMPLETED', 'FAILED']);
    expect(stopped).toMatchObject({ phase: 'STOPPED', detail: expect.stringMatching(/RESULTS_ROW_CAP/) });
    const kept = await readAll(tenant, 'capped');
    expect(kept.rows).toHaveLength(5);
    expect(kept.metadata.truncation).toBe('RESULTS_ROW_CAP');
  });

  it('stops a query once its environment’s kept results are full, marked RESULTS_STORAGE_FULL', async () => {
    const tenant = await createTestTenant(riffle.db, 'storage-full');
    await submit(tenant, 'wide', values(4, 1_500)).expect(201);
    const stopped = await until(tenant, 'wide', ['STOPPED', 'COMPLETED', 'FAILED']);
    expect(stopped).toMatchObject({
      phase: 'STOPPED',
      detail: expect.stringMatching(/RESULTS_STORAGE_FULL/),
    });
    const kept = await readAll(tenant, 'wide');
    expect(kept.rows.length).toBeGreaterThan(0);
    expect(kept.rows.length).toBeLessThan(4);
    expect(kept.metadata.truncation).toBe('RESULTS_STORAGE_FULL');
  });

  it('expires results after the retention: 410 RESULTS_EXPIRED as problem+json', async () => {
    const tenant = await createTestTenant(riffle.db, 'retention');
    await submit(tenant, 'short', values(2)).expect(201);
    await until(tenant, 'short', ['COMPLETED']);
    expect((await readAll(tenant, 'short')).rows).toHaveLength(2);
    const expired = await eventually(
      'the results to expire',
      async () => {
        const answer = await results(tenant, 'short');
        return answer.status === 410 ? answer : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 500 },
    );
    expect(expired.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(expired.body).toMatchObject({ code: 'RESULTS_EXPIRED', status: 410 });
    // the statement itself stays
    expect((await status(tenant, 'short')).phase).toBe('COMPLETED');
  });

  it('refuses a query past the environment’s open-query limit with 429 OPEN_QUERY_LIMIT and Retry-After', async () => {
    const tenant = await createTestTenant(riffle.db, 'open-queries');
    await registerKafka(riffle.api, tenant, env);
    const topic = `open_q_${suffix}`;
    await topics.create(topic, 1);
    created.push(topic);
    await submit(tenant, 'q1', `SELECT * FROM ${topic}`).expect(201);
    await submit(tenant, 'q2', `SELECT * FROM ${topic}`).expect(201);
    const refused = await submit(tenant, 'q3', `SELECT * FROM ${topic}`);
    expect(refused.status).toBe(429);
    expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(refused.headers['retry-after']).toBe('5');
    expect(refused.body).toMatchObject({ code: 'OPEN_QUERY_LIMIT', limit: 2 });
    // INSERTs and metadata statements are not queries: they are not counted
    await submit(tenant, 'tables', 'SHOW TABLES').expect(201);
    // one stopped: room for another
    await until(tenant, 'q1', ['RUNNING']);
    const q1 = (await as(riffle.api, tenant).get(`${tenant.statementsPath}/q1`)).body;
    await as(riffle.api, tenant)
      .put(`${tenant.statementsPath}/q1`)
      .send({ ...q1, spec: { ...q1.spec, stopped: true } })
      .expect(200);
    await until(tenant, 'q1', ['STOPPED']);
    await submit(tenant, 'q3', `SELECT * FROM ${topic}`).expect(201);
    for (const name of ['q2', 'q3']) await as(riffle.api, tenant).delete(`${tenant.statementsPath}/${name}`);
  });

  it('fails a SELECT that breaks inside Flink within seconds, with Flink’s root cause, listed once with a count', async () => {
    const tenant = await createTestTenant(riffle.db, 'select-fails');
    const started = Date.now();
    await submit(tenant, 'cast', "SELECT CAST(s AS INT) + 1 AS n FROM (VALUES ('1'), ('x')) AS t(s)").expect(
      201,
    );
    const failed = await until(tenant, 'cast', ['FAILED', 'COMPLETED', 'STOPPED'], 30_000);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(failed).toMatchObject({
      phase: 'FAILED',
      detail: expect.stringMatching(/user error.*NumberFormatException: For input string: 'x'/),
    });
    const exceptions = (await as(riffle.api, tenant).get(`${tenant.statementsPath}/cast/exceptions`)).body
      .data;
    expect(exceptions).toEqual([
      expect.objectContaining({
        name: 'java.lang.NumberFormatException',
        kind: 'USER',
        count: expect.any(Number),
        message: expect.stringMatching(/For input string: 'x'/),
      }),
    ]);
  });

  it('fails an INSERT whose job restarts on a user error instead of spending Flink’s restart attempts', async () => {
    const tenant = await createTestTenant(riffle.db, 'insert-fails');
    await registerKafka(riffle.api, tenant, env);
    const sink = `fail_out_${suffix}`;
    await topics.create(sink, 1);
    created.push(sink);
    const started = Date.now();
    await submit(
      tenant,
      'divide',
      `INSERT INTO ${sink} SELECT 10 / (n - 1) AS id, 'c' AS customer, 1.0 AS amount FROM (VALUES (2), (1)) AS t(n)`,
    ).expect(201);
    const failed = await until(tenant, 'divide', ['FAILED', 'COMPLETED'], 60_000);
    expect(failed).toMatchObject({ phase: 'FAILED', detail: expect.stringMatching(/user error/) });
    expect(Date.now() - started).toBeLessThan(30_000);
    const exceptions = (await as(riffle.api, tenant).get(`${tenant.statementsPath}/divide/exceptions`)).body
      .data;
    expect(exceptions).toHaveLength(1);
    expect(exceptions[0]).toMatchObject({ kind: 'USER', count: expect.any(Number) });
  });
});
