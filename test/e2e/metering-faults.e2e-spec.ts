import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { databaseConfig } from '@riffle/config';
import { createDataSource, migrate } from '@riffle/persistence';
import {
  createTestTenant,
  eventually,
  insertLedger,
  randomLedger,
  readTopicToEnd,
  referenceUsage,
  stackEnv,
  uniqueSuffix,
} from '@riffle/testing';
import { Kafka, logLevel } from 'kafkajs';
import type { DataSource } from 'typeorm';

/**
 * The metering app SIGKILLed again and again while it closes a day of minutes, then started after a
 * (simulated) 30-minute outage: every usage record and every CloudEvent exists exactly once and equals
 * an independent integration of the ledger. Runs against its own database so its clock is its own.
 */
describe('metering under SIGKILL', () => {
  const suffix = uniqueSuffix();
  const databaseUrl = stackEnv().DATABASE_URL!.replace(/\/[^/]+$/, '/riffle_metering_faults');
  const topic = `riffle.usage-faults-${suffix}`;
  const env: Record<string, string> = {
    ...stackEnv(),
    DATABASE_URL: databaseUrl,
    METERING_PORT: '18592',
    METERING_TICK_MS: '100',
    METERING_EVENTS_TOPIC: topic,
    LOG_LEVEL: 'warn',
  };
  const kafka = new Kafka({ brokers: env.KAFKA_BOOTSTRAP_SERVERS!.split(','), logLevel: logLevel.NOTHING });
  let db: DataSource;
  let metering: ChildProcess | undefined;

  const start = (graceMs: number): ChildProcess =>
    spawn(process.execPath, ['--import', 'tsx', resolve(__dirname, '../../apps/metering/src/main.ts')], {
      env: { ...process.env, ...env, METERING_CLOSE_GRACE_MS: String(graceMs) },
      stdio: 'ignore',
    });
  const kill = async (child: ChildProcess | undefined, signal: NodeJS.Signals) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    await exited;
  };
  const up = () =>
    eventually(
      'the metering app to answer',
      async () =>
        (await fetch('http://127.0.0.1:18592/health').catch(() => undefined))?.ok ? true : undefined,
      { intervalMs: 100 },
    );
  const progress = async (name: string): Promise<number | undefined> => {
    const [row]: { through: Date }[] = await db.query(
      'SELECT through FROM metering_progress WHERE name = $1',
      [name],
    );
    return row?.through.getTime();
  };

  beforeAll(async () => {
    const options = databaseConfig.load(env);
    const maintenance = createDataSource({ ...options, url: databaseUrl.replace(/\/[^/]+$/, '/postgres') });
    await maintenance.initialize();
    await maintenance.query('DROP DATABASE IF EXISTS riffle_metering_faults WITH (FORCE)');
    await maintenance.destroy();
    await migrate(options);
    db = createDataSource(options);
    await db.initialize();
  });

  afterAll(async () => {
    await kill(metering, 'SIGKILL');
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
    await db?.destroy();
  });

  it('bills every minute exactly once through kills and an outage', async () => {
    const tenant = await createTestTenant(db, 'meter');
    const now = Date.now();
    const nowMinute = now - (now % 60_000);
    // a day of history, the last 30 minutes of it written while metering is "down"
    const ledger = randomLedger(120, nowMinute - 24 * 3_600_000, nowMinute - 2 * 60_000, 7);
    await insertLedger(db, tenant.organizationId, tenant.environmentId, ledger);
    const outageStart = nowMinute - 32 * 60_000;

    // phase 1: catch up on the day while being killed every 0.7-2 s
    let kills = 0;
    for (let round = 0; round < 60; round++) {
      metering = start(now - outageStart);
      await up();
      await new Promise((r) => setTimeout(r, 200 + Math.random() * 800));
      const through = await progress('usage');
      if (through !== undefined && through >= outageStart - 2 * 60_000) break;
      await kill(metering, 'SIGKILL');
      kills++;
    }
    await kill(metering, 'SIGKILL');
    expect(kills).toBeGreaterThanOrEqual(3);

    // phase 2: back after the outage with the normal grace: closes the last half hour, killed twice more
    for (let i = 0; i < 2; i++) {
      metering = start(1_000);
      await up();
      await new Promise((r) => setTimeout(r, Math.random() * 500));
      await kill(metering, 'SIGKILL');
    }
    metering = start(1_000);
    const closedThrough = nowMinute - 60_000;
    await eventually(
      'every minute to be closed and published',
      async () =>
        ((await progress('usage')) ?? 0) >= closedThrough &&
        ((await progress('events')) ?? 0) >= closedThrough
          ? true
          : undefined,
      { timeoutMs: 120_000 },
    );
    await kill(metering, 'SIGTERM');

    const expected = referenceUsage(ledger, closedThrough + 60_000);
    const rows: { statement_uid: string; minute: Date; cfu_ms: string; minimum_top_up_ms: string }[] =
      await db.query(
        'SELECT statement_uid, minute, cfu_ms, minimum_top_up_ms FROM usage_minutes WHERE minute <= $1',
        [new Date(closedThrough)],
      );
    const actual = new Map<string, string>();
    for (const r of rows)
      actual.set(`${r.statement_uid}:${r.minute.getTime()}`, `${r.cfu_ms}+${r.minimum_top_up_ms}`);
    const wanted = new Map<string, string>();
    for (const [uid, minutes] of expected)
      for (const [minute, u] of minutes) wanted.set(`${uid}:${minute}`, `${u.cfuMs}+${u.topUpMs}`);
    expect(actual.size).toBe(wanted.size);
    expect(Object.fromEntries(actual)).toEqual(Object.fromEntries(wanted));

    // CloudEvents: one per record, ids unique, quantities identical
    const events = (await readTopicToEnd(kafka, topic)).map(
      (value) => JSON.parse(value) as { id: string; data: { cfu_seconds: string } },
    );
    const ids = events.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(rows.length);
    const byId = new Map(events.map((e) => [e.id, e]));
    for (const r of rows) {
      const minuteKey = new Date(r.minute).toISOString().slice(0, 16) + 'Z';
      const event = byId.get(`${r.statement_uid}:${minuteKey}`);
      expect(event?.data.cfu_seconds).toBe(formatMs(BigInt(r.cfu_ms)));
    }
  }, 600_000);
});

const formatMs = (ms: bigint) => {
  const whole = ms / 1000n;
  const fraction = (ms % 1000n).toString().padStart(3, '0').replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}` : `${whole}`;
};
