import type { INestApplication } from '@nestjs/common';
import { eventually, stackEnv } from '@riffle/testing';
import { createLogger, createWorkerApp } from '@riffle/observability';
import request from 'supertest';
import { createApiApp } from '../../apps/api/src/create-api-app';
import { loadMeteringConfig, MeteringModule } from '../../apps/metering/src/metering.module';
import { loadSchedulerConfig, SchedulerModule } from '../../apps/scheduler/src/scheduler.module';

const PROBLEM_JSON = /^application\/problem\+json/;

describe('the three apps boot against the real stack', () => {
  const env = stackEnv();
  let api: INestApplication;
  let scheduler: INestApplication;
  let metering: INestApplication;

  beforeAll(async () => {
    api = (await createApiApp(env)).app;
    await api.init();
    const schedulerConfig = loadSchedulerConfig(env);
    scheduler = await createWorkerApp(
      SchedulerModule.forRoot(schedulerConfig),
      createLogger('scheduler', 'warn'),
    );
    await scheduler.init();
    const meteringConfig = loadMeteringConfig(env);
    metering = await createWorkerApp(
      MeteringModule.forRoot(meteringConfig),
      createLogger('metering', 'warn'),
    );
    await metering.init();
  });

  afterAll(async () => {
    await Promise.all([api?.close(), scheduler?.close(), metering?.close()]);
  });

  it('api: liveness answers without touching dependencies', async () => {
    const response = await request(api.getHttpServer()).get('/health').expect(200);
    expect(response.body).toEqual({ status: 'ok' });
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('api: readiness reports every dependency up', async () => {
    const body = await eventually('api readiness', async () => {
      const response = await request(api.getHttpServer()).get('/ready');
      return response.status === 200 ? response.body : undefined;
    });
    expect(body.status).toBe('ready');
    expect(body.dependencies.map((d: { name: string }) => d.name).sort()).toEqual([
      'flink_jobmanager',
      'flink_sql_gateway',
      'kafka',
      'postgres',
      'redis',
      'schema_registry',
      'sql_analyzer',
    ]);
    expect(body.dependencies.every((d: { status: string }) => d.status === 'up')).toBe(true);
  });

  it('api: serves its OpenAPI document', async () => {
    const response = await request(api.getHttpServer()).get('/openapi.json').expect(200);
    expect(response.body.openapi).toMatch(/^3\./);
    expect(Object.keys(response.body.paths)).toEqual(expect.arrayContaining(['/health', '/ready']));
  });

  it('api: malformed JSON gets a problem+json 400 with a stable code', async () => {
    const response = await request(api.getHttpServer())
      .post('/health')
      .set('content-type', 'application/json')
      .set('x-request-id', 'caller-chosen-id')
      .send('{"statement": ')
      .expect(400);
    expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(response.headers['x-request-id']).toBe('caller-chosen-id');
    expect(response.body).toMatchObject({
      status: 400,
      code: 'MALFORMED_JSON',
      request_id: 'caller-chosen-id',
    });
  });

  it('api: oversized bodies get 413, unknown routes 404, both problem+json without internals', async () => {
    const big = JSON.stringify({ statement: 'x'.repeat(6 * 1024 * 1024) });
    const tooLarge = await request(api.getHttpServer())
      .post('/health')
      .set('content-type', 'application/json')
      .send(big);
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.code).toBe('REQUEST_TOO_LARGE');

    const missing = await request(api.getHttpServer()).get('/no/such/thing').expect(404);
    expect(missing.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(missing.body.code).toBe('ROUTE_NOT_FOUND');
    expect(JSON.stringify(missing.body)).not.toMatch(/at .*\.js|node_modules/);
  });

  it('scheduler and metering: workers connected, dependencies up', async () => {
    for (const [app, worker] of [
      [scheduler, 'worker:statement-reconcile'],
      [metering, 'worker:usage-metering'],
    ] as const) {
      const body = await eventually(`${worker} readiness`, async () => {
        const response = await request(app.getHttpServer()).get('/ready');
        return response.status === 200 ? response.body : undefined;
      });
      expect(body.dependencies).toContainEqual(expect.objectContaining({ name: worker, status: 'up' }));
      await request(app.getHttpServer()).get('/health').expect(200);
    }
  });
});
