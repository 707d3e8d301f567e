import type { INestApplication } from '@nestjs/common';
import { databaseConfig } from '@riffle/config';
import { JobManagerClient } from '@riffle/flink';
import { createLogger, createWorkerApp } from '@riffle/observability';
import { createDataSource } from '@riffle/persistence';
import {
  AvroTopics,
  createTestTenant,
  eventually,
  type Order,
  stackEnv,
  type TestTenant,
  uniqueSuffix,
} from '@riffle/testing';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { createApiApp } from '../../apps/api/src/create-api-app';
import { loadSchedulerConfig, SchedulerModule } from '../../apps/scheduler/src/scheduler.module';

/**
 * A background INSERT between two Avro topics through Riffle: RUNNING, stop with a savepoint,
 * more input while stopped, resume, and the output holds every input record exactly once.
 */
describe('background statement lifecycle', () => {
  const env: Record<string, string> = {
    ...stackEnv(),
    SCHEDULER_SWEEP_INTERVAL_MS: '1000',
    SCHEDULER_OBSERVE_INTERVAL_MS: '1000',
    STATEMENT_RESULTS_IDLE_TIMEOUT_MS: '8000',
  };
  const topics = new AvroTopics(env.KAFKA_BOOTSTRAP_SERVERS!.split(','), env.SCHEMA_REGISTRY_URL!);
  const jobManager = new JobManagerClient(env.FLINK_REST_URL!);
  const suffix = uniqueSuffix();
  const source = `orders_${suffix}`;
  const sink = `orders_copy_${suffix}`;
  let api: INestApplication;
  let scheduler: INestApplication;
  let db: DataSource;
  let tenant: TestTenant;

  const as = () => ({
    post: (path: string) =>
      request(api.getHttpServer()).post(path).set('authorization', tenant.authorization),
    get: (path: string) => request(api.getHttpServer()).get(path).set('authorization', tenant.authorization),
    put: (path: string) => request(api.getHttpServer()).put(path).set('authorization', tenant.authorization),
    delete: (path: string) =>
      request(api.getHttpServer()).delete(path).set('authorization', tenant.authorization),
  });
  const statement = (name: string) => `${tenant.statementsPath}/${name}`;
  const phase = (name: string, wanted: string) =>
    eventually(
      `${name} to be ${wanted}`,
      async () => {
        const body = (await as().get(statement(name))).body;
        if (body.status?.phase === 'FAILED' && wanted !== 'FAILED')
          throw new Error(`FAILED: ${body.status.detail}`);
        return body.status?.phase === wanted ? body : undefined;
      },
      { timeoutMs: 150_000, intervalMs: 500 },
    );
  const orders = (from: number, to: number): Order[] =>
    Array.from({ length: to - from + 1 }, (_, i) => ({
      id: from + i,
      customer: `c${(from + i) % 5}`,
      amount: from + i + 0.5,
    }));

  beforeAll(async () => {
    db = createDataSource(databaseConfig.load(env));
    await db.initialize();
    tenant = await createTestTenant(db, 'lifecycle');
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
    await topics.delete([source, sink]);
    await topics.close();
    await db?.destroy();
  });

  it('registers the Kafka cluster as a database of the environment', async () => {
    const created = await as()
      .post('/cmk/v2/clusters')
      .send({
        display_name: 'main',
        spec: {
          environment: { id: tenant.environmentId },
          bootstrap_servers: env.KAFKA_BOOTSTRAP_SERVERS,
          schema_registry_url: env.SCHEMA_REGISTRY_URL,
        },
      })
      .expect(201);
    expect(created.body).toMatchObject({
      kind: 'Cluster',
      display_name: 'main',
      id: expect.stringMatching(/^lkc-/),
    });
    // loopback is off limits to tenants unless the operator allows it (test/e2e/egress.e2e-spec.ts)
    const unreachable = await as()
      .post('/cmk/v2/clusters')
      .send({
        display_name: 'nowhere',
        spec: {
          environment: { id: tenant.environmentId },
          bootstrap_servers: '127.0.0.1:1',
          schema_registry_url: 'http://127.0.0.1:1',
        },
      })
      .expect(400);
    expect(unreachable.body.code).toBe('EGRESS_NOT_ALLOWED');
  });

  it('runs, stops with a savepoint, resumes, and delivers every record exactly once', async () => {
    const schemaId = await topics.create(source, 2);
    await topics.create(sink, 1);
    await topics.produce(source, schemaId, orders(1, 20));

    const name = `copy-${suffix}`;
    const created = await as()
      .post(tenant.statementsPath)
      .send({ name, spec: { statement: `INSERT INTO ${sink} SELECT id, customer, amount FROM ${source}` } })
      .expect(201);
    expect(created.body.status.traits.sql_kind).toBe('INSERT_INTO');
    const uid: string = created.body.metadata.uid;

    await phase(name, 'RUNNING');
    expect((await topics.readAll<Order>(sink, 20)).length).toBe(20);

    const running = (await as().get(statement(name))).body;
    await as()
      .put(statement(name))
      .send({ metadata: { resource_version: running.metadata.resource_version }, spec: { stopped: true } })
      .expect(200);
    const stopped = await phase(name, 'STOPPED');
    expect(stopped.status.detail).toMatch(/savepoint/);
    expect((await jobManager.findJobsByName(uid)).filter((j) => j.state === 'RUNNING')).toEqual([]);

    await topics.produce(source, schemaId, orders(21, 35));
    await as()
      .put(statement(name))
      .send({ metadata: { resource_version: stopped.metadata.resource_version }, spec: { stopped: false } })
      .expect(200);
    await phase(name, 'RUNNING');

    const output = await topics.readAll<Order>(sink, 35, 90_000);
    // one more checkpoint interval: a duplicate would show up now if there were one
    await new Promise((r) => setTimeout(r, 12_000));
    const settled = await topics.readAll<Order>(sink, 36, 5_000);
    expect(output.length).toBe(35);
    expect(settled.map((o) => Number(o.id)).sort((a, b) => a - b)).toEqual(orders(1, 35).map((o) => o.id));
    expect(settled.find((o) => Number(o.id) === 7)).toMatchObject({ customer: 'c2', amount: 7.5 });

    const live = (await jobManager.findJobsByName(uid)).filter((j) => j.state === 'RUNNING');
    expect(live).toHaveLength(1);

    await as().delete(statement(name)).expect(202);
    await eventually('the statement to be gone', async () =>
      (await as().get(statement(name))).status === 404 ? true : undefined,
    );
    expect((await jobManager.findJobsByName(uid)).filter((j) => j.state === 'RUNNING')).toEqual([]);
  });

  it('pages through a bounded SELECT over a topic until the end', async () => {
    const topic = `orders_read_${suffix}`;
    const schemaId = await topics.create(topic, 3);
    await topics.produce(topic, schemaId, orders(1, 30));
    const name = `read-${suffix}`;
    await as()
      .post(tenant.statementsPath)
      .send({
        name,
        spec: {
          statement: `SELECT id, customer FROM ${topic} WHERE amount > 10`,
          properties: { 'sql.tables.scan.bounded.mode': 'latest-offset' },
        },
      })
      .expect(201);
    await phase(name, 'COMPLETED');
    const rows: unknown[][] = [];
    let next = `${statement(name)}/results`;
    for (let pages = 0; next && pages < 100; pages++) {
      const page = await as().get(next).expect(200);
      rows.push(...page.body.results.data.map((r: { row: unknown[] }) => r.row));
      next = page.body.metadata.next;
    }
    expect(next).toBe('');
    expect(rows.map((r) => Number(r[0])).sort((a, b) => a - b)).toEqual(orders(10, 30).map((o) => o.id));
    await topics.delete([topic]);
  });

  it('stops an unbounded SELECT that nobody reads', async () => {
    const name = `unread-${suffix}`;
    await as()
      .post(tenant.statementsPath)
      .send({ name, spec: { statement: `SELECT * FROM ${source}` } })
      .expect(201);
    const stopped = await phase(name, 'STOPPED');
    expect(stopped.status.detail).toMatch(/nobody read/);
  });

  it('fails a statement over a missing topic with a readable reason', async () => {
    const name = `missing-${suffix}`;
    await as()
      .post(tenant.statementsPath)
      .send({
        name,
        spec: { statement: `INSERT INTO ${sink} SELECT id, customer, amount FROM no_such_topic_${suffix}` },
      })
      .expect(201);
    const failed = await phase(name, 'FAILED');
    expect(failed.status.detail).toMatch(/no topic named no_such_topic/);
  });
});
