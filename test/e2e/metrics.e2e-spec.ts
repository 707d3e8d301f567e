import { createTestTenant, eventually, stackEnv, type TestTenant } from '@riffle/testing';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { as, type Riffle, startRiffle } from './support/riffle';

const scrape = async (app: INestApplication) => {
  const response = await request(app.getHttpServer()).get('/metrics').expect(200);
  expect(response.headers['content-type']).toMatch(/^text\/plain/);
  return response.text;
};

/** a sample's value: `name{labels…} value`, the labels given must all be present */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

/** After real work, each app's /metrics exposes the operations series with sensible values. */
describe('metrics', () => {
  const env = { ...stackEnv(), METERING_TICK_MS: '200', METERING_CLOSE_GRACE_MS: '1000', LOG_LEVEL: 'warn' };
  let riffle: Riffle;
  let tenant: TestTenant;

  beforeAll(async () => {
    riffle = await startRiffle(env, { scheduler: true, metering: true });
    tenant = await createTestTenant(riffle.db, 'metrics');
  });

  afterAll(async () => {
    await riffle?.close();
  });

  it('counts requests, statements, pools, queue jobs, Flink calls and metering lag', async () => {
    const client = as(riffle.api, tenant);
    await client
      .post(tenant.statementsPath)
      .send({ name: 'counted', spec: { statement: "SELECT * FROM (VALUES (1, 'a')) AS t(id, word)" } })
      .expect(201);
    await eventually('the SELECT to complete', async () =>
      (await client.get(`${tenant.statementsPath}/counted`)).body.status?.phase === 'COMPLETED'
        ? true
        : undefined,
    );

    const api = await scrape(riffle.api);
    expect(
      sample(api, 'riffle_http_request_duration_seconds_count', {
        method: 'POST',
        route: '/sql/v1/organizations/:org/environments/:env/statements',
        status: '201',
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(sample(api, 'riffle_process_resident_memory_bytes')).toBeGreaterThan(0);

    const scheduler = await scrape(riffle.scheduler!);
    expect(sample(scheduler, 'riffle_statements', { phase: 'COMPLETED' })).toBeGreaterThanOrEqual(1);
    expect(sample(scheduler, 'riffle_compute_pool_cfu', { kind: 'max' })).toBeGreaterThanOrEqual(1);
    expect(
      sample(scheduler, 'riffle_queue_jobs', { queue: 'statement-reconcile', state: 'wait' }),
    ).toBeGreaterThanOrEqual(0);
    expect(
      sample(scheduler, 'riffle_queue_job_duration_seconds_count', {
        queue: 'statement-reconcile',
        outcome: 'done',
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sample(scheduler, 'riffle_flink_request_duration_seconds_count', { method: 'POST' }),
    ).toBeGreaterThanOrEqual(1);
    const submitToRunning = sample(scheduler, 'riffle_statement_submit_to_running_seconds', {
      quantile: '0.5',
    });
    expect(submitToRunning).toBeGreaterThan(0);
    expect(submitToRunning).toBeLessThan(120);
    expect(sample(scheduler, 'riffle_autoscaler_decisions', { action: 'scale-up' })).toBeGreaterThanOrEqual(
      0,
    );
    // the statement ran on a registered cell of the fleet, whose slots the watch has read
    expect(
      sample(scheduler, 'riffle_flink_cells', { state: 'ACTIVE', kind: 'cells' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sample(scheduler, 'riffle_flink_cells', { state: 'ACTIVE', kind: 'slots' }),
    ).toBeGreaterThanOrEqual(1);

    const lag = await eventually('metering to report its lag', async () =>
      sample(await scrape(riffle.metering!), 'riffle_metering_lag_seconds', { loop: 'usage' }),
    );
    expect(lag).toBeGreaterThanOrEqual(0);
  });
});
