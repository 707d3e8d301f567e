import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JobManagerClient } from '@riffle/flink';
import {
  AvroTopics,
  createTestTenant,
  eventually,
  readTopicToEnd,
  stackEnv,
  type TestTenant,
  uniqueSuffix,
} from '@riffle/testing';
import { Kafka, logLevel } from 'kafkajs';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { registerKafka, type Riffle, startRiffle } from './support/riffle';

const cfuSecondsToMs = (text: string) => {
  const [whole, fraction = ''] = text.split('.');
  return BigInt(whole!) * 1000n + BigInt(fraction.padEnd(3, '0') || '0');
};

/**
 * A statement runs for a few minutes, is rescaled in place by Flink's adaptive scheduler, and stops. The
 * allocation ledger, the costs API, the CSV and JSON Lines exports, the statement's usage and the
 * CloudEvents on Kafka all agree to the CFU-millisecond.
 */
describe('billing', () => {
  const suffix = uniqueSuffix();
  const exportDir = mkdtempSync(join(tmpdir(), 'riffle-exports-'));
  const eventsTopic = `riffle.billing-e2e-${suffix}`;
  const env: Record<string, string> = {
    ...stackEnv(),
    SCHEDULER_SWEEP_INTERVAL_MS: '1000',
    SCHEDULER_OBSERVE_INTERVAL_MS: '1000',
    METERING_TICK_MS: '500',
    METERING_CLOSE_GRACE_MS: '1000',
    METERING_EVENTS_TOPIC: eventsTopic,
    BILLING_EXPORT_DIR: exportDir,
    BILLING_PRICE_LIST: '{"currency":"USD","defaultUnitPrice":"0.21"}',
    LOG_LEVEL: 'warn',
  };
  const topics = new AvroTopics(env.KAFKA_BOOTSTRAP_SERVERS!.split(','), env.SCHEMA_REGISTRY_URL!);
  const kafka = new Kafka({ brokers: env.KAFKA_BOOTSTRAP_SERVERS!.split(','), logLevel: logLevel.NOTHING });
  const jobManager = new JobManagerClient(env.FLINK_REST_URL!);
  const source = `billing_in_${suffix}`;
  const sink = `billing_out_${suffix}`;
  let riffle: Riffle;
  let db: DataSource;
  let tenant: TestTenant;
  let other: TestTenant;

  const get = (path: string, who: TestTenant = tenant) =>
    request(riffle.api.getHttpServer()).get(path).set('authorization', who.authorization);
  const post = (path: string, who: TestTenant = tenant) =>
    request(riffle.api.getHttpServer()).post(path).set('authorization', who.authorization);
  const today = () => new Date().toISOString().slice(0, 10);
  const dayAfter = (day: string) => new Date(Date.parse(day) + 86_400_000).toISOString().slice(0, 10);

  beforeAll(async () => {
    riffle = await startRiffle(env, { scheduler: true, metering: true });
    db = riffle.db;
    tenant = await createTestTenant(db, 'billing');
    other = await createTestTenant(db, 'billing-other');
    await registerKafka(riffle.api, tenant, env);
  });

  afterAll(async () => {
    await riffle?.close();
    await topics.delete([source, sink]);
    await topics.close();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [eventsTopic] }).catch(() => undefined);
    await admin.disconnect();
    rmSync(exportDir, { recursive: true, force: true });
  });

  it('answers bad ranges and other tenants clearly', async () => {
    const bad = async (query: string, code: string) => {
      const response = await get(`/billing/v1/costs${query}`).expect(400);
      expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(response.body.code).toBe(code);
    };
    await bad('', 'INVALID_DATE');
    await bad('?start_date=2026-02-30&end_date=2026-03-02', 'INVALID_DATE');
    await bad('?start_date=yesterday&end_date=2026-03-02', 'INVALID_DATE');
    await bad('?start_date=2026-03-02&end_date=2026-03-01', 'INVALID_DATE_RANGE');
    await bad('?start_date=2025-01-01&end_date=2026-01-01', 'DATE_RANGE_TOO_LARGE');
    await bad('?start_date=2026-03-01&end_date=2026-03-02&start_date=2026-03-01', 'INVALID_FIELD');
    await bad('?start_date=2026-03-01&end_date=2026-03-02&page_size=0', 'INVALID_PAGE_SIZE');
    await bad('?start_date=2026-03-01&end_date=2026-03-02&page_token=nonsense', 'INVALID_PAGE_TOKEN');
    await request(riffle.api.getHttpServer()).get('/billing/v1/costs').expect(401);

    const badExport = await post('/billing/v1/exports').send({
      start_date: '2026-01-01',
      end_date: '2026-01-01',
    });
    expect(badExport.status).toBe(400);
    expect(badExport.body.code).toBe('INVALID_DATE_RANGE');
    const badFormat = await post('/billing/v1/exports').send({
      start_date: '2026-01-01',
      end_date: '2026-01-02',
      format: 'xlsx',
    });
    expect(badFormat.body.code).toBe('INVALID_EXPORT_FORMAT');
    const created = await post('/billing/v1/exports')
      .send({ start_date: '2026-01-01', end_date: '2026-01-02' })
      .expect(202);
    await get(`/billing/v1/exports/${created.body.id}`, other).expect(404);
    await get(`/billing/v1/exports/${created.body.id}/download`, other).expect(404);
    await get(`/billing/v1/exports/exp-doesnotexist`).expect(404);
  });

  it('bills a rescaled statement identically in the ledger, costs, exports, usage and CloudEvents', async () => {
    const schemaId = await topics.create(source, 2);
    await topics.create(sink, 1);
    await topics.produce(source, schemaId, [{ id: 1, customer: 'a', amount: 1.5 }]);
    const name = `billed-${suffix}`;
    const created = await post(tenant.statementsPath)
      .send({ name, spec: { statement: `INSERT INTO ${sink} SELECT * FROM ${source}` } })
      .expect(201);
    const uid: string = created.body.metadata.uid;
    const statementPath = `${tenant.statementsPath}/${name}`;
    const cfu = (wanted: number) =>
      eventually(
        `${name} to hold ${wanted} CFU`,
        async () => {
          const body = (await get(statementPath)).body;
          if (body.status?.phase === 'FAILED') throw new Error(body.status.detail);
          return body.status?.current_cfu === wanted && body.status.phase === 'RUNNING' ? body : undefined;
        },
        { timeoutMs: 180_000 },
      );
    await cfu(1);

    // Flink's adaptive scheduler rescales the running job in place; Riffle observes and bills it
    const [job] = (await jobManager.findJobsByName(uid)).filter((j) => j.state === 'RUNNING');
    await jobManager.rescale(job!.jid, 2);
    const rescaled = await cfu(2);
    // a few minutes of running: the run crosses several minute boundaries before it stops
    const [started] = await db.query(
      'SELECT valid_from FROM allocation_ledger WHERE statement_uid = $1 ORDER BY seq LIMIT 1',
      [uid],
    );
    const runFor = 150_000 - (Date.now() - (started as { valid_from: Date }).valid_from.getTime());
    if (runFor > 0) await new Promise((r) => setTimeout(r, runFor));
    await request(riffle.api.getHttpServer())
      .put(statementPath)
      .set('authorization', tenant.authorization)
      .send({ metadata: { resource_version: rescaled.metadata.resource_version }, spec: { stopped: true } })
      .expect(200);
    await eventually(
      'the statement to stop',
      async () => ((await get(statementPath)).body.status?.phase === 'STOPPED' ? true : undefined),
      { timeoutMs: 120_000 },
    );

    const ledger: { cfu: number; reason: string; valid_from: Date }[] = await db.query(
      'SELECT cfu, reason, valid_from FROM allocation_ledger WHERE statement_uid = $1 ORDER BY seq',
      [uid],
    );
    expect(ledger.map((e) => [e.cfu, e.reason])).toEqual([
      [1, 'start'],
      [2, 'rescale'],
      [0, 'stop'],
    ]);
    let allocatedMs = 0n;
    for (let i = 0; i + 1 < ledger.length; i++)
      allocatedMs +=
        BigInt(ledger[i]!.cfu) *
        BigInt(ledger[i + 1]!.valid_from.getTime() - ledger[i]!.valid_from.getTime());
    const billedMs = allocatedMs < 60_000n ? 60_000n : allocatedMs;

    // every minute of the run closed and published
    const stopMs = ledger.at(-1)!.valid_from.getTime();
    const stopMinute = stopMs - (stopMs % 60_000);
    await eventually(
      'the run to be closed and published',
      async () => {
        const rows: { name: string; through: Date }[] = await db.query(
          'SELECT name, through FROM metering_progress',
        );
        return rows.length === 2 && rows.every((r) => r.through.getTime() >= stopMinute) ? true : undefined;
      },
      { timeoutMs: 180_000 },
    );

    const startDay = ledger[0]!.valid_from.toISOString().slice(0, 10);
    const endDay = dayAfter(today());
    const sum = (lines: { cfu_seconds: string; billed_cfu_seconds: string }[]) => ({
      cfu: lines.reduce((t, l) => t + cfuSecondsToMs(l.cfu_seconds), 0n),
      billed: lines.reduce((t, l) => t + cfuSecondsToMs(l.billed_cfu_seconds), 0n),
    });
    const exact = { cfu: allocatedMs, billed: billedMs };

    const costs = await get(
      `/billing/v1/costs?start_date=${startDay}&end_date=${endDay}&group_by=statement`,
    ).expect(200);
    const mine = costs.body.data.filter((l: { statement?: { uid: string } }) => l.statement?.uid === uid);
    expect(sum(mine)).toEqual(exact);
    expect(mine[0]).toMatchObject({
      product: 'FLINK',
      line_type: 'FLINK_NUM_CFUS',
      unit: 'CFU-hour',
      price: '0.21',
    });
    const pools = await get(`/billing/v1/costs?start_date=${startDay}&end_date=${endDay}`).expect(200);
    expect(sum(pools.body.data)).toEqual(exact);
    const foreign = await get(`/billing/v1/costs?start_date=${startDay}&end_date=${endDay}`, other).expect(
      200,
    );
    expect(foreign.body.data).toEqual([]);

    const usage = await get(`${statementPath}/usage`).expect(200);
    expect({
      cfu: cfuSecondsToMs(usage.body.cfu_seconds),
      billed: cfuSecondsToMs(usage.body.billed_cfu_seconds),
    }).toEqual(exact);

    for (const format of ['csv', 'jsonl'] as const) {
      const requested = await post('/billing/v1/exports')
        .send({ start_date: startDay, end_date: endDay, format, group_by: 'statement' })
        .expect(202);
      await eventually(`the ${format} export`, async () =>
        (await get(`/billing/v1/exports/${requested.body.id}`)).body.status?.phase === 'COMPLETED'
          ? true
          : undefined,
      );
      const file = await get(`/billing/v1/exports/${requested.body.id}/download`)
        .buffer(true)
        .parse((res, done) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => done(null, text));
        })
        .expect(200);
      const text = file.body as string;
      const lines =
        format === 'jsonl'
          ? text
              .trim()
              .split('\n')
              .map((l) => JSON.parse(l))
              .filter((l) => l.statement?.uid === uid)
          : text
              .trim()
              .split('\n')
              .slice(1)
              .map((l) => l.split(','))
              .filter((c) => c[5] === uid)
              .map((c) => ({ cfu_seconds: c[14]!, billed_cfu_seconds: c[15]! }));
      expect(sum(lines)).toEqual(exact);
    }

    const events = (await readEvents(kafka, eventsTopic)).filter((e) => e.subject === uid);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    expect(sum(events.map((e) => e.data))).toEqual(exact);
  }, 900_000);
});

async function readEvents(
  kafka: Kafka,
  topic: string,
): Promise<{ id: string; subject: string; data: { cfu_seconds: string; billed_cfu_seconds: string } }[]> {
  return (await readTopicToEnd(kafka, topic)).map((value) => JSON.parse(value));
}
