import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { promisify } from 'node:util';
import { portInUse, sleep } from './processes';

const run = promisify(execFile);

/**
 * PostgreSQL and Redis are system services: used as they are when they answer on localhost,
 * otherwise installed from Debian packages and started. They are not stopped by `stack:down`.
 */
export async function ensureSystemServices(progress: (message: string) => void): Promise<void> {
  await Promise.all([ensurePostgres(progress), ensureRedis(progress)]);
}

async function ensurePostgres(progress: (message: string) => void): Promise<void> {
  if (await portInUse(5432)) return;
  if (!existsSync('/usr/bin/pg_ctlcluster')) {
    progress('postgres: not installed, installing the Debian package (needs root)…');
    await aptInstall(['postgresql']);
  }
  const versions = readdirSync('/etc/postgresql');
  const version = versions.sort().at(-1);
  if (!version) throw new Error('postgres: no cluster under /etc/postgresql after install');
  await allowLoopbackTrust(version);
  progress(`postgres: starting cluster ${version}/main…`);
  await run('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start']).catch(
    (error: Error) => {
      throw new Error(`postgres: could not start (${error.message.trim()}); see /var/log/postgresql/`);
    },
  );
  await waitForPort('postgres', 5432);
}

/**
 * A freshly installed local cluster only accepts peer logins; the stack connects over loopback as
 * `postgres`, so trust is granted to 127.0.0.1 and ::1 only (nothing else can reach it).
 */
async function allowLoopbackTrust(version: string): Promise<void> {
  const hba = `/etc/postgresql/${version}/main/pg_hba.conf`;
  const { stdout } = await run('cat', [hba]);
  if (stdout.includes('# riffle-local')) return;
  const rules = '# riffle-local\nhost all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n';
  await run('sh', [
    '-c',
    `printf '%s' "$0" | cat - ${hba} > ${hba}.riffle && mv ${hba}.riffle ${hba}`,
    rules,
  ]);
}

async function ensureRedis(progress: (message: string) => void): Promise<void> {
  if (await portInUse(6379)) return;
  if (!existsSync('/usr/bin/redis-server')) {
    progress('redis: not installed, installing the Debian package (needs root)…');
    await aptInstall(['redis-server']);
  }
  progress('redis: starting on 127.0.0.1:6379…');
  await run('redis-server', [
    '--daemonize',
    'yes',
    '--bind',
    '127.0.0.1',
    '--port',
    '6379',
    '--save',
    '',
    '--appendonly',
    'no',
  ]);
  await waitForPort('redis', 6379);
}

async function aptInstall(packages: string[]): Promise<void> {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    await run('apt-get', ['update', '-q'], { env });
    await run('apt-get', ['install', '-y', '-q', ...packages], { env, maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    throw new Error(
      `apt-get install ${packages.join(' ')} failed: ${(error as Error).message.trim().slice(0, 500)}`,
    );
  }
}

async function waitForPort(name: string, port: number): Promise<void> {
  for (let i = 0; i < 60; i++) {
    if (await portInUse(port)) return;
    await sleep(500);
  }
  throw new Error(`${name}: started but 127.0.0.1:${port} does not answer after 30 s`);
}
