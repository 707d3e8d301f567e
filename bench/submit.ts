/**
 * `npm run bench:submit [-- --rounds N]`: median time from submission to a RUNNING Flink job, through
 * Riffle (POST → status.phase RUNNING) and straight to the SQL Gateway (session, the same DDL, the INSERT
 * → JobManager says RUNNING), interleaved on one stack. Target: Riffle adds under 20 % or 300 ms,
 * whichever is larger. A measurement, not a test: exit 0 on FAIL too, 1 only if it could not measure.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { INestApplication } from '@nestjs/common';
import type { StatementRecord } from '@riffle/application';
import { HttpSqlAnalyzer, type JobState, type ResultPage } from '@riffle/flink';
import { transformSync } from '@swc/core';
import { Kafka } from 'kafkajs';
import { stackPaths } from '../deploy/local/src/paths';
import { stackDown, stackUp } from '../deploy/local/src/stack';
import { localStack, localStackOptions, stackEnvironment } from '../deploy/local/src/stack-definition';

// tsx (esbuild) emits no decorator metadata, which Nest's injection needs: Riffle's own .ts files are
// compiled with swc instead (as jest does), so they are loaded lazily through `load`, after this hook
type Loader = (module: { _compile(code: string, file: string): void }, file: string) => void;
const extensions = (Module as unknown as { _extensions: Record<string, Loader> })._extensions;
const tsxLoader = extensions['.ts']!;
extensions['.ts'] = (module, file) => {
  if (file.includes('/node_modules/')) return tsxLoader(module, file);
  const { code } = transformSync(readFileSync(file, 'utf8'), {
    filename: file,
    module: { type: 'commonjs' },
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
    },
  });
  module._compile(code, file);
};
const load = createRequire(__filename);

const flag = process.argv.indexOf('--rounds');
const ROUNDS = flag > 0 ? Number(process.argv[flag + 1]) : 7;
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) throw new Error('--rounds takes a whole number ≥ 1');
/**
 * The bench's own polling, the same for both variants (GET the statement / GET the job): a sample is late
 * by under one interval either way, and 10 requests/s stay light on 2 cores. The scheduler keeps all its
 * defaults: POST enqueues the reconcile at once and a PENDING statement is re-checked every 500 ms
 * whatever the settings, so the sweep and observe intervals play no part in POST → RUNNING.
 */
const POLL_MS = 100;
/** the direct client reads each gateway result as soon as it exists: the baseline is a tight client */
const RESULT_POLL_MS = 20;
const RUNNING_TIMEOUT_MS = 120_000;
const CANCEL_TIMEOUT_MS = 60_000;
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/riffle_bench';
/** a Redis database of its own: the scheduler of a concurrent e2e run never takes the bench's jobs */
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/7';
const LIVE = new Set<JobState>(['INITIALIZING', 'CREATED', 'RUNNING', 'FAILING', 'CANCELLING', 'RESTARTING']);
const say = (message: string) => process.stdout.write(`▸ ${message}\n`);
const aborted = new AbortController();

/** Polls until `probe` answers; an interrupt ends the wait, except a clean-up's. */
async function poll<T>(
  wait: { what: string; timeoutMs: number; everyMs?: number; cleanup?: boolean },
  probe: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + wait.timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`no ${wait.what} after ${wait.timeoutMs / 1000} s`);
    await sleep(wait.everyMs ?? POLL_MS, undefined, { signal: wait.cleanup ? undefined : aborted.signal });
  }
}

type Stats = Record<'median' | 'min' | 'max', number>;
function stats(samples: number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { median: Math.round(median), min: Math.round(s[0]!), max: Math.round(s.at(-1)!) };
}

