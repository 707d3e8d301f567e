import { request as httpRequest } from 'node:http';
import { databaseConfig, redisConfig } from '@riffle/config';
import { JobManagerClient } from '@riffle/flink';
import { createDataSource } from '@riffle/persistence';
import { createRedisConnection, QUEUES, queuePrefix } from '@riffle/queue';
import {
  AvroTopics,
  createTestTenant,
  eventually,
  stackEnv,
  type TestTenant,
  uniqueSuffix,
} from '@riffle/testing';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import {
  type AppProcess,
  buildApps,
  freshDatabase,
  httpStatus,
  startApp,
  stopApp,
  waitReady,
} from './support/processes';

const API_PORT = 18601;
const SCHEDULER_PORT = 18602;
const METERING_PORT = 18603;
const DRAIN_DELAY_MS = 1_500;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * SIGTERM to each app, as Kubernetes sends it: /ready turns 503 at once, work in flight (an HTTP request
 * whose body is still arriving, a statement's reconcile job submitting to Flink) finishes, and the
 * process exits 0. The job is not lost: a restarted scheduler carries the statement on, with one Flink job.
 * Runs on its own database, so the only scheduler working its statements is the one it starts.
 */
describe('graceful shutdown', () => {
  const env: Record<string, string> = {
    ...stackEnv(),
    API_PORT: String(API_PORT),
    SCHEDULER_PORT: String(SCHEDULER_PORT),
    METERING_PORT: String(METERING_PORT),
    SCHEDULER_SWEEP_INTERVAL_MS: '1000',
    SCHEDULER_OBSERVE_INTERVAL_MS: '1000',
    SHUTDOWN_DRAIN_DELAY_MS: String(DRAIN_DELAY_MS),
    SHUTDOWN_GRACE_MS: '60000',
    LOG_LEVEL: 'info',
  };
  const topics = new AvroTopics(env.KAFKA_BOOTSTRAP_SERVERS!.split(','), env.SCHEMA_REGISTRY_URL!);
  const jobManager = new JobManagerClient(env.FLINK_REST_URL!);
  const suffix = uniqueSuffix();
  const source = `shutdown_in_${suffix}`;
  const sink = `shutdown_out_${suffix}`;
  let db: DataSource;
  let redis: Redis;
  let queue: Queue;
  let tenant: TestTenant;
  const apps: AppProcess[] = [];
  let dist: string;
  const start = (app: 'api' | 'scheduler' | 'metering') => {
    const started = startApp(dist, app, env);
    apps.push(started);
    return started;
  };
  const api = (method: string, path: string, body?: object) =>
    fetch(`http://127.0.0.1:${API_PORT}${path}`, {
      method,
      headers: { authorization: tenant.authorization, 'content-type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
    });

  beforeAll(async () => {
    // a database (and so a queue prefix) of its own: no other spec's scheduler takes this spec's jobs
    env.DATABASE_URL = await freshDatabase(env, 'riffle_shutdown');
    dist = await buildApps('graceful-shutdown');
    db = createDataSource(databaseConfig.load(env));
    await db.initialize();
    tenant = await createTestTenant(db, 'shutdown');
    redis = createRedisConnection(redisConfig.load(env), 'shutdown-test');
    queue = new Queue(QUEUES.statementReconcile, {
      connection: redis,
      prefix: queuePrefix(redisConfig.load(env), databaseConfig.load(env)),
    });
  });

  afterAll(async () => {
    for (const app of apps) await stopApp(app, 'SIGKILL');
    await queue?.close();
    redis?.disconnect();
    await topics.delete([source, sink]).catch(() => undefined);
    await topics.close();
    await db?.destroy();
  });

  it('api: finishes the request in flight, reports 503 while draining, refuses new connections, exits 0', async () => {
    const app = start('api');
    await waitReady(app, API_PORT);

    // a request whose body is still arriving when SIGTERM comes
    const name = `inflight-${suffix}`;
    const body = JSON.stringify({ name, spec: { statement: 'SELECT 1', stopped: true } });
    const inFlight = httpRequest({
      host: '127.0.0.1',
      port: API_PORT,
      method: 'POST',
      path: tenant.statementsPath,
      agent: false,
      headers: {
        authorization: tenant.authorization,
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
      },
    });
    const answered = new Promise<{ status: number; body: string }>((done, fail) => {
      inFlight.on('response', (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        response.on('end', () => done({ status: response.statusCode ?? 0, body: text }));
      });
      inFlight.on('error', fail);
    });
    inFlight.write(body.slice(0, 12));
    await sleep(300);

    const signalledAt = Date.now();
    app.child.kill('SIGTERM');
    const ready = await eventually(
      '/ready to answer 503',
      async () => {
        const status = await httpStatus(API_PORT, '/ready');
        return status === 503 ? status : undefined;
      },
      { timeoutMs: DRAIN_DELAY_MS, intervalMs: 50 },
    );
    expect(ready).toBe(503);

    // after the drain delay the listener closes: new connections are refused…
    await eventually(
      'the listener to close',
      async () => ((await httpStatus(API_PORT, '/health')) === 'refused' ? true : undefined),
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    expect(Date.now() - signalledAt).toBeGreaterThanOrEqual(DRAIN_DELAY_MS - 100);
    expect(app.child.exitCode).toBeNull(); // …but the process waits for the request in flight

    inFlight.end(body.slice(12));
    const response = await answered;
    expect({ status: response.status, body: response.body }).toMatchObject({ status: 201 });
    expect(JSON.parse(response.body).name).toBe(name);

    const exit = await app.exited;
    expect({ code: exit.code, signal: exit.signal }).toEqual({ code: 0, signal: null });
    expect(exit.atMs - signalledAt).toBeLessThan(15_000);
    expect(app.output()).toMatch(/"msg":"shut down cleanly"/);
    const [row] = await db.query('SELECT count(*)::int AS n FROM statements WHERE name = $1', [name]);
    expect(row.n).toBe(1);
  });

  it('scheduler: a reconcile job in flight finishes or goes back to the queue; a new scheduler carries on', async () => {
    const apiApp = start('api');
    await waitReady(apiApp, API_PORT);
    const cluster = await api('POST', '/cmk/v2/clusters', {
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
    await topics.produce(source, schemaId, [{ id: 1, customer: 'a', amount: 1 }]);

    const scheduler = start('scheduler');
    await waitReady(scheduler, SCHEDULER_PORT);
    const name = `shutdown-${suffix}`;
    const created = await api('POST', tenant.statementsPath, {
      name,
      spec: { statement: `INSERT INTO ${sink} SELECT * FROM ${source}` },
    });
    expect(created.status).toBe(201);
    const uid: string = ((await created.json()) as { metadata: { uid: string } }).metadata.uid;

    // SIGTERM while the scheduler works on the statement's first pass (submitting it to Flink)
    await eventually(
      'the reconcile job to be active',
      async () => ((await queue.getJobState(uid)) === 'active' ? true : undefined),
      { timeoutMs: 60_000, intervalMs: 20 },
    );
    const signalledAt = Date.now();
    scheduler.child.kill('SIGTERM');
    const ready = await eventually(
      'scheduler /ready to answer 503',
      async () => {
        const status = await httpStatus(SCHEDULER_PORT, '/ready');
        return status === 503 ? status : undefined;
      },
      { timeoutMs: DRAIN_DELAY_MS, intervalMs: 50 },
    );
    expect(ready).toBe(503);

    const exit = await scheduler.exited;
    expect({
      code: exit.code,
      signal: exit.signal,
      output: exit.code === 0 ? '' : scheduler.output().slice(-3_000),
    }).toEqual({ code: 0, signal: null, output: '' });
    expect(exit.atMs - signalledAt).toBeLessThan(60_000);
    expect(scheduler.output()).toMatch(/queue worker draining/);

    // not lost: the pass finished (its Flink job exists, once) and the statement's job is queued again
    const state = await queue.getJobState(uid);
    expect(['delayed', 'waiting', 'prioritized']).toContain(state);
    expect(await jobManager.findJobsByName(uid)).toHaveLength(1);

    const restarted = start('scheduler');
    await waitReady(restarted, SCHEDULER_PORT);
    await eventually(
      'the statement to be RUNNING',
      async () => {
        const response = await api('GET', `${tenant.statementsPath}/${name}`);
        const statement = (await response.json()) as { status?: { phase?: string } };
        return statement.status?.phase === 'RUNNING' ? true : undefined;
      },
      { timeoutMs: 120_000 },
    );
    const jobs = await jobManager.findJobsByName(uid);
    expect(jobs).toHaveLength(1);

    expect((await api('DELETE', `${tenant.statementsPath}/${name}`)).status).toBe(202);
    await eventually('the job to be cancelled', async () =>
      (await jobManager.findJobsByName(uid)).every((j) => j.state === 'CANCELED') ? true : undefined,
    );
    for (const app of [restarted, apiApp]) {
      const done = await stopApp(app);
      expect(done?.code).toBe(0);
    }
  });

  it('metering: stops ticking and exits 0', async () => {
    const metering = start('metering');
    await waitReady(metering, METERING_PORT);
    const signalledAt = Date.now();
    metering.child.kill('SIGTERM');
    expect(
      await eventually(
        'metering /ready to answer 503',
        async () => {
          const status = await httpStatus(METERING_PORT, '/ready');
          return status === 503 ? status : undefined;
        },
        { timeoutMs: DRAIN_DELAY_MS, intervalMs: 50 },
      ),
    ).toBe(503);
    const exit = await metering.exited;
    expect({ code: exit.code, signal: exit.signal }).toEqual({ code: 0, signal: null });
    expect(exit.atMs - signalledAt).toBeLessThan(15_000);
  });
});
