import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { databaseConfig } from '@riffle/config';
import { JobManagerClient } from '@riffle/flink';
import { createDataSource } from '@riffle/persistence';
import {
  AvroTopics,
  createTestTenant,
  eventually,
  stackEnv,
  type TestTenant,
  uniqueSuffix,
} from '@riffle/testing';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { createApiApp } from '../../apps/api/src/create-api-app';

/**
 * SIGKILL the scheduler while it works on a PENDING statement, start it again: the statement
 * reaches RUNNING once, with exactly one Flink job (no double submission).
 */
describe('scheduler crash', () => {
  const env: Record<string, string> = {
    ...stackEnv(),
    SCHEDULER_PORT: '18591',
    SCHEDULER_SWEEP_INTERVAL_MS: '1000',
    SCHEDULER_OBSERVE_INTERVAL_MS: '1000',
    LOG_LEVEL: 'warn',
  };
  const topics = new AvroTopics(env.KAFKA_BOOTSTRAP_SERVERS!.split(','), env.SCHEMA_REGISTRY_URL!);
  const jobManager = new JobManagerClient(env.FLINK_REST_URL!);
  const suffix = uniqueSuffix();
  const source = `crash_in_${suffix}`;
  const sink = `crash_out_${suffix}`;
  let api: INestApplication;
  let db: DataSource;
  let tenant: TestTenant;
  let scheduler: ChildProcess | undefined;

  /** the real scheduler app as its own process, so it can be killed like a crashed pod */
  const startScheduler = (): ChildProcess =>
    spawn(
      process.execPath,
      // node with tsx's loader, no wrapper process: SIGKILL kills the scheduler itself, nothing outlives the test
      ['--import', 'tsx', resolve(__dirname, '../../apps/scheduler/src/main.ts')],
      {
        env: { ...process.env, ...env },
        stdio: 'ignore',
      },
    );
  const kill = async (child: ChildProcess | undefined, signal: NodeJS.Signals) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    await exited;
  };

  beforeAll(async () => {
    db = createDataSource(databaseConfig.load(env));
    await db.initialize();
    tenant = await createTestTenant(db, 'crash');
    api = (await createApiApp(env)).app;
    await api.init();
    await request(api.getHttpServer())
      .post('/cmk/v2/clusters')
      .set('authorization', tenant.authorization)
      .send({
        display_name: 'main',
        spec: {
          environment: { id: tenant.environmentId },
          bootstrap_servers: env.KAFKA_BOOTSTRAP_SERVERS,
          schema_registry_url: env.SCHEMA_REGISTRY_URL,
        },
      })
      .expect(201);
  });

  afterAll(async () => {
    await kill(scheduler, 'SIGTERM');
    await api?.close();
    await topics.delete([source, sink]);
    await topics.close();
    await db?.destroy();
  });

  it('reaches RUNNING once with one Flink job after a SIGKILL mid-work', async () => {
    const schemaId = await topics.create(source, 1);
    await topics.create(sink, 1);
    await topics.produce(source, schemaId, [{ id: 1, customer: 'a', amount: 1 }]);
    const name = `crash-${suffix}`;
    const created = await request(api.getHttpServer())
      .post(tenant.statementsPath)
      .set('authorization', tenant.authorization)
      .send({ name, spec: { statement: `INSERT INTO ${sink} SELECT * FROM ${source}` } })
      .expect(201);
    const uid: string = created.body.metadata.uid;
    expect(created.body.status.phase).toBe('PENDING');

    // kill the scheduler while it is submitting: once the Flink job exists but before RUNNING is recorded
    scheduler = startScheduler();
    await eventually(
      'the scheduler to submit the job',
      async () => ((await jobManager.findJobsByName(uid)).length > 0 ? true : undefined),
      { intervalMs: 50 },
    );
    await kill(scheduler, 'SIGKILL');

    scheduler = startScheduler();
    await eventually(
      'the statement to be RUNNING',
      async () => {
        const response = await request(api.getHttpServer())
          .get(`${tenant.statementsPath}/${name}`)
          .set('authorization', tenant.authorization);
        return response.body.status?.phase === 'RUNNING' ? true : undefined;
      },
      { timeoutMs: 120_000 },
    );
    // a few more reconcile rounds: still exactly one job
    await new Promise((r) => setTimeout(r, 4_000));
    const jobs = await jobManager.findJobsByName(uid);
    expect(jobs.filter((j) => !['FINISHED', 'CANCELED', 'FAILED'].includes(j.state))).toHaveLength(1);
    expect(jobs).toHaveLength(1);

    await request(api.getHttpServer())
      .delete(`${tenant.statementsPath}/${name}`)
      .set('authorization', tenant.authorization)
      .expect(202);
    await eventually('the job to be cancelled', async () =>
      (await jobManager.findJobsByName(uid)).every((j) => j.state === 'CANCELED') ? true : undefined,
    );
  });
});
