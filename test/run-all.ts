/**
 * `npm test`: unit tests, then the real local stack (started if it is not running, and stopped
 * again afterwards if this run started it), migrations on the test database, then e2e tests, then the
 * fault scenarios (whose report goes to .riffle/reports/faults.txt). `--only unit|e2e|faults` runs one
 * tier. Ends with one summary line: "Tests: N passed, N failed".
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { FAULTS_REPORT, renderFaultsReport, type ScenarioRecord } from './faults/support/report';
import { stackPaths } from '../deploy/local/src/paths';
import { alive, runningPid } from '../deploy/local/src/processes';
import { stackDown, stackUp, superviseStack } from '../deploy/local/src/stack';
import { localStack, localStackOptions, stackEnvironment } from '../deploy/local/src/stack-definition';

const paths = stackPaths();
const reports = join(paths.home, 'reports');
mkdirSync(reports, { recursive: true });
const args = process.argv.slice(2);
const only = args[0] === '--only' ? args[1] : undefined;
/** the rest goes to jest, e.g. `npm run test:e2e -- data-path` runs the matching e2e files */
const jestArgs = args.slice(only ? 2 : 0).filter((a) => a !== '--');
const say = (message: string) => process.stdout.write(`▸ ${message}\n`);
const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/riffle_test';

interface Counts {
  passed: number;
  failed: number;
}

/** Runs one jest project in a child process (async, so the memory sampler keeps ticking). */
async function jest(project: string, env: NodeJS.ProcessEnv, extra: string[] = []): Promise<Counts> {
  const outputFile = join(reports, `${project}.json`);
  rmSync(outputFile, { force: true });
  const child = spawn(
    process.execPath,
    [
      require.resolve('jest/bin/jest'),
      '--selectProjects',
      project,
      '--json',
      `--outputFile=${outputFile}`,
      ...extra,
    ],
    { env, stdio: 'inherit', cwd: paths.root },
  );
  // a hung suite must not hang CI: the whole tier gets a generous, bounded time
  const timer = setTimeout(() => {
    process.stderr.write(`✗ jest ${project} still running after 45 minutes; killing it\n`);
    child.kill('SIGKILL');
  }, 45 * 60_000);
  const code = await new Promise<number>((done) => child.once('exit', (c) => done(c ?? 1)));
  clearTimeout(timer);
  try {
    const report = JSON.parse(readFileSync(outputFile, 'utf8')) as {
      numPassedTests: number;
      numFailedTests: number;
      numRuntimeErrorTestSuites: number;
    };
    return {
      passed: report.numPassedTests,
      failed: report.numFailedTests + report.numRuntimeErrorTestSuites,
    };
  } catch {
    return { passed: 0, failed: code === 0 ? 0 : 1 };
  }
}

/** Each run starts from an empty test database: migrations are proven from zero every time. */
async function dropDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = target.pathname.slice(1);
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`unexpected test database name ${name}`);
  target.pathname = '/postgres';
  const client = new Client({ connectionString: target.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/** The fault scenarios' report: printed, and kept next to the jest reports as faults.txt. */
function printFaultsReport(): void {
  let records: ScenarioRecord[] = [];
  try {
    records = readFileSync(FAULTS_REPORT, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as ScenarioRecord);
  } catch {
    // no scenario got as far as its report
  }
  const text = renderFaultsReport(records);
  writeFileSync(join(reports, 'faults.txt'), `${text}\n`);
  process.stdout.write(`\n${text}\n(report: ${join(reports, 'faults.txt')})\n`);
}

/** Samples the resident memory of the stack's processes while tests run. */
class StackMemory {
  peakMiB = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly names: string[]) {}

  start(): void {
    this.timer = setInterval(() => {
      let kib = 0;
      for (const name of this.names) {
        const pid = runningPid(paths.run, name);
        if (pid === undefined) continue;
        try {
          const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
          kib += Number(rss?.[1] ?? 0);
        } catch {
          // process ended between the two reads
        }
      }
      this.peakMiB = Math.max(this.peakMiB, Math.round(kib / 1024));
    }, 2_000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

async function main(): Promise<number> {
  const total: Counts = { passed: 0, failed: 0 };
  const add = (c: Counts) => ((total.passed += c.passed), (total.failed += c.failed));
  const began = Date.now();

  if (only === undefined || only === 'unit') add(await jest('unit', process.env));

  if (only !== 'unit') {
    const components = localStack(localStackOptions());
    let started: string[] = [];
    const memory = new StackMemory(components.map((c) => c.name));
    let stopSupervising = async (): Promise<void> => {};
    const stop = async () => {
      await stopSupervising();
      memory.stop();
      const pids = started
        .map((name) => runningPid(paths.run, name))
        .filter((p): p is number => p !== undefined);
      if (started.length) await stackDown(components, paths, say, started);
      started = [];
      const orphans = pids.filter(alive);
      if (orphans.length) {
        process.stderr.write(`✗ stack processes still alive after shutdown: ${orphans.join(', ')}\n`);
        total.failed += 1;
      }
    };
    process.once('SIGINT', () => void stop().then(() => process.exit(130)));
    process.once('SIGTERM', () => void stop().then(() => process.exit(143)));
    try {
      say('bringing up the local stack (reused if already running)…');
      started = await stackUp(components, paths, say);
      memory.start();
      stopSupervising = superviseStack(
        components.filter((c) => started.includes(c.name)),
        paths,
        say,
      );
      const env = {
        ...process.env,
        ...stackEnvironment(),
        DATABASE_URL: TEST_DATABASE_URL,
        LOG_LEVEL: 'warn',
      };
      say('recreating and migrating the test database…');
      await dropDatabase(TEST_DATABASE_URL);
      const migrate = spawnSync('npm', ['run', '--silent', 'migrate'], {
        env,
        stdio: 'inherit',
        cwd: paths.root,
      });
      if (migrate.status !== 0) throw new Error('migrations failed on the test database');
      if (only !== 'faults') add(await jest('e2e', env, ['--runInBand', ...jestArgs]));
      if (only !== 'e2e') {
        rmSync(FAULTS_REPORT, { force: true });
        add(await jest('faults', env, ['--runInBand', ...jestArgs]));
        printFaultsReport();
      }
    } catch (error) {
      started = [...started, ...((error as { started?: string[] }).started ?? [])];
      process.stderr.write(`✗ ${(error as Error).message}\n`);
      total.failed += 1;
    } finally {
      await stop();
      if (memory.peakMiB > 0)
        say(`stack peak memory (RSS of its JVMs, sampled every 2 s): ${memory.peakMiB} MiB`);
    }
  }

  process.stdout.write(`\nTook ${Math.round((Date.now() - began) / 1000)}s\n`);
  process.stdout.write(`Tests: ${total.passed} passed, ${total.failed} failed\n`);
  return total.failed === 0 && total.passed > 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