async function main(): Promise<void> {
  const { PrepareStatementTables } = load('@riffle/application') as typeof import('@riffle/application');
  const { databaseConfig } = load('@riffle/config') as typeof import('@riffle/config');
  const { JobManagerClient, SqlGatewayClient } = load('@riffle/flink') as typeof import('@riffle/flink');
  const { KafkaLogicalClusterLogins, KafkaTopicCatalog } = load(
    '@riffle/kafka',
  ) as typeof import('@riffle/kafka');
  const { createLogger, createWorkerApp } = load(
    '@riffle/observability',
  ) as typeof import('@riffle/observability');
  const persistence = load('@riffle/persistence') as typeof import('@riffle/persistence');
  const { AvroTopics, createTestTenant } = load('@riffle/testing') as typeof import('@riffle/testing');
  const { createApiApp } = load(
    '../apps/api/src/create-api-app',
  ) as typeof import('../apps/api/src/create-api-app');
  const { loadSchedulerConfig, SchedulerModule } = load(
    '../apps/scheduler/src/scheduler.module',
  ) as typeof import('../apps/scheduler/src/scheduler.module');

  const paths = stackPaths();
  const components = localStack(localStackOptions());
  const stack = stackEnvironment();
  const env = { ...process.env, ...stack, DATABASE_URL, REDIS_URL, LOG_LEVEL: 'warn' };
  const jobManager = new JobManagerClient(stack.FLINK_REST_URL!);
  const gateway = new SqlGatewayClient(stack.FLINK_SQL_GATEWAY_URL!);
  const topics = new AvroTopics(stack.KAFKA_BOOTSTRAP_SERVERS!.split(','), stack.SCHEMA_REGISTRY_URL!);
  const catalog = new KafkaTopicCatalog();
  const db = persistence.createDataSource(databaseConfig.load(env));
  const topicNames: string[] = [];
  const jobNames = new Set<string>();
  const suffix = randomUUID().slice(0, 8);
  let started: string[] = [];
  let api: INestApplication | undefined;
  let scheduler: INestApplication | undefined;
  try {
    say('local stack (reused if already running)…');
    started = await stackUp(components, paths, say).catch((e: Error & { started?: string[] }) => {
      started = e.started ?? [];
      throw e;
    });
    await persistence.migrate(databaseConfig.load(env));
    await db.initialize();
    const tenant = await createTestTenant(db, 'bench');
    api = (await createApiApp(env)).app;
    await api.listen(0, '127.0.0.1');
    scheduler = await createWorkerApp(
      SchedulerModule.forRoot(loadSchedulerConfig(env)),
      createLogger('scheduler', 'warn'),
    );
    await scheduler.init();
    const base = await api.getUrl();
    const http = async (method: string, path: string, body?: object) => {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: tenant.authorization, 'content-type': 'application/json' },
        body: body && JSON.stringify(body),
      });
      type Resource = { metadata?: { uid?: string }; status?: { phase?: string; detail?: string } };
      return { status: res.status, body: (await res.json().catch(() => ({}))) as Resource };
    };
    const { environmentId, organizationId, statementsPath } = tenant;
    const registered = await http('POST', '/cmk/v2/clusters', {
      display_name: 'main',
      spec: {
        environment: { id: environmentId },
        bootstrap_servers: stack.KAFKA_BOOTSTRAP_SERVERS,
        schema_registry_url: stack.SCHEMA_REGISTRY_URL,
      },
    });
    if (registered.status !== 201) throw new Error(`registering the Kafka cluster: ${registered.status}`);
    const identities = new persistence.SqlIdentityRepository(db);
    const clusters = new persistence.SqlKafkaClusterRepository(db);
    const tables = new PrepareStatementTables(
      identities,
      clusters,
      catalog,
      new HttpSqlAnalyzer(stack.SQL_ANALYZER_URL ?? 'http://127.0.0.1:18990', 10_000),
      // the bench's database is a registered (external) cluster: no logical cluster logs in
      new KafkaLogicalClusterLogins(new Kafka({ brokers: stack.KAFKA_BOOTSTRAP_SERVERS!.split(',') }), {
        secretsKey: Buffer.from(stack.RIFFLE_SECRETS_KEY!, 'base64'),
        bootstrapServers: stack.KAFKA_TENANT_BOOTSTRAP_SERVERS!.split(','),
        securityProtocol: 'SASL_PLAINTEXT',
      }),
    );
    /** fresh topics per sample, made before the clock starts */
    const insertStatement = async () => {
      const n = topicNames.length / 2 + 1;
      const [source, sink] = [`bench_src_${suffix}_${n}`, `bench_sink_${suffix}_${n}`];
      topicNames.push(source, sink);
      await topics.create(source, 2);
      await topics.create(sink, 1);
      return `INSERT INTO ${sink} SELECT id, customer, amount FROM ${source}`;
    };

    const viaRiffle = async (): Promise<number> => {
      const statement = await insertStatement();
      const name = `bench-${suffix}-${topicNames.length / 2}`;
      const path = `${statementsPath}/${name}`;
      const began = performance.now();
      const post = await http('POST', statementsPath, { name, spec: { statement } });
      if (post.status !== 201) throw new Error(`POST statement: ${post.status} ${JSON.stringify(post.body)}`);
      const uid = post.body.metadata?.uid ?? '';
      jobNames.add(uid);
      try {
        await poll({ what: 'RUNNING statement', timeoutMs: RUNNING_TIMEOUT_MS }, async () => {
          const status = (await http('GET', path)).body.status;
          if (status?.phase === 'FAILED') throw new Error(`statement FAILED: ${status.detail}`);
          return status?.phase === 'RUNNING' || undefined;
        });
        return performance.now() - began;
      } finally {
        await http('DELETE', path);
        await poll(
          { what: 'deletion and CANCELED job', timeoutMs: CANCEL_TIMEOUT_MS, cleanup: true },
          async () => {
            if ((await http('GET', path)).status !== 404) return undefined;
            return (await jobManager.findJobsByName(uid)).every((j) => !LIVE.has(j.state)) || undefined;
          },
        );
      }
    };

    // GET /jobs/:id answers from a cache up to web.refresh-interval (3 s) old; /jobs/overview, which
    // Riffle's scheduler reads, is current
    const stateOf = async (jobId: string): Promise<JobState> =>
      (await jobManager.jobsOverview()).find((j) => j.jid === jobId)?.state ?? 'INITIALIZING';
    const direct = async (): Promise<number> => {
      const statement = await insertStatement();
      const uid = randomUUID();
      jobNames.add(uid);
      // the same DDL Riffle would run (execute reads only these fields), prepared before the clock starts
      const record = { uid, organizationId, environmentId, statement, properties: {} };
      const { setupStatements: setup } = await tables.execute(
        record as Partial<StatementRecord> as StatementRecord,
      );
      const began = performance.now();
      const session = await gateway.openSession(
        { 'pipeline.name': uid, 'execution.runtime-mode': 'streaming' },
        uid,
      );
      let jobId: string | undefined;
      const run = async (sql: string) => {
        const op = await gateway.executeStatement(session, sql);
        const wait = { what: 'gateway result', timeoutMs: RUNNING_TIMEOUT_MS, everyMs: RESULT_POLL_MS };
        return poll(wait, async (): Promise<ResultPage | undefined> => {
          const page = await gateway.fetchResults(op, 0);
          return page.resultType === 'NOT_READY' ? undefined : page;
        });
      };
      try {
        for (const sql of setup) await run(sql);
        const page = await run(statement);
        const id = page.jobID ?? page.results?.data[0]?.fields[0];
        if (typeof id !== 'string') throw new Error('the INSERT answered no job id');
        jobId = id;
        await poll({ what: 'RUNNING job', timeoutMs: RUNNING_TIMEOUT_MS }, async () => {
          const state = await stateOf(id);
          if (!LIVE.has(state)) throw new Error(`job ${id} is ${state}`);
          return state === 'RUNNING' || undefined;
        });
        return performance.now() - began;
      } finally {
        const id = jobId;
        if (id) {
          await jobManager.cancel(id).catch(() => undefined);
          await poll({ what: 'CANCELED job', timeoutMs: CANCEL_TIMEOUT_MS, cleanup: true }, async () =>
            LIVE.has(await stateOf(id)) ? undefined : true,
          );
        }
        await gateway.closeSession(session).catch(() => undefined);
      }
    };

    const { 'slots-available': free, 'slots-total': total } = await jobManager.overview();
    say(`Flink slots free: ${free}/${total} (other users' jobs share the cluster)`);
    const variants = { riffle: viaRiffle, direct };
    const samples = { riffle: [] as number[], direct: [] as number[] };
    const warmup: Record<string, number> = {};
    for (let round = 0; round <= ROUNDS; round++) {
      for (const name of ['riffle', 'direct'] as const) {
        const ms = Math.round(await variants[name]());
        if (round === 0) warmup[name] = ms;
        else samples[name].push(ms);
        say(`${round === 0 ? 'warm-up' : `round ${round}/${ROUNDS}`}  ${name.padEnd(6)} ${ms} ms`);
      }
    }

    const [riffle, gw] = [stats(samples.riffle), stats(samples.direct)];
    const ratio = riffle.median / gw.median;
    const overheadMs = riffle.median - gw.median;
    const allowedMs = Math.round(Math.max(0.2 * gw.median, 300));
    const pass = overheadMs < allowedMs;
    const row = (label: string, s: Stats) =>
      `  ${label} median ${s.median} ms (min ${s.min}, max ${s.max})\n`;
    process.stdout.write(
      `\nsubmission → RUNNING, ${ROUNDS} interleaved rounds (warm-up not counted):\n` +
        row('Riffle        ', riffle) +
        row('direct gateway', gw) +
        `  ratio ${ratio.toFixed(2)}×, Riffle adds ${overheadMs} ms (allowed ${allowedMs} ms = max(20 %, 300 ms))\n` +
        `  ${pass ? 'PASS' : 'FAIL'}\n`,
    );
    const out = join(paths.root, 'bench', 'out');
    mkdirSync(out, { recursive: true });
    const host = { cpus: cpus().length, loadavg: loadavg().map((l) => Number(l.toFixed(2))) };
    const figures = { at: new Date().toISOString(), rounds: ROUNDS, pollMs: POLL_MS, host, warmupMs: warmup };
    const result = {
      samplesMs: samples,
      riffle,
      direct: gw,
      ratio: +ratio.toFixed(3),
      overheadMs,
      allowedMs,
    };
    writeFileSync(join(out, 'submit.json'), `${JSON.stringify({ ...figures, ...result, pass }, null, 2)}\n`);
    say('figures written to bench/out/submit.json');
  } finally {
    await Promise.all([api?.close(), scheduler?.close()]).catch(() => undefined);
    // after an interrupt or a failed sample, no job of the bench may keep its slot
    const left = await jobManager.jobsOverview().catch(() => []);
    for (const job of left.filter((j) => jobNames.has(j.name) && LIVE.has(j.state)))
      await jobManager.cancel(job.jid).catch(() => undefined);
    await topics.delete(topicNames);
    await topics.close().catch(() => undefined);
    await catalog.onApplicationShutdown().catch(() => undefined);
    if (db.isInitialized) await db.destroy();
    if (started.length) await stackDown(components, paths, say, started);
  }
}

// bounded: every wait has a deadline; this catches anything else (warm-up + rounds, 2 samples each)
const budgetMs = 10 * 60_000 + (ROUNDS + 1) * 2 * (RUNNING_TIMEOUT_MS + CANCEL_TIMEOUT_MS);
const watchdog = setTimeout(() => {
  aborted.abort(new Error(`still running after ${budgetMs / 60_000} min`));
  setTimeout(() => process.exit(1), 3 * 60_000).unref(); // the clean-up itself hangs
}, budgetMs).unref();
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, () => aborted.abort(new Error(`interrupted (${signal})`)));

main().then(
  () => clearTimeout(watchdog),
  (error: unknown) => {
    const reason: unknown = aborted.signal.aborted ? aborted.signal.reason : error;
    process.stderr.write(`✗ ${reason instanceof Error ? reason.message : String(reason)}\n`);
    process.exitCode = 1;
    setTimeout(() => process.exit(1), 5_000).unref(); // a failed run must not hang on an open handle
  },
);
