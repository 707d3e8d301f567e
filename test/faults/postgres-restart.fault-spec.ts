import { databaseConfig } from '@riffle/config';
import { createDataSource, migrate } from '@riffle/persistence';
import {
  AvroTopics,
  createTestTenant,
  eventually,
  stackEnv,
  type TestTenant,
  uniqueSuffix,
} from '@riffle/testing';
import type { DataSource } from 'typeorm';
import { type AppProcess, buildApps, startApp, stopApp, waitReady } from '../e2e/support/processes';
import {
  atMostOneFlinkJobPerStatement,
  noAcknowledgedStatementLost,
  usageEqualsLedger,
} from './support/invariants';
import { PrivatePostgres } from './support/private-services';
import { FaultScenario } from './support/report';

const API_PORT = 18711;
const SCHEDULER_PORT = 18712;
const METERING_PORT = 18713;

/**
 * PostgreSQL dies under the running apps and comes back: meanwhile the API answers quickly with a 503
 * problem (never a 500 or a hang) and /ready says 503; afterwards the same processes carry on, every
 * acknowledged statement is kept and runs once, and usage equals the ledger. Postgres is the scenario's
 * own server, so the machine's shared one is never touched.
 */
describe('PostgreSQL restart', () => {
  const scenario = new FaultScenario('PostgreSQL killed under the apps and restarted');
  const pg = new PrivatePostgres(15432);
  const suffix = uniqueSuffix();
  const source = `pgr_in_${suffix}`;
  const sink = `pgr_out_${suffix}`;
  const env: Record<string, string> = {
    ...stackEnv(),
    REDIS_QUEUE_PREFIX: `riffle-faults-pg-${suffix}`,
    SCHEDULER_SWEEP_INTERVAL_MS: '1000',
    SCHEDULER_OBSERVE_INTERVAL_MS: '1000',
    AUTOSCALER_ENABLED: 'false',
    METERING_TICK_MS: '1000',
    METERING_CLOSE_GRACE_MS: '1000',
    API_IDENTITY_CACHE_TTL_MS: '0',
    LOG_LEVEL: 'warn',
  };
  const topics = new AvroTopics(env.KAFKA_BOOTSTRAP_SERVERS!.split(','), env.SCHEMA_REGISTRY_URL!);
  const apps: AppProcess[] = [];
  const acknowledged: string[] = [];
  let db: DataSource;
  let tenant: TestTenant;

  const call = async (method: string, path: string, body?: object) => {
    const response = await fetch(`http://127.0.0.1:${API_PORT}${path}`, {
      method,
      headers: { authorization: tenant.authorization, 'content-type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(15_000),
    });
    return {
      status: response.status,
      type: response.headers.get('content-type') ?? '',
      body: (await response.json().catch(() => ({}))) as Record<string, unknown>,
    };
  };
  const submit = async (name: string, statement: string, properties: Record<string, string> = {}) => {
    const created = await call('POST', tenant.statementsPath, { name, spec: { statement, properties } });
    if (created.status === 201) acknowledged.push(name);
    return created;
  };
  const phase = async (name: string) =>
    ((await call('GET', `${tenant.statementsPath}/${name}`)).body.status as { phase?: string } | undefined)
      ?.phase;

  beforeAll(async () => {
    await pg.start();
    env.DATABASE_URL = await pg.createDatabase('riffle');
    await migrate(databaseConfig.load(env));
    db = createDataSource(databaseConfig.load(env));
    await db.initialize();
    tenant = await createTestTenant(db, 'pg-restart');
    const dist = await buildApps('faults');
    const start = (app: 'api' | 'scheduler' | 'metering', port: number, variable: string) => {
      const started = startApp(dist, app, { ...env, [variable]: String(port) });
      apps.push(started);
      return waitReady(started, port);
    };
    await Promise.all([
      start('api', API_PORT, 'API_PORT'),
      start('scheduler', SCHEDULER_PORT, 'SCHEDULER_PORT'),
      start('metering', METERING_PORT, 'METERING_PORT'),
    ]);
    const cluster = await call('POST', '/cmk/v2/clusters', {
      display_name: 'main',
      spec: {
        environment: { id: tenant.environmentId },
        bootstrap_servers: env.KAFKA_BOOTSTRAP_SERVERS,
        schema_registry_url: env.SCHEMA_REGISTRY_URL,
      },
    });
    expect(cluster.status).toBe(201);
    const schemaId = await topics.create(source, 1);
    await topics.create(sink, 1);
    await topics.produce(
      source,
      schemaId,
      [1, 2, 3].map((id) => ({ id, customer: `c${id}`, amount: id })),
    );
  });

  afterAll(async () => {
    await Promise.all(apps.map((app) => stopApp(app, 'SIGKILL')));
    await db?.destroy().catch(() => undefined);
    await pg.dispose();
    await topics.delete([source, sink]);
    await topics.close();
  });

  it('answers 503 while Postgres is down and carries on after it returns', async () => {
    const bounded = { 'sql.tables.scan.bounded.mode': 'latest-offset' };
    const insert = `INSERT INTO ${sink} SELECT * FROM ${source}`;
    expect((await submit(`before-${suffix}`, insert, bounded)).status).toBe(201);
    await eventually(
      `before-${suffix} COMPLETED`,
      async () => ((await phase(`before-${suffix}`)) === 'COMPLETED' ? true : undefined),
      { timeoutMs: 180_000, intervalMs: 1_000 },
    );

    // one more submission the scheduler is still working on when Postgres dies
    expect((await submit(`mid-${suffix}`, insert, bounded)).status).toBe(201);
    await pg.kill('SIGKILL');
    scenario.fault();
    // while it is down: quick, clear, retryable answers; nothing acknowledged that is not stored
    const startedAt = Date.now();
    const read = await call('GET', `${tenant.statementsPath}/before-${suffix}`);
    const create = await submit(`during-${suffix}`, 'SELECT 1');
    const ready = await fetch(`http://127.0.0.1:${API_PORT}/ready`, { signal: AbortSignal.timeout(15_000) });
    const answeredMs = Date.now() - startedAt;
    scenario.check([
      {
        name: 'API answers 503 problem+json while Postgres is down',
        ok:
          read.status === 503 &&
          read.type.startsWith('application/problem+json') &&
          read.body.code === 'DATABASE_UNAVAILABLE',
        detail: `GET ${read.status} ${String(read.body.code)}, POST ${create.status} ${String(create.body.code)} in ${answeredMs} ms`,
      },
      {
        name: 'no 500 and no hang during the outage',
        ok: read.status !== 500 && create.status !== 500 && answeredMs < 20_000,
        detail: `3 requests answered in ${answeredMs} ms`,
      },
      { name: 'readiness 503 during the outage', ok: ready.status === 503, detail: `/ready ${ready.status}` },
    ]);

    // the outage lasts: every answer meanwhile is a 503, none a 500 or a hang
    const statuses = new Map<number, number>();
    for (const until = Date.now() + 10_000; Date.now() < until;) {
      const { status } = await call('GET', `${tenant.statementsPath}/before-${suffix}`);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      await new Promise((r) => setTimeout(r, 200));
    }
    scenario.check({
      name: 'only 503s during a 10 s outage',
      ok: [...statuses.keys()].every((status) => status === 503),
      detail: [...statuses].map(([status, n]) => `${n} × ${status}`).join(', '),
    });
    await pg.start();
    await eventually(
      'the API serving reads again',
      async () =>
        (await call('GET', `${tenant.statementsPath}/before-${suffix}`)).status === 200 ? true : undefined,
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    scenario.recovered();

    // the same processes carry on: every acknowledged statement, interrupted or new, runs to its end
    expect((await submit(`after-${suffix}`, insert, bounded)).status).toBe(201);
    for (const name of acknowledged)
      await eventually(
        `${name} COMPLETED`,
        async () => ((await phase(name)) === 'COMPLETED' ? true : undefined),
        {
          timeoutMs: 180_000,
          intervalMs: 1_000,
        },
      );
    scenario.check({
      name: 'apps recover without a restart',
      ok: apps.every((app) => app.child.exitCode === null && app.child.signalCode === null),
      detail: apps
        .map((app) => `${app.name} ${app.child.exitCode === null ? 'running' : 'exited'}`)
        .join(', '),
    });
    scenario.check(await noAcknowledgedStatementLost(db, tenant.organizationId, acknowledged));
    scenario.check(
      await atMostOneFlinkJobPerStatement(db, tenant.organizationId, [env.FLINK_REST_URL!], { strict: true }),
    );
    scenario.check(await usageEqualsLedger(db, tenant.organizationId));
    scenario.finish();
  });
});
