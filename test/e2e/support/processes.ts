import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { get } from 'node:http';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { databaseConfig } from '@riffle/config';
import { createDataSource, migrate } from '@riffle/persistence';

export type AppName = 'api' | 'scheduler' | 'metering';

/** One of Riffle's apps as its own process, from a build made by `buildApps`. */
export interface AppProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** resolves with the exit code (or the signal) once the process has ended */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; atMs: number }>;
  /** everything the app wrote so far (JSON log lines), for failure messages */
  output(): string;
}

const ROOT = resolve(__dirname, '../../..');
const run = promisify(execFile);

/**
 * Compiles the apps the way `npm run build` does (tsc, path aliases), into
 * a directory of the spec's own under .riffle/e2e-build: the apps run as in production, with Nest's
 * decorator metadata (which tsx cannot emit), and a concurrent `npm run build` cannot swap files under
 * them. Returns the directory holding `apps/…/main.js`.
 */
export async function buildApps(name: string): Promise<string> {
  const root = resolve(ROOT, '.riffle/e2e-build', name);
  const dist = resolve(root, 'dist');
  const bin = (tool: string) => resolve(ROOT, 'node_modules/.bin', tool);
  await run(bin('tsc'), ['-p', 'tsconfig.build.json', '--outDir', dist], { cwd: ROOT });
  await run(bin('tsc-alias'), ['-p', 'tsconfig.build.json', '--outDir', dist], { cwd: ROOT });
  return dist;
}

export function startApp(
  dist: string,
  app: AppName,
  env: Record<string, string>,
  name: string = app,
): AppProcess {
  const child = spawn(process.execPath, [resolve(dist, `apps/${app}/src/main.js`)], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const append = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    if (output.length > 2_000_000) output = output.slice(-1_000_000);
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; atMs: number }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal, atMs: Date.now() })),
  );
  return { name, child, exited, output: () => output };
}

/** Sends `signal` and waits for the exit; SIGKILLs it if it is still there after `timeoutMs`. */
export async function stopApp(
  app: AppProcess | undefined,
  signal: NodeJS.Signals = 'SIGTERM',
  timeoutMs = 30_000,
) {
  if (!app || app.child.exitCode !== null || app.child.signalCode !== null) return app?.exited;
  app.child.kill(signal);
  const timer = setTimeout(() => app.child.kill('SIGKILL'), timeoutMs);
  try {
    return await app.exited;
  } finally {
    clearTimeout(timer);
  }
}

/** GET on a fresh connection (no keep-alive pool): the status, or 'refused' when nothing listens. */
export function httpStatus(port: number, path: string): Promise<number | 'refused'> {
  return new Promise((done, fail) => {
    const request = get({ host: '127.0.0.1', port, path, agent: false, timeout: 10_000 }, (response) => {
      response.resume();
      response.on('end', () => done(response.statusCode ?? 0));
    });
    request.on('timeout', () => request.destroy(new Error(`GET ${path} timed out`)));
    request.on('error', (error: NodeJS.ErrnoException) =>
      error.code === 'ECONNREFUSED' || error.code === 'ECONNRESET' ? done('refused') : fail(error),
    );
  });
}

/** Waits until the app answers 200 on /ready, or fails with the app's output. */
export async function waitReady(app: AppProcess, port: number, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (app.child.exitCode !== null)
      throw new Error(`${app.name} exited early:\n${app.output().slice(-4_000)}`);
    if ((await httpStatus(port, '/ready').catch(() => 0)) === 200) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${app.name} not ready after ${timeoutMs} ms:\n${app.output().slice(-4_000)}`);
}

/**
 * A database of its own, dropped and migrated afresh: apps started on it (and their queues, whose
 * prefix follows the database name) never meet another spec's schedulers or statements.
 */
export async function freshDatabase(env: Record<string, string>, name: string): Promise<string> {
  const url = env.DATABASE_URL!.replace(/\/[^/?]+(\?.*)?$/, `/${name}`);
  const options = databaseConfig.load({ ...env, DATABASE_URL: url });
  const maintenance = createDataSource({ ...options, url: url.replace(/\/[^/]+$/, '/postgres') });
  await maintenance.initialize();
  try {
    await maintenance.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await maintenance.destroy();
  }
  await migrate(options);
  return url;
}
