import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

/**
 * A PostgreSQL or Redis server of the scenario's own, on its own loopback port and data directory: a
 * fault scenario may kill and restart it by PID without touching the machine's shared servers (which CI
 * and other test runs use). Binaries come from the Debian packages the stack already relies on.
 */
export interface PrivateServer {
  readonly port: number;
  readonly pid: number | undefined;
  /** kills the server (SIGKILL unless told otherwise) and waits for its exit */
  kill(signal?: NodeJS.Signals): Promise<void>;
  start(): Promise<void>;
  /** kills and removes everything it wrote */
  dispose(): Promise<void>;
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    await wait(100);
  }
  throw new Error(`${what} not ready after ${timeoutMs} ms`);
}

abstract class ChildServer implements PrivateServer {
  protected child: ChildProcess | undefined;
  private output = '';

  constructor(readonly port: number) {}

  get pid(): number | undefined {
    return this.child?.exitCode === null && this.child.signalCode === null ? this.child.pid : undefined;
  }

  protected launch(command: string, args: string[], options: { uid?: number; gid?: number } = {}): void {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    const keep = (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-4_000));
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    this.child = child;
  }

  protected failure(what: string): Error {
    return new Error(`${what} on 127.0.0.1:${this.port}: ${this.output}`);
  }

  abstract start(): Promise<void>;

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((done) => child.once('exit', done));
    child.kill(signal);
    await exited;
  }

  async dispose(): Promise<void> {
    await this.kill();
  }
}

function postgresBin(tool: string): string {
  const root = '/usr/lib/postgresql';
  const version = readdirSync(root).sort((a, b) => Number(b) - Number(a))[0];
  if (!version) throw new Error(`no PostgreSQL under ${root}; install the postgresql Debian package`);
  return join(root, version, 'bin', tool);
}

/** PostgreSQL with trust auth for user postgres; as root it runs as the `postgres` system user. */
export class PrivatePostgres extends ChildServer {
  private readonly dir = mkdtempSync(join(tmpdir(), 'riffle-faults-pg-'));
  private readonly owner =
    process.getuid?.() === 0
      ? {
          uid: Number(execFileSync('id', ['-u', 'postgres']).toString()),
          gid: Number(execFileSync('id', ['-g', 'postgres']).toString()),
        }
      : {};

  url(database: string): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  async start(): Promise<void> {
    const data = join(this.dir, 'data');
    if (!existsSync(data)) {
      mkdirSync(data);
      if (this.owner.uid !== undefined) chownSync(this.dir, this.owner.uid, this.owner.gid!);
      if (this.owner.uid !== undefined) chownSync(data, this.owner.uid, this.owner.gid!);
      execFileSync(postgresBin('initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8'], {
        stdio: 'ignore',
        ...this.owner,
      });
    }
    this.launch(
      postgresBin('postgres'),
      [
        '-D',
        data,
        '-p',
        String(this.port),
        '-k',
        this.dir,
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'fsync=off',
      ],
      this.owner,
    );
    await until(`PostgreSQL`, async () => {
      if (!this.pid) throw this.failure('PostgreSQL exited');
      const client = new Client({ connectionString: this.url('postgres'), connectionTimeoutMillis: 1_000 });
      await client.connect();
      await client.end();
      return true;
    }).catch((error: Error) => {
      throw this.pid ? error : this.failure('PostgreSQL did not start');
    });
  }

  async createDatabase(name: string): Promise<string> {
    const client = new Client({ connectionString: this.url('postgres') });
    await client.connect();
    try {
      await client.query(`CREATE DATABASE ${name}`);
    } finally {
      await client.end();
    }
    return this.url(name);
  }

  override async dispose(): Promise<void> {
    await super.dispose();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Redis without persistence: a restart comes back empty, as a lost cache node would. */
export class PrivateRedis extends ChildServer {
  url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.launch('redis-server', [
      '--port',
      String(this.port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
    ]);
    await until('Redis', async () => {
      if (!this.pid) throw this.failure('Redis exited');
      const net = await import('node:net');
      return new Promise<boolean>((done) => {
        const socket = net.connect(this.port, '127.0.0.1');
        socket.once('connect', () => socket.write('PING\r\n'));
        socket.once('data', (data) => (socket.destroy(), done(data.toString().startsWith('+PONG'))));
        socket.once('error', () => done(false));
      });
    });
  }
}
