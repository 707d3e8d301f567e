import { databaseConfig } from '@riffle/config';
import { JobManagerClient } from '@riffle/flink';
import { createDataSource } from '@riffle/persistence';
import {
  AvroTopics,
  createTestTenant,
  eventually,
  referenceUsage,
  stackEnv,
  type TestTenant,
  uniqueSuffix,
} from '@riffle/testing';
import type { DataSource } from 'typeorm';
import { type AppProcess, buildApps, freshDatabase, startApp, stopApp, waitReady } from './support/processes';

const API_PORTS = [18611, 18612] as const;
const SCHEDULER_PORTS = [18613, 18614] as const;
const METERING_PORT = 18615;
const STATEMENTS = 20;
const TERMINAL = ['COMPLETED', 'FAILED', 'STOPPED'];

interface StatementView {
  name: string;
  metadata: { uid: string };
  status: { phase: string; detail?: string };
}

/**
 * The control plane scaled out: two API processes, two schedulers and a metering process on one
 * Postgres and one Redis. Twenty statements, submitted concurrently through both APIs, each get
 * exactly one Flink job, and each is billed exactly as one scheduler would have billed it: one run in
 * the allocation ledger, usage minutes equal to the integral of that run. Own database, own queues.
 */
describe('horizontal scale', () => {
  const env: Record<string, string> = {
    ...stackEnv(),
    SCHEDULER_SWEEP_INTERVAL_MS: '1000',
    SCHEDULER_OBSERVE_INTERVAL_MS: '1000',
    AUTOSCALER_ENABLED: 'false',
    API_DEFAULT_POOL_MAX_CFU: '40',
    METERING_TICK_MS: '1000',
    METERING_CLOSE_GRACE_MS: '1000',
    SHUTDOWN_GRACE_MS: '20000',
    LOG_LEVEL: 'warn',
  };
  const topics = new AvroTopics(env.KAFKA_BOOTSTRAP_SERVERS!.split(','), env.SCHEMA_REGISTRY_URL!);
  const jobManager = new JobManagerClient(env.FLINK_REST_URL!);
  const suffix = uniqueSuffix();
  const source = `hscale_in_${suffix}`;
  const sink = `hscale_out_${suffix}`;
  let db: DataSource;
  let tenant: TestTenant;
  const apps: AppProcess[] = [];

  const call = async (port: number, method: string, path: string, body?: object) => {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, {
      method,
      headers: { authorization: tenant.authorization, 'content-type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: response.status, body: (await response.json()) as unknown };
  };

  beforeAll(async () => {
    env.DATABASE_URL = await freshDatabase(env, 'riffle_hscale');
    const dist = await buildApps('horizontal-scale');
    db = createDataSource(databaseConfig.load(env));
    await db.initialize();
    tenant = await createTestTenant(db, 'hscale');
    const start = (
      app: 'api' | 'scheduler' | 'metering',
      name: string,
      port: number,
      portVariable: string,
    ) => {
      const started = startApp(dist, app, { ...env, [portVariable]: String(port) }, name);
      apps.push(started);
      return waitReady(started, port);
    };
    await Promise.all([
      ...API_PORTS.map((port, i) => start('api', `api-${i}`, port, 'API_PORT')),
      ...SCHEDULER_PORTS.map((port, i) => start('scheduler', `scheduler-${i}`, port, 'SCHEDULER_PORT')),
      start('metering', 'metering', METERING_PORT, 'METERING_PORT'),
    ]);
    const cluster = await call(API_PORTS[0], 'POST', '/cmk/v2/clusters', {
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
    await Promise.all(apps.map((app) => stopApp(app, 'SIGTERM', 20_000)));
    await topics.delete([source, sink]).catch(() => undefined);
    await topics.close();
    await db?.destroy();
  });

  it('gives every statement exactly one Flink job and bills each run once', async () => {
    const started = Date.now();
    // half queries (a Flink job whose rows Riffle pages), half bounded INSERTs (a background job that finishes)
    const specs = Array.from({ length: STATEMENTS }, (_, i) => ({
      name: `hs-${suffix}-${i}`,
      spec:
        i % 2 === 0
          ? { statement: `SELECT ${i} AS n` }
          : {
              statement: `INSERT INTO ${sink} SELECT * FROM ${source}`,
              properties: { 'sql.tables.scan.bounded.mode': 'latest-offset' },
            },
    }));
    const created = await Promise.all(
      specs.map((body, i) => call(API_PORTS[i % 2]!, 'POST', tenant.statementsPath, body)),
    );
    // a refusal shows its problem details
    expect(created.map((c) => (c.status === 201 ? 201 : c))).toEqual(specs.map(() => 201));
    const uids = new Map(
      created.map((c) => [(c.body as StatementView).name, (c.body as StatementView).metadata.uid]),
    );

    const finished = await eventually(
      'every statement to finish',
      async () => {
        const views = await Promise.all(
          specs.map(
            async ({ name }, i) =>
              (await call(API_PORTS[i % 2]!, 'GET', `${tenant.statementsPath}/${name}`))
                .body as StatementView,
          ),
        );
        return views.every((v) => TERMINAL.includes(v.status.phase)) ? views : undefined;
      },
      { timeoutMs: 240_000, intervalMs: 2_000 },
    );
    expect(finished.map((v) => [v.name, v.status.phase])).toEqual(specs.map((s) => [s.name, 'COMPLETED']));

    // exactly one Flink job per statement, and it is the job the statement recorded
    const overview = await jobManager.jobsOverview();
    const recorded: { uid: string; job_id: string | null }[] = await db.query(
      'SELECT uid, job_id FROM statements WHERE organization_id = $1',
      [tenant.organizationId],
    );
    expect(recorded).toHaveLength(STATEMENTS);
    for (const { uid, job_id } of recorded) {
      const jobs = overview.filter((j) => j.name === uid);
      expect({ uid, jobs: jobs.map((j) => j.jid) }).toEqual({ uid, jobs: [job_id] });
    }

    // the ledger holds one run per statement: a start and its end, as one scheduler would write it
    const ledger: { statement_uid: string; cfu: number; reason: string; valid_from: Date }[] = await db.query(
      `SELECT statement_uid, cfu, reason, valid_from FROM allocation_ledger
       WHERE organization_id = $1 ORDER BY statement_uid, valid_from, seq`,
      [tenant.organizationId],
    );
    for (const uid of uids.values()) {
      const runs = ledger.filter((e) => e.statement_uid === uid);
      expect({ uid, ledger: runs.map((e) => [e.reason, e.cfu > 0]) }).toEqual({
        uid,
        ledger: [
          ['start', true],
          ['complete', false],
        ],
      });
    }

    // metering closes each minute once; usage equals an independent integral of the ledger
    const lastMinute = Math.floor(Math.max(...ledger.map((e) => e.valid_from.getTime())) / 60_000) * 60_000;
    await eventually(
      'metering to close the last minute with usage',
      async () => {
        const [row]: { through: Date }[] = await db.query(
          "SELECT through FROM metering_progress WHERE name = 'usage'",
        );
        return row && row.through.getTime() >= lastMinute ? true : undefined;
      },
      { timeoutMs: 100_000, intervalMs: 1_000 },
    );
    const expected = referenceUsage(
      ledger.map((e) => ({ statementUid: e.statement_uid, cfu: e.cfu, validFromMs: e.valid_from.getTime() })),
      lastMinute + 60_000,
    );
    const rows: { statement_uid: string; minute: Date; cfu_ms: string; minimum_top_up_ms: string }[] =
      await db.query(
        'SELECT statement_uid, minute, cfu_ms, minimum_top_up_ms FROM usage_minutes WHERE organization_id = $1',
        [tenant.organizationId],
      );
    const actual = Object.fromEntries(
      rows.map((r) => [`${r.statement_uid}:${r.minute.getTime()}`, `${r.cfu_ms}+${r.minimum_top_up_ms}`]),
    );
    const wanted: Record<string, string> = {};
    for (const [uid, minutes] of expected)
      for (const [minute, u] of minutes) wanted[`${uid}:${minute}`] = `${u.cfuMs}+${u.topUpMs}`;
    expect(actual).toEqual(wanted);
    // every statement billed, at least its one CFU-minute, once
    const billed = new Set(rows.map((r) => r.statement_uid));
    expect([...uids.values()].filter((uid) => !billed.has(uid))).toEqual([]);

    // both schedulers did reconcile work
    for (const port of SCHEDULER_PORTS) {
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      const passes = [
        ...metrics.matchAll(
          /^riffle_queue_job_duration_seconds_count\{[^}]*queue="statement-reconcile"[^}]*\} (\d+)/gm,
        ),
      ].reduce((sum, m) => sum + Number(m[1]), 0);
      expect({ port, worked: passes > 0 }).toEqual({ port, worked: true });
    }
    expect(Date.now() - started).toBeLessThan(360_000);
  }, 420_000);
});
