import type { INestApplication } from '@nestjs/common';
import { databaseConfig } from '@riffle/config';
import { createLogger, createWorkerApp } from '@riffle/observability';
import { createDataSource } from '@riffle/persistence';
import { createTestTenant, eventually, stackEnv, type TestTenant, uniqueSuffix } from '@riffle/testing';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { createApiApp } from '../../apps/api/src/create-api-app';
import { loadSchedulerConfig, SchedulerModule } from '../../apps/scheduler/src/scheduler.module';

const PROBLEM_JSON = /^application\/problem\+json/;

/** The statements API end to end: the real API and scheduler, Postgres, Redis and Flink. */
describe('statements', () => {
  const env = { ...stackEnv(), SCHEDULER_SWEEP_INTERVAL_MS: '1000', SCHEDULER_OBSERVE_INTERVAL_MS: '1000' };
  let api: INestApplication;
  let scheduler: INestApplication;
  let db: DataSource;
  let tenant: TestTenant;
  let other: TestTenant;

  const http = () => request(api.getHttpServer());
  const as = (t: TestTenant) => ({
    post: (path: string) => http().post(path).set('authorization', t.authorization),
    get: (path: string) => http().get(path).set('authorization', t.authorization),
    put: (path: string) => http().put(path).set('authorization', t.authorization),
    delete: (path: string) => http().delete(path).set('authorization', t.authorization),
  });
  const submit = (t: TestTenant, name: string, statement: string, extra: Record<string, unknown> = {}) =>
    as(t)
      .post(t.statementsPath)
      .send({ name, spec: { statement, ...extra } });
  const phaseOf = async (t: TestTenant, name: string, phases: string[]) =>
    eventually(
      `${name} to reach ${phases.join('/')}`,
      async () => {
        const response = await as(t).get(`${t.statementsPath}/${name}`);
        return phases.includes(response.body.status?.phase) ? response.body : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 500 },
    );

  beforeAll(async () => {
    db = createDataSource(databaseConfig.load(env));
    await db.initialize();
    tenant = await createTestTenant(db, 'stmt');
    other = await createTestTenant(db, 'other');
    api = (await createApiApp(env)).app;
    await api.init();
    scheduler = await createWorkerApp(
      SchedulerModule.forRoot(loadSchedulerConfig(env)),
      createLogger('scheduler', 'warn'),
    );
    await scheduler.init();
  });

  afterAll(async () => {
    await Promise.all([api?.close(), scheduler?.close()]);
    await db?.destroy();
  });

  it('answers 401 without credentials or with a wrong secret', async () => {
    const none = await http().get(tenant.statementsPath).expect(401);
    expect(none.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(none.headers['www-authenticate']).toBe('Basic realm="riffle"');
    expect(none.body.code).toBe('UNAUTHENTICATED');
    const wrong = `Basic ${Buffer.from(`${tenant.apiKey.id}:not-the-secret`).toString('base64')}`;
    await http().get(tenant.statementsPath).set('authorization', wrong).expect(401);
  });

  it('answers the GET of one statement, served ahead of Fastify, as its Fastify route and every Nest route answer', async () => {
    const name = `direct-${uniqueSuffix()}`;
    await submit(tenant, name, 'SELECT 1', { stopped: true }).expect(201);
    const path = `${tenant.statementsPath}/${name}`;
    const none = await http().get(path).expect(401);
    expect(none.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(none.headers['www-authenticate']).toBe('Basic realm="riffle"');
    expect(none.headers['x-request-id']).toBeTruthy();
    expect(none.body.code).toBe('UNAUTHENTICATED');
    const wrong = `Basic ${Buffer.from(`${tenant.apiKey.id}:not-the-secret`).toString('base64')}`;
    expect((await http().get(path).set('authorization', wrong).expect(401)).body.code).toBe(
      'UNAUTHENTICATED',
    );

    const found = await as(tenant).get(path).set('x-request-id', 'trace-me-1').expect(200);
    expect(found.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(found.headers['x-request-id']).toBe('trace-me-1');
    expect(found.headers['x-ratelimit-limit']).toMatch(/^\d+$/);
    expect(found.body).toMatchObject({ kind: 'Statement', name, metadata: { self: path } });

    // a query string sends the same GET through Fastify's route: the same answers, header for header
    const answer = (response: request.Response) => ({
      status: response.status,
      headers: Object.keys(response.headers)
        .filter((h) => h !== 'date')
        .sort(),
      contentType: response.headers['content-type'],
      body: { ...response.body, request_id: typeof response.body.request_id },
    });
    for (const [authorization, target] of [
      [undefined, path],
      [wrong, path],
      [tenant.authorization, path],
      [tenant.authorization, `${tenant.statementsPath}/missing-${uniqueSuffix()}`],
      [other.authorization, path],
    ] as const) {
      const [front, viaFastify] = await Promise.all(
        [target, `${target}?via=fastify`].map((url) => {
          const get = http().get(url);
          return authorization ? get.set('authorization', authorization) : get;
        }),
      );
      expect(answer(front!)).toEqual(answer(viaFastify!));
    }

    // the Swagger UI, served by @fastify/static (its content-disposition is ESM-only: require(esm), Node ≥ 20.19)
    const ui = await http().get('/docs').redirects(1).expect(200);
    expect(ui.headers['content-type']).toMatch(/^text\/html/);
    await http().get('/docs/swagger-ui.css').expect(200);
    const docs = await http().get('/openapi.json').expect(200);
    const documented = docs.body.paths['/sql/v1/organizations/{org}/environments/{env}/statements/{name}'];
    expect(Object.keys(documented).sort()).toEqual(['delete', 'get', 'put']);
  });

  it('runs a SELECT and pages through its results to the end', async () => {
    const name = `select-${uniqueSuffix()}`;
    const created = await submit(
      tenant,
      name,
      "SELECT id, UPPER(word) AS word FROM (VALUES (1, 'a'), (2, 'b'), (3, 'c')) AS t(id, word)",
    ).expect(201);
    expect(created.headers.location).toBe(`${tenant.statementsPath}/${name}`);
    expect(created.body).toMatchObject({
      api_version: 'sql/v1',
      kind: 'Statement',
      name,
      organization_id: tenant.organizationId,
      environment_id: tenant.environmentId,
      spec: { stopped: false, principal: tenant.serviceAccountId },
      status: { phase: 'PENDING', traits: { sql_kind: 'SELECT' } },
    });
    expect(created.body.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);

    const finished = await phaseOf(tenant, name, ['COMPLETED', 'FAILED']);
    expect(finished.status).toMatchObject({ phase: 'COMPLETED' });

    const rows: unknown[] = [];
    let next = `${tenant.statementsPath}/${name}/results`;
    for (let pages = 0; next && pages < 50; pages++) {
      const page = await as(tenant).get(next).expect(200);
      rows.push(...page.body.results.data.map((r: { op: number; row: unknown[] }) => [r.op, ...r.row]));
      next = page.body.metadata.next;
    }
    expect(next).toBe('');
    expect(rows).toEqual([
      [0, 1, 'A'],
      [0, 2, 'B'],
      [0, 3, 'C'],
    ]);
  });

  it('answers a syntax error with 400 and its line and column', async () => {
    const response = await submit(tenant, `bad-${uniqueSuffix()}`, 'SELECT a,\n  b FROM\n  t WHERE )').expect(
      400,
    );
    expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(response.body).toMatchObject({ code: 'SQL_SYNTAX_ERROR', line: 3, column: expect.any(Number) });
  });

  it('answers SQL that Flink’s validator rejects with 400 SQL_VALIDATION_ERROR, its message and position', async () => {
    const name = `unknown-column-${uniqueSuffix()}`;
    const response = await submit(tenant, name, 'SELECT nope FROM (VALUES (1)) AS t(a)').expect(400);
    expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(response.body).toMatchObject({ code: 'SQL_VALIDATION_ERROR', line: 1, column: 8 });
    expect(response.body.detail).toMatch(/nope/);
    await as(tenant).get(`${tenant.statementsPath}/${name}`).expect(404);
  });

  it('rejects duplicate names (409), unknown statements (404) and stale resource versions (409)', async () => {
    const name = `stopped-${uniqueSuffix()}`;
    await submit(tenant, name, 'SELECT 1', { stopped: true }).expect(201);
    const duplicate = await submit(tenant, name, 'SELECT 2').expect(409);
    expect(duplicate.body.code).toBe('STATEMENT_EXISTS');
    const missing = await as(tenant).get(`${tenant.statementsPath}/no-such-${uniqueSuffix()}`).expect(404);
    expect(missing.body.code).toBe('STATEMENT_NOT_FOUND');
    const stopped = await phaseOf(tenant, name, ['STOPPED']);
    const stale = await as(tenant)
      .put(`${tenant.statementsPath}/${name}`)
      .send({
        metadata: { resource_version: String(Number(stopped.metadata.resource_version) - 1) },
        spec: { stopped: false },
      })
      .expect(409);
    expect(stale.body.code).toBe('RESOURCE_VERSION_CONFLICT');
    const immutable = await as(tenant)
      .put(`${tenant.statementsPath}/${name}`)
      .send({
        metadata: { resource_version: stopped.metadata.resource_version },
        spec: { statement: 'SELECT 3' },
      })
      .expect(400);
    expect(immutable.body.code).toBe('STATEMENT_IMMUTABLE');
  });

  it("hides one tenant's statements from another (404, empty list)", async () => {
    const name = `private-${uniqueSuffix()}`;
    await submit(tenant, name, 'SELECT 1', { stopped: true }).expect(201);
    const foreign = await as(other).get(`${tenant.statementsPath}/${name}`).expect(404);
    expect(foreign.body.code).toBe('ENVIRONMENT_NOT_FOUND');
    await as(other).get(tenant.statementsPath).expect(404);
    await as(other).get(`${tenant.statementsPath}/${name}/results`).expect(404);
    await as(other).delete(`${tenant.statementsPath}/${name}`).expect(404);
    const own = await as(other).get(other.statementsPath).expect(200);
    expect(own.body.data).toEqual([]);
  });

  it('honours Idempotency-Key: same body, same answer; another body, 409', async () => {
    const name = `idem-${uniqueSuffix()}`;
    const key = `key-${uniqueSuffix()}`;
    const body = { name, spec: { statement: 'SELECT 1', stopped: true } };
    const first = await as(tenant)
      .post(tenant.statementsPath)
      .set('idempotency-key', key)
      .send(body)
      .expect(201);
    const again = await as(tenant)
      .post(tenant.statementsPath)
      .set('idempotency-key', key)
      .send(body)
      .expect(201);
    expect(again.body.metadata.uid).toBe(first.body.metadata.uid);
    const reused = await as(tenant)
      .post(tenant.statementsPath)
      .set('idempotency-key', key)
      .send({ ...body, name: `${name}-x` })
      .expect(409);
    expect(reused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('lists with page_size and page_token, and filters by label and phase', async () => {
    const label = uniqueSuffix();
    for (const n of [1, 2, 3]) {
      await as(tenant)
        .post(tenant.statementsPath)
        .send({
          name: `listed-${label}-${n}`,
          spec: { statement: 'SELECT 1', stopped: true },
          metadata: { labels: { batch: label } },
        })
        .expect(201);
    }
    const names: string[] = [];
    let next = `${tenant.statementsPath}?page_size=2&label_selector=batch=${label}`;
    while (next) {
      const page = await as(tenant).get(next).expect(200);
      expect(page.body.data.length).toBeLessThanOrEqual(2);
      names.push(...page.body.data.map((s: { name: string }) => s.name));
      next =
        page.body.metadata.next && `${page.body.metadata.next}&page_size=2&label_selector=batch=${label}`;
    }
    expect(names).toEqual([1, 2, 3].map((n) => `listed-${label}-${n}`));
    await as(tenant).get(`${tenant.statementsPath}?page_size=0`).expect(400);
    await as(tenant).get(`${tenant.statementsPath}?page_token=garbage`).expect(400);
    await as(tenant).get(`${tenant.statementsPath}?phase=NOPE`).expect(400);
  });

  it('deletes: 202, then gone', async () => {
    const name = `doomed-${uniqueSuffix()}`;
    await submit(tenant, name, 'SELECT 1', { stopped: true }).expect(201);
    await as(tenant).delete(`${tenant.statementsPath}/${name}`).expect(202);
    await eventually(`${name} to disappear`, async () => {
      const response = await as(tenant).get(`${tenant.statementsPath}/${name}`);
      if (response.status === 404) return true;
      // what the API answers and what Postgres holds, for the timeout message
      const rows: { phase: string }[] = await db.query(
        'SELECT phase FROM statements WHERE organization_id = $1 AND name = $2',
        [tenant.organizationId, name],
      );
      throw new Error(
        `GET ${response.status} ${response.body.status?.phase ?? response.body.code}; Postgres: ${rows[0]?.phase ?? 'no row'}`,
      );
    });
  });
});
