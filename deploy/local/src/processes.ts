import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import type { ProcessSpec } from './component';

/**
 * Stack processes run detached in their own process group, so Ctrl-C in a terminal reaches the
 * launcher only and the launcher stops them in order. A pid file plus a marker on the command line
 * (-Driffle.component=NAME) tells our process apart from an unrelated one that reused the pid.
 */
export function marker(name: string): string {
  return `-Driffle.component=${name}`;
}

/**
 * A detached process leads a session of its own, and with the kernel's autogroup scheduling (on by
 * default) every session is one group that gets an equal share of the CPU whatever its processes' nice
 * values: a JVM's hundred threads at nice 10 still took as much as the API. The group's own nice is what
 * counts between sessions, so it is lowered too. Best effort: kernels without autogroup have no file.
 */
function lowerAutogroup(pid: number, niceness: number): void {
  try {
    writeFileSync(`/proc/${pid}/autogroup`, String(niceness));
  } catch {
    // no autogroup here: the process's own nice value applies
  }
}

export function spawnDetached(name: string, spec: ProcessSpec, logFile: string, runDir: string): number {
  const out = openSync(logFile, 'a');
  const args = spec.command.endsWith('java') ? [marker(name), ...spec.args] : spec.args;
  // nice execs the command: the pid, and the marker on its command line, are the command's own
  const [command, argv] = spec.niceness
    ? ['nice', ['-n', String(spec.niceness), spec.command, ...args]]
    : [spec.command, args];
  const child = spawn(command, argv, {
    cwd: spec.cwd,
    env: { ...process.env, ...spec.env },
    detached: true,
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  if (child.pid === undefined) throw new Error(`${name}: could not spawn ${spec.command}`);
  if (spec.niceness) lowerAutogroup(child.pid, spec.niceness);
  child.unref();
  writeFileSync(pidFile(runDir, name), String(child.pid));
  return child.pid;
}

export function pidFile(runDir: string, name: string): string {
  return join(runDir, `${name}.pid`);
}

/** The pid of our running process for `name`, or undefined (stale pid files are removed). */
export function runningPid(runDir: string, name: string): number | undefined {
  const file = pidFile(runDir, name);
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').trim());
  if (Number.isInteger(pid) && pid > 0 && isOurs(pid, name)) return pid;
  rmSync(file, { force: true });
  return undefined;
}

function isOurs(pid: number, name: string): boolean {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && (cmdline.includes(marker(name)) || !cmdline[0]?.endsWith('java'));
  } catch {
    return false;
  }
}

export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** SIGTERM to the process group, SIGKILL after `graceMs`; resolves when the process is gone. */
export async function stopProcess(runDir: string, name: string, graceMs = 20_000): Promise<boolean> {
  const pid = runningPid(runDir, name);
  if (pid === undefined) return false;
  signalGroup(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (alive(pid) && Date.now() < deadline) await sleep(200);
  if (alive(pid)) {
    signalGroup(pid, 'SIGKILL');
    while (alive(pid)) await sleep(100);
  }
  rmSync(pidFile(runDir, name), { force: true });
  return true;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/**
 * One starter per component across processes: `npm run stack:up`, the test runner's supervisor and a
 * fault test may all try to start a component that died. The winner holds <run>/<name>.starting
 * (created exclusively, holding its pid) from prepare() until the process is spawned and its pid file
 * written; the others wait, then find it running. A lock whose owner died is taken over.
 */
export async function acquireStartLock(
  runDir: string,
  name: string,
  timeoutMs = 15 * 60_000,
): Promise<() => void> {
  const file = join(runDir, `${name}.starting`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => rmSync(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = Number(readText(file).trim());
    // an empty file is a lock being written; a dead owner's lock is stale
    if (Number.isInteger(owner) && owner > 0 && !alive(owner)) {
      rmSync(file, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `${name} is being started by another launcher (pid ${owner || 'unknown'}) for over ${Math.round(timeoutMs / 1000)}s. ` +
          `Stop that process, or remove ${file} if it is gone.`,
      );
    }
    await sleep(100);
  }
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

export function portInUse(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host });
    socket.setTimeout(1_000);
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
    socket.once('error', () => resolve(false));
  });
}

export function tail(file: string, lines = 15): string {
  if (!existsSync(file)) return '(no log written)';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
