import { databaseConfig } from '@riffle/config';
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
import type { DataSource } from 'typeorm';
import {
  type AppName,
  type AppProcess,
  buildApps,
  freshDatabase,
  startApp,
  stopApp,
  waitReady,
} from '../e2e/support/processes';
import {
  atMostOneFlinkJobPerStatement,
  exactlyOnceOutput,
  noAcknowledgedStatementLost,
  usageEqualsLedger,
} from './support/invariants';
import { FaultScenario } from './support/report';

const PORTS: Record<AppName, number> = { api: 18731, scheduler: 18732, metering: 18733 };
const VARIABLES: Record<AppName, string> = {
  api: 'API_PORT',
  scheduler: 'SCHEDULER_PORT',
  metering: 'METERING_PORT',
};
const ROUNDS = 2;

/**
 * SIGKILL of the scheduler, the metering app and the API while they work, each killed twice right after
 * a batch of submissions and started again (as a crashed pod would be). Every statement the API
 * acknowledged is kept and runs exactly once; the INSERTs' exactly-once sink holds each row once; usage
 * equals the ledger.
 */
describe('app kills', () => {
  const scenario = new FaultScenario('scheduler, metering and API SIGKILLed mid-work, twice each');
  const suffix = uniqueSuffix();
  const source = `kill_in_${suffix}`;
  const sink = `kill_out_${suffix}`;
  const env: Record<string, string> = {
    ...stackEnv(),
    REDIS_QUEUE_PREFIX: `riffle-faults-kills-${suffix}`,
    SCHEDULER_SWEEP_INTERVAL_MS: '1000',
    SCHEDULER_OBSERVE_INTERVAL_MS: '1000',
    AUTOSCALER_ENABLED: 'false',
    API_DEFAULT_POOL_MAX_CFU: '40',
    METERING_TICK_MS: '1000',
    METERING_CLOSE_GRACE_MS: '1000',
    LOG_LEVEL: 'warn',
  };
  const topics = new AvroTopics(env.KAFKA_BOOTSTRAP_SERVERS!.split(','), env.SCHEMA_REGISTRY_URL!);
  const running = new Map<AppName, AppProcess>();
  const everyProcess: AppProcess[] = [];
  const acknowledged: string[] = [];
  let dist: string;
  let db: DataSource;
  let tenant: TestTenant;
  let inserts = 0;

  const start = async (app: AppName) => {
    const started = startApp(dist, app, { ...env, [VARIABLES[app]]: String(PORTS[app]) });
    everyProcess.push(started);
    running.set(app, started);
    await waitReady(started, PORTS[app]);
  };
  const call = async (method: string, path: string, body?: object) => {
    const response = await fetch(`http://127.0.0.1:${PORTS.api}${path}`, {
      method,
      headers: { authorization: tenant.authorization, 'content-type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(15_000),
    });
    return {
      status: response.status,
      body: (await response.json().catch(() => ({}))) as Record<string, unknown>,
    };
  };
  /** a bounded INSERT (copying the source's 3 rows under ids of its own) and a query */
  const batch = async (label: string) => {
    const specs = [0].map((i) => {
      const offset = 3 * inserts++;
      return {
        name: `ins-${label}-${i}-${suffix}`,
        spec: {
          statement: `INSERT INTO ${sink} SELECT id + ${offset} AS id, customer, amount FROM ${source}`,
          properties: { 'sql.tables.scan.bounded.mode': 'latest-offset' },
        },
      };
    });
    specs.push({ name: `sel-${label}-${suffix}`, spec: { statement: 'SELECT 1 AS n' } as never });
    const created = await Promise.all(specs.map((body) => call('POST', tenant.statementsPath, body)));
    created.forEach((c, i) => c.status === 201 && acknowledged.push(specs[i]!.name));
  };

  beforeAll(async () => {
    env.DATABASE_URL = await freshDatabase(env, 'riffle_faults_kills');
    dist = await buildApps('faults');
    db = createDataSource(databaseConfig.load(env));
    await db.initialize();
    tenant = await createTestTenant(db, 'app-kills');
    await Promise.all((['api', 'scheduler', 'metering'] as const).map(start));
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
    await Promise.all(everyProcess.map((app) => stopApp(app, 'SIGKILL')));
    await db?.destroy();
    await topics.delete([source, sink]);
    await topics.close();
  });

  it('keeps every acknowledged statement, runs each once and bills it once', async () => {
    for (let round = 1; round <= ROUNDS; round++) {
      for (const app of ['scheduler', 'metering', 'api'] as const) {
        await batch(`${app}${round}`);
        await stopApp(running.get(app), 'SIGKILL');
        scenario.fault();
        await start(app);
        scenario.recovered();
      }
    }
    const phases = () =>
      db.query('SELECT name, phase, detail FROM statements WHERE organization_id = $1', [
        tenant.organizationId,
      ]) as Promise<{ name: string; phase: string; detail: string }[]>;
    const terminal = await eventually(
      'every acknowledged statement to finish',
      async () => {
        const rows = await phases();
        return rows.length >= acknowledged.length &&
          rows.every((r) => ['COMPLETED', 'FAILED'].includes(r.phase))
          ? rows
          : undefined;
      },
      { timeoutMs: 300_000, intervalMs: 2_000 },
    ).catch(async () => phases());
    // an INSERT carries on from wherever its scheduler died; a query's rows stream through the pass that
    // started it, so one whose scheduler died mid-stream fails with RESULTS_LOST (never stays RUNNING)
    const lost = (r: { name: string; phase: string; detail: string }) =>
      r.name.startsWith('sel-') && r.phase === 'FAILED' && /lost its result stream/.test(r.detail);
    const failed = terminal.filter((r) => r.phase !== 'COMPLETED' && !lost(r));
    const completed = terminal.filter((r) => r.phase === 'COMPLETED').length;
    scenario.check({
      name: 'every acknowledged statement finished: INSERTs COMPLETED, queries COMPLETED or RESULTS_LOST',
      ok: failed.length === 0,
      detail: failed.length
        ? `not finished: ${failed.map((r) => `${r.name} ${r.phase} (${r.detail})`).join(', ')}`
        : `${completed} COMPLETED, ${terminal.length - completed} queries RESULTS_LOST`,
    });
    scenario.check(await noAcknowledgedStatementLost(db, tenant.organizationId, acknowledged));
    scenario.check(
      await atMostOneFlinkJobPerStatement(db, tenant.organizationId, [env.FLINK_REST_URL!], { strict: true }),
    );
    const expected = 3 * inserts;
    const ids = (await topics.readAll<Order>(sink, expected, 60_000)).map((o) => o.id);
    // give a late duplicate a moment to show up
    await new Promise((r) => setTimeout(r, 2_000));
    scenario.check(exactlyOnceOutput(sink, ids, expected));
    scenario.check(await usageEqualsLedger(db, tenant.organizationId));
    scenario.finish();
  });
});
