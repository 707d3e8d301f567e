/**
 * `npm run bench:load [-- --seconds 60 --connections 200 --rounds 5]`: the API under load. The compiled API
 * runs as its own process on a database of its own (`riffle_load`, recreated); autocannon drives it from
 * this process with 200 concurrent clients for 60 s, mixing statement creates (stopped statements: they are
 * stored and queued, no Flink job), gets, lists and result-page reads (`--seconds 0` skips the mix). Then
 * GET alone, a bare Node HTTP server answering a fixed JSON body, and that server making the GET's one
 * Postgres read, interleaved in rounds, each kind for a third of the mix's time in all, with the same
 * clients: the bare server is the ceiling this machine gives any Node HTTP service, and the GET ratio is
 * quoted against it (the median of the rounds' ratios); the second is the ceiling of any GET that reads
 * Postgres. The CPU each server and the client spent per request is printed too (from /proc). Client and
 * servers share the 2 cores. Afterwards every create answered 201 must be in Postgres (lost writes = 201s
 * without a row). Loopback only, bounded in time; children are stopped by PID. A measurement, not a test:
 * exit 0 on a miss, 1 only if it could not measure.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import autocannon, { type Request, type Result } from 'autocannon';
import { createDataSource } from '@riffle/persistence';
import { createTestTenant, type TestTenant } from '@riffle/testing';
import { Client } from 'pg';

const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const SECONDS = arg('seconds', 60);
/** GET alone and the two bare servers run interleaved, this many rounds each; ratios are the rounds' median */
const ROUNDS = Math.max(1, arg('rounds', 5));
const CONNECTIONS = arg('connections', 200);
const ROOT = join(__dirname, '..');
const ADMIN_URL = process.env.BENCH_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DATABASE = 'riffle_load';
const DATABASE_URL = ADMIN_URL.replace(/\/[^/]+$/, `/${DATABASE}`);
const API_PORT = 18_180;
const BARE_PORT = 18_181;
const READ_PORT = 18_182;
const API = `http://127.0.0.1:${API_PORT}`;
const say = (message: string) => process.stdout.write(`▸ ${message}\n`);
const children: ChildProcess[] = [];

async function freshDatabase(): Promise<void> {
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${DATABASE}`);
  await admin.end();
  execFileSync(process.execPath, [require.resolve('tsx/cli'), 'libs/persistence/src/migrate.cli.ts'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL },
    stdio: 'ignore',
  });
}

function start(name: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4_000)));
  child.once('exit', (code, signal) => {
    if (!stopping) process.stderr.write(`✗ ${name} exited (${signal ?? code}): ${stderr}\n`);
  });
  children.push(child);
  return child;
}

async function waitOk(url: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (
      await fetch(url).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} not ready within 60 s`);
}

let stopping = false;
function stopChildren(): void {
  stopping = true;
  for (const child of children) if (child.exitCode === null && child.pid) process.kill(child.pid, 'SIGKILL');
}

/** CPU time (user + system) a process has used, in µs, from /proc (Linux) */
function cpuMicros(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}
const CLOCK_TICKS = 100;

interface Measured {
  result: Result;
  /** CPU µs the server and this client process spent in the run */
  serverCpu: number;
  clientCpu: number;
}

