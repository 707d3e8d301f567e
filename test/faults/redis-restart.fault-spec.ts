import { databaseConfig } from '@riffle/config';
import { createDataSource } from '@riffle/persistence';
import {
  AvroTopics,
  createTestTenant,
  eventually,
  stackEnv,
  type TestTenant,
  uniqueSuffix,
} from '@riffle/testing';
import type { DataSource } from 'typeorm';
import {
  type AppProcess,
  buildApps,
  freshDatabase,
  startApp,
  stopApp,
  waitReady,
} from '../e2e/support/processes';
import {
  atMostOneFlinkJobPerStatement,
  noAcknowledgedStatementLost,
  usageEqualsLedger,
} from './support/invariants';
import { PrivateRedis } from './support/private-services';
import { FaultScenario } from './support/report';

const API_PORT = 18721;
const SCHEDULER_PORT = 18722;
const METERING_PORT = 18723;

/**
 * Redis dies under the running apps and comes back empty, as a lost cache node would: every queued
 * reconcile and metering job is gone. Meanwhile the API answers quickly (reads from Postgres go on; a
 * create it cannot queue is stored or refused with a clear problem, never a 500 or a hang); afterwards the
 * schedulers' sweep finds every statement that still needs work, so each acknowledged statement runs
 * once and usage equals the ledger. Redis is the scenario's own server.
 */
describe('Redis restart', () => {
  const scenario = new FaultScenario('Redis killed under the apps and restarted empty');
  const redis = new PrivateRedis(16379);
  const suffix = uniqueSuffix();
  const source = `rr_in_${suffix}`;
  const sink = `rr_out_${suffix}`;
  const env: Record<string, string> = {
    ...stackEnv(),
    REDIS_QUEUE_PREFIX: `riffle-faults-redis-${suffix}`,
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
    await redis.start();
    env.REDIS_URL = redis.url();
    env.DATABASE_URL = await freshDatabase(env, 'riffle_faults_redis');
    db = createDataSource(databaseConfig.load(env));
    await db.initialize();
    tenant = await createTestTenant(db, 'redis-restart');
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
    await redis.dispose();
    await topics.delete([source, sink]);
    await topics.close();
  });

  it('keeps serving while Redis is away, and runs every acknowledged statement once after it returns empty', async () => {
    const bounded = { 'sql.tables.scan.bounded.mode': 'latest-offset' };
    const insert = `INSERT INTO ${sink} SELECT * FROM ${source}`;
    expect((await submit(`before-${suffix}`, insert, bounded)).status).toBe(201);
    await eventually(
      `before-${suffix} COMPLETED`,
      async () => ((await phase(`before-${suffix}`)) === 'COMPLETED' ? true : undefined),
      { timeoutMs: 180_000, intervalMs: 1_000 },
    );

    // one more submission whose queued reconcile dies with Redis
    expect((await submit(`mid-${suffix}`, insert, bounded)).status).toBe(201);
    await redis.kill('SIGKILL');
    scenario.fault();
    const statuses = new Map<string, number>();
    const count = (what: string) => statuses.set(what, (statuses.get(what) ?? 0) + 1);
    let slowestMs = 0;
    for (let i = 0; i < 5; i++) {
      const began = Date.now();
      const read = await call('GET', `${tenant.statementsPath}/before-${suffix}`);
      const created = await submit(`during-${i}-${suffix}`, insert, bounded);
      slowestMs = Math.max(slowestMs, Date.now() - began);
      count(`GET ${read.status}`);
      count(`POST ${created.status}${created.status >= 400 ? ` ${String(created.body.code)}` : ''}`);
      await new Promise((r) => setTimeout(r, 1_000));
    }
    scenario.check({
      name: 'API answers during the outage, no 500 and no hang',
      ok: ![...statuses.keys()].some((s) => / 500/.test(s)) && slowestMs < 20_000,
      detail: `${[...statuses].map(([s, n]) => `${n} × ${s}`).join(', ')}; slowest pair ${slowestMs} ms`,
    });
    await redis.start();
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
