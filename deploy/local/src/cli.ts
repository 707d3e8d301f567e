import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { stackPaths } from './paths';
import { tail } from './processes';
import { localStack, localStackOptions, stackEnvironment } from './stack-definition';
import { stackDown, stackStatus, stackUp, superviseStack } from './stack';
import { addCell, growCell, listCells, removeCell } from './cells';

const paths = stackPaths();
const say = (message: string): void => void process.stdout.write(`▸ ${message}\n`);
const APPS = [
  { name: 'api', entry: 'dist/apps/api/src/main.js', health: 'http://127.0.0.1:8080/ready' },
  { name: 'scheduler', entry: 'dist/apps/scheduler/src/main.js', health: 'http://127.0.0.1:8091/ready' },
  { name: 'metering', entry: 'dist/apps/metering/src/main.js', health: 'http://127.0.0.1:8092/ready' },
] as const;

async function up(): Promise<string[]> {
  const components = localStack(localStackOptions());
  try {
    return await stackUp(components, paths, say);
  } catch (error) {
    const started = (error as { started?: string[] }).started ?? [];
    process.stderr.write(`✗ ${(error as Error).message}\n`);
    if (started.length) {
      say('stopping what this run started…');
      await stackDown(components, paths, say, started);
    }
    process.exit(1);
  }
}

async function down(names?: string[]): Promise<void> {
  await stackDown(localStack(localStackOptions()), paths, say, names);
}

async function status(): Promise<void> {
  const rows = await stackStatus(localStack(localStackOptions()), paths);
  for (const row of rows) {
    process.stdout.write(
      `${row.ready ? '✓' : '✗'} ${row.name.padEnd(28)} ${String(row.pid ?? '-').padEnd(8)} ${row.detail}\n`,
    );
  }
  for (const [name, value] of Object.entries(stackEnvironment()))
    process.stdout.write(`  ${name}=${name === 'RIFFLE_SECRETS_KEY' ? '(in .riffle/secrets-key)' : value}\n`);
}

/** `npm start`: the stack, migrations, a build, the three apps; Ctrl-C stops all of it. */
async function start(): Promise<void> {
  const started = await up();
  const env = { ...process.env, ...stackEnvironment() };
  let stopping = false;
  const children: { name: string; child: ChildProcess }[] = [];
  const stopSupervising = superviseStack(
    localStack(localStackOptions()).filter((c) => started.includes(c.name)),
    paths,
    say,
  );
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await stopSupervising();
    say('shutting down…');
    await Promise.all(
      children.map(
        ({ child }) =>
          new Promise<void>((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
            setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
          }),
      ),
    );
    await down(started);
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  for (const step of [
    ['migrate', ['run', 'migrate']],
    ['build', ['run', 'build']],
  ] as const) {
    say(`${step[0]}…`);
    const result = spawnSync('npm', [...step[1]], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      encoding: 'utf8',
    });
    if (result.status !== 0) {
      process.stderr.write(`✗ ${step[0]} failed:\n${result.stdout}${result.stderr}\n`);
      return shutdown(1);
    }
  }
  const admin = spawnSync(
    process.execPath,
    [resolve(paths.root, 'dist/apps/api/src/create-admin-key.cli.js'), resolve(paths.home, 'admin-key.json')],
    { env, encoding: 'utf8' },
  );
  if (admin.status !== 0) {
    process.stderr.write(`✗ could not create the local admin key: ${admin.stderr}\n`);
    return shutdown(1);
  }
  // locally the "local" organization is the platform operator: its admin key opens /admin/queues
  const local = JSON.parse(readFileSync(resolve(paths.home, 'admin-key.json'), 'utf8')) as {
    organizationId: string;
  };
  env.API_OPERATOR_ORGANIZATION_ID ??= local.organizationId;
  for (const app of APPS) {
    const log = openSync(paths.log(app.name), 'a');
    const child = spawn(process.execPath, [resolve(paths.root, app.entry)], {
      env,
      stdio: ['ignore', log, log],
    });
    children.push({ name: app.name, child });
    child.once('exit', (code, signal) => {
      if (stopping) return;
      process.stderr.write(
        `✗ ${app.name} exited (${signal ?? code}). Last lines of its log:\n${tail(paths.log(app.name))}\n`,
      );
      void shutdown(1);
    });
    say(`${app.name}: started (log .riffle/logs/${app.name}.log)`);
  }
  try {
    for (const app of APPS) await waitHttpOk(app.name, app.health);
  } catch (error) {
    process.stderr.write(`✗ ${(error as Error).message}\n`);
    return shutdown(1);
  }
  process.stdout.write(
    '\nRiffle is ready.\n  API          http://127.0.0.1:8080   (OpenAPI: /openapi.json, docs: /docs)\n' +
      '  Queues       http://127.0.0.1:8080/admin/queues   (sign in with the admin key)\n',
  );
  process.stdout.write(admin.stdout);
  process.stdout.write(
    `  Flink        ${stackEnvironment().FLINK_REST_URL}  (web UI)\nPress Ctrl-C to stop everything.\n`,
  );
}

async function waitHttpOk(name: string, url: string): Promise<void> {
  const begin = Date.now();
  let reason = 'no answer';
  while (Date.now() - begin < 120_000) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      if (response.ok) return say(`${name}: ready`);
      reason = await response.text();
    } catch (error) {
      reason = (error as Error).message;
    }
    await new Promise((r) => setTimeout(r, 1_000));
  }
  throw new Error(`${name} not ready after 120 s: ${reason}`);
}

/**
 * `cell list | add <taskManagers> | grow <cell-N> <taskManagers> | remove <cell-N>`: the scheduler's
 * `local` fleet provider runs these. Progress goes to stderr, the answer (JSON) to stdout.
 */
async function cell(): Promise<void> {
  const [action, first, second] = rest;
  const progress = (m: string) => void process.stderr.write(`▸ ${m}\n`);
  const slots = localStackOptions().slotsPerTaskManager;
  const count = (raw: string | undefined) => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1 || n > 16)
      throw new Error(`TaskManager count must be 1..16, got ${raw}`);
    return n;
  };
  const answer = (value: unknown) => void process.stdout.write(`${JSON.stringify(value)}\n`);
  if (action === 'list') return answer(listCells(paths));
  if (action === 'add') return answer(await addCell(paths, count(first), slots, progress));
  if (action === 'grow' && first) return growCell(paths, first, count(second), slots, progress);
  if (action === 'remove' && first) return removeCell(paths, first, progress);
  throw new Error(
    'usage: cli.ts cell list | add <taskManagers> | grow <cell-N> <taskManagers> | remove <cell-N>',
  );
}

const [command, ...rest] = process.argv.slice(2);
const commands: Record<string, () => Promise<unknown>> = {
  up,
  down: () => down(rest.length ? rest : undefined),
  status,
  start,
  cell,
};
const run = command ? commands[command] : undefined;
if (!run) {
  process.stderr.write('usage: cli.ts up | down [component…] | status | start | cell …\n');
  process.exit(2);
}
run().catch((error: unknown) => {
  process.stderr.write(`✗ ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