/** a run, with the CPU the server process and this client process spent */
async function measured(server: ChildProcess, options: autocannon.Options): Promise<Measured> {
  const serverBefore = cpuMicros(server.pid!);
  const clientBefore = process.cpuUsage();
  const result = await run(options);
  const client = process.cpuUsage(clientBefore);
  return {
    result,
    serverCpu: cpuMicros(server.pid!) - serverBefore,
    clientCpu: client.user + client.system,
  };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** the round with the median throughput stands for the kind; CPU per request over all its rounds */
function summary(runs: Measured[]): { result: Result; cpu: string } {
  const byRate = [...runs].sort((a, b) => a.result.requests.average - b.result.requests.average);
  const requests = runs.reduce((sum, r) => sum + r.result.requests.total, 0) || 1;
  const server = runs.reduce((sum, r) => sum + r.serverCpu, 0) / requests;
  const client = runs.reduce((sum, r) => sum + r.clientCpu, 0) / requests;
  return {
    result: byRate[(byRate.length - 1) >> 1]!.result,
    cpu: `server ${server.toFixed(0)} µs, client ${client.toFixed(0)} µs`,
  };
}

function run(options: autocannon.Options): Promise<Result> {
  return new Promise((resolve, reject) => {
    autocannon({ timeout: 10, ...options }, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

interface Row {
  name: string;
  result: Result;
}

function print(rows: Row[]): void {
  console.log(
    `${'traffic'.padEnd(22)} ${'clients'.padStart(7)} ${'req/s'.padStart(8)} ${'p50'.padStart(7)} ${'p99'.padStart(7)} ${'2xx'.padStart(8)} ${'non-2xx'.padStart(8)} ${'5xx'.padStart(6)} ${'errors'.padStart(7)}`,
  );
  for (const { name, result } of rows)
    console.log(
      `${name.padEnd(22)} ${String(result.connections).padStart(7)} ${Math.round(result.requests.average).toLocaleString('en').padStart(8)} ` +
        `${`${result.latency.p50}`.padStart(5)}ms ${`${result.latency.p99}`.padStart(5)}ms ${String(result['2xx']).padStart(8)} ` +
        `${String(result.non2xx).padStart(8)} ${String(result['5xx']).padStart(6)} ${String(result.errors + result.timeouts).padStart(7)}`,
    );
}

async function main(): Promise<void> {
  say(
    `node ${process.version}, ${cpus().length} CPUs, load ${loadavg()[0]!.toFixed(2)}; ${CONNECTIONS} clients, ${SECONDS} s mix`,
  );
  say('building the apps (the bench runs the compiled API)…');
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'ignore' });
  say(`fresh database ${DATABASE}…`);
  await freshDatabase();
  const db = createDataSource({ url: DATABASE_URL, poolSize: 2 });
  await db.initialize();
  const tenant: TestTenant = await createTestTenant(db, 'load');
  const headers = { authorization: tenant.authorization, 'content-type': 'application/json' };

  const env = {
    ...process.env,
    DATABASE_URL,
    DATABASE_POOL_SIZE: process.env.BENCH_POOL_SIZE ?? '20',
    REDIS_QUEUE_PREFIX: 'riffle-load',
    API_PORT: String(API_PORT),
    API_RATE_LIMIT_PER_MINUTE: '10000000',
    API_MAX_STATEMENTS_PER_ENVIRONMENT: '10000000',
    LOG_LEVEL: 'warn',
  };
  // --profile: the API writes a V8 CPU profile to bench/out/ when it exits
  const profile = process.argv.includes('--profile')
    ? ['--cpu-prof', `--cpu-prof-dir=${join(ROOT, 'bench/out')}`]
    : [];
  const api = start(
    'api',
    [
      ...profile,
      ...(process.env.BENCH_API_FLAGS ?? '').split(' ').filter(Boolean),
      join(ROOT, 'dist/apps/api/src/main.js'),
    ],
    env,
  );
  const bareServer = start(
    'bare server',
    [
      '-e',
      `require('node:http').createServer((q, s) => { s.setHeader('content-type', 'application/json'); s.end('{"ok":true}'); }).listen(${BARE_PORT}, '127.0.0.1')`,
    ],
    env,
  );
  // the same server doing nothing but the statement read a GET makes (same SQL, same row, same pool
  // size), without framework, auth or rate limit: the ceiling of any design that reads Postgres per GET
  const readServer = start(
    'bare server + one Postgres read',
    [
      '-e',
      `const pool = new (require('pg').Pool)({ connectionString: process.env.DATABASE_URL, max: 20 });
       const args = ${JSON.stringify([tenant.organizationId, tenant.environmentId, 'load-get'])};
       require('node:http').createServer((q, s) => {
         pool.query('SELECT * FROM statements WHERE organization_id = $1 AND environment_id = $2 AND name = $3', args)
           .then((r) => { s.setHeader('content-type', 'application/json'); s.end(JSON.stringify(r.rows[0] ?? null)); },
                 () => { s.statusCode = 503; s.end(); });
       }).listen(${READ_PORT}, '127.0.0.1')`,
    ],
    env,
  );
  await waitOk(`${API}/ready`);
  await waitOk(`http://127.0.0.1:${BARE_PORT}/`);
  await waitOk(`http://127.0.0.1:${READ_PORT}/`);

  // a statement to get, and one with a page of results to read
  const seed = async (name: string) => {
    const response = await fetch(`${API}${tenant.statementsPath}`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ name, spec: { statement: 'SELECT 1', stopped: true } }),
    });
    if (response.status !== 201)
      throw new Error(`seeding ${name}: ${response.status} ${await response.text()}`);
    return (await response.json()) as { metadata: { uid: string } };
  };
  await seed('load-get');
  const withResults = await seed('load-results');
  await db.query(`UPDATE statements SET phase = 'COMPLETED' WHERE uid = $1`, [withResults.metadata.uid]);
  await db.query(
    `INSERT INTO statement_result_pages (statement_uid, page, rows, last) VALUES ($1, 0, $2, true)`,
    [
      withResults.metadata.uid,
      JSON.stringify(Array.from({ length: 100 }, (_, i) => ({ op: 0, row: [i, `customer-${i}`, i * 1.5] }))),
    ],
  );
  for (let i = 0; i < 50; i++) await seed(`load-list-${i}`);
  // planner statistics, as autovacuum keeps them on any running database (it is off on some dev machines):
  // without them Postgres may read a statement by name through the paging index, scanning the environment
  await db.query('ANALYZE');

  const base = { url: API, headers };
  let sequence = 0;
  const createRequest: Request = {
    method: 'POST',
    path: tenant.statementsPath,
    setupRequest: (request) => {
      const name = `load-create-${++sequence}`;
      return { ...request, body: JSON.stringify({ name, spec: { statement: 'SELECT 1', stopped: true } }) };
    },
  };
  const share = (fraction: number) => Math.max(1, Math.round(CONNECTIONS * fraction));

  say('warm-up 5 s…');
  await run({
    ...base,
    connections: 20,
    duration: 5,
    requests: [{ method: 'GET', path: `${tenant.statementsPath}/load-get` }],
  });

  say(SECONDS > 0 ? `mixed traffic for ${SECONDS} s…` : 'no mixed traffic (--seconds 0)');
  // and keep them current while creates add thousands of rows, as autovacuum's analyze would
  const analyze = setInterval(() => void db.query('ANALYZE statements').catch(() => undefined), 5_000);
  const mix =
    SECONDS > 0
      ? await Promise.all([
          run({ ...base, connections: share(0.1), duration: SECONDS, requests: [createRequest] }).then(
            (result) => ({ name: 'create (POST)', result }),
          ),
          run({
            ...base,
            connections: share(0.5),
            duration: SECONDS,
            requests: [{ method: 'GET', path: `${tenant.statementsPath}/load-get` }],
          }).then((result) => ({ name: 'get', result })),
          run({
            ...base,
            connections: share(0.2),
            duration: SECONDS,
            requests: [{ method: 'GET', path: `${tenant.statementsPath}?page_size=20` }],
          }).then((result) => ({ name: 'list (20 per page)', result })),
          run({
            ...base,
            connections: share(0.2),
            duration: SECONDS,
            requests: [{ method: 'GET', path: `${tenant.statementsPath}/load-results/results` }],
          }).then((result) => ({ name: 'results (100 rows)', result })),
        ])
      : [];

  clearInterval(analyze);
  await db.query('ANALYZE statements');
  // Interleaved rounds: a neighbour's burst on this shared machine then costs one round of each kind
  // rather than a whole measurement of one, and the ratio quoted is the median of the rounds' ratios.
  const slice = Math.max(2, Math.round(Math.max(15, SECONDS) / 3 / ROUNDS));
  say(
    `GET alone, the bare server, the bare server with one Postgres read: ${ROUNDS} rounds of ${slice} s each…`,
  );
  const getRuns: Measured[] = [];
  const bareRuns: Measured[] = [];
  const readRuns: Measured[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    getRuns.push(
      await measured(api, {
        ...base,
        connections: CONNECTIONS,
        duration: slice,
        requests: [{ method: 'GET', path: `${tenant.statementsPath}/load-get` }],
      }),
    );
    bareRuns.push(
      await measured(bareServer, {
        url: `http://127.0.0.1:${BARE_PORT}/`,
        connections: CONNECTIONS,
        duration: slice,
      }),
    );
    readRuns.push(
      await measured(readServer, {
        url: `http://127.0.0.1:${READ_PORT}/`,
        connections: CONNECTIONS,
        duration: slice,
      }),
    );
  }
  const getOnly = summary(getRuns);
  const bare = summary(bareRuns);
  const bareRead = summary(readRuns);
  const rate = (runs: Measured[], round: number) => runs[round]!.result.requests.average;
  const roundRatios = getRuns.map((_, round) => rate(getRuns, round) / rate(bareRuns, round));
  const readRatios = readRuns.map((_, round) => rate(readRuns, round) / rate(bareRuns, round));

  const rows: { name: string }[] = await db.query(
    `SELECT name FROM statements WHERE organization_id = $1 AND name LIKE 'load-create-%'`,
    [tenant.organizationId],
  );
  await db.destroy();
  if (profile.length) {
    api.kill('SIGTERM'); // a clean exit writes the profile
    await new Promise((r) => api.once('exit', r));
  }

  print([
    ...mix,
    { name: 'get alone', result: getOnly.result },
    { name: 'bare node http', result: bare.result },
    { name: 'bare + 1 Postgres read', result: bareRead.result },
  ]);
  console.log(`(get alone and the bare servers: the median of ${ROUNDS} interleaved rounds)`);
  const create = mix[0]?.result;
  const get = mix[1]?.result;
  // every 201 is a stored row; requests cut off when the time ran out may be stored without a counted 201
  const lost = Math.max(0, (create?.['2xx'] ?? 0) - rows.length);
  const fivexx = [...mix.map((r) => r.result), ...getRuns.map((r) => r.result)].reduce(
    (sum, r) => sum + r['5xx'],
    0,
  );
  const ratio = median(roundRatios);
  const percent = (x: number) => `${(x * 100).toFixed(0)}%`;
  console.log(
    `CPU per request: get alone ${getOnly.cpu}; bare ${bare.cpu}; bare + 1 Postgres read ${bareRead.cpu}`,
  );
  console.log(`creates answered 201: ${create?.['2xx'] ?? 0}, stored: ${rows.length}, lost writes: ${lost}`);
  console.log(
    `GET throughput / bare Node server: ${percent(ratio)} (median; rounds ${roundRatios.map(percent).join(', ')})`,
  );
  console.log(
    `bare + 1 Postgres read / bare Node server: ${percent(median(readRatios))} (the ceiling of a GET that reads Postgres); ` +
      `GET / that: ${percent(median(getRuns.map((_, i) => rate(getRuns, i) / rate(readRuns, i))))}`,
  );
  const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');
  console.log(`  zero 5xx ${verdict(fivexx === 0)} (${fivexx})`);
  console.log(`  zero lost writes ${verdict(lost === 0)} (${lost})`);
  if (create && get) {
    console.log(`  create p99 < 500 ms ${verdict(create.latency.p99 < 500)} (${create.latency.p99} ms)`);
    console.log(`  get p99 < 100 ms ${verdict(get.latency.p99 < 100)} (${get.latency.p99} ms)`);
  }
  console.log(`  GET ≥ 40% of the bare server ${verdict(ratio >= 0.4)} (${(ratio * 100).toFixed(0)}%)`);
}

main()
  .catch((error: unknown) => {
    process.stderr.write(
      `✗ bench:load could not measure: ${error instanceof Error ? error.stack : String(error)}\n`,
    );
    process.exitCode = 1;
  })
  .finally(stopChildren);
