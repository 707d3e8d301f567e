import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StackComponent } from './component';
import { acquireStartLock, alive, runningPid } from './processes';
import { stackDown, stackUp } from './stack';

// Postgres and Redis are not this spec's business
jest.mock('./system-services', () => ({ ensureSystemServices: async () => undefined }));

describe('starting a component from two launchers at once', () => {
  let root: string;
  let paths: Parameters<typeof stackUp>[1];

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'riffle-stack-'));
    paths = {
      root,
      home: root,
      cache: root,
      run: root,
      data: (c: string) => join(root, c),
      log: (c: string) => join(root, `${c}.log`),
    };
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const sleeper = (prepared: string[]): StackComponent => ({
    name: 'sleeper',
    ports: [],
    prepare: async () => {
      prepared.push('sleeper');
      await new Promise((resolve) => setTimeout(resolve, 200)); // a slow prepare widens the race
    },
    process: () => ({ command: process.execPath, args: ['-e', 'setInterval(() => {}, 1000)'] }),
    ready: async () => ({ ok: true }),
    startTimeoutMs: 10_000,
  });

  it('spawns the process once; the second launcher waits and reuses it', async () => {
    const prepared: string[] = [];
    const component = sleeper(prepared);
    const [first, second] = await Promise.all([
      stackUp([component], paths, () => undefined),
      stackUp([component], paths, () => undefined),
    ]);
    try {
      expect(prepared).toEqual(['sleeper']);
      expect([...first, ...second]).toEqual(['sleeper']);
      expect(alive(runningPid(root, 'sleeper')!)).toBe(true);
    } finally {
      await stackDown([component], paths, () => undefined);
    }
    expect(runningPid(root, 'sleeper')).toBeUndefined();
  });

  it('a lock is held until released, then taken by the waiter', async () => {
    const release = await acquireStartLock(root, 'jm');
    let taken = false;
    const waiter = acquireStartLock(root, 'jm').then((r) => ((taken = true), r));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(taken).toBe(false);
    release();
    (await waiter)();
    expect(taken).toBe(true);
  });

  it('takes over the lock of a launcher that died', async () => {
    const dead = spawnSync('true').pid;
    writeFileSync(join(root, 'jm.starting'), String(dead));
    const release = await acquireStartLock(root, 'jm', 1_000);
    release();
  });

  it('gives up on a live holder with a message that says what to do', async () => {
    const release = await acquireStartLock(root, 'jm');
    await expect(acquireStartLock(root, 'jm', 300)).rejects.toThrow(
      `jm is being started by another launcher (pid ${process.pid})`,
    );
    release();
  });
});
