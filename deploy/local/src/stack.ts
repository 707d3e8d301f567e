import { existsSync, readdirSync } from 'node:fs';
import type { Readiness, StackComponent, StackPaths } from './component';
import {
  acquireStartLock,
  alive,
  portInUse,
  runningPid,
  sleep,
  spawnDetached,
  stopProcess,
  tail,
} from './processes';
import { ensureSystemServices } from './system-services';

export type Progress = (message: string) => void;
type Paths = StackPaths & { run: string };

export class StackStartError extends Error {
  override readonly name = 'StackStartError';
}

/**
 * Brings every component up, each once its dependencies are ready; components already running
 * (pid file + marker) are reused. Returns the names this call started, so the caller can stop
 * exactly those. On failure the error names the component, the reason and its log.
 */
export async function stackUp(
  components: StackComponent[],
  paths: Paths,
  progress: Progress,
): Promise<string[]> {
  await ensureSystemServices(progress);
  // Each component this call starts is locked from prepare() to spawn, so a supervisor restarting a
  // dead process and a caller starting it by hand never both start it (the loser's JVM used to
  // overwrite the pid file, fail to bind, and leave the winner running unowned).
  // prepare() may rewrite config and clear scratch folders: only for components about to start.
  // Downloads share one Maven repository, so they run one component at a time, in order (so two
  // launchers take the locks in the same order).
  const locks = new Map<string, () => void>();
  const unlock = (name: string) => {
    locks.get(name)?.();
    locks.delete(name);
  };
  const started: string[] = [];
  try {
    for (const component of components) {
      if (runningPid(paths.run, component.name) !== undefined) continue;
      locks.set(component.name, await acquireStartLock(paths.run, component.name));
      if (runningPid(paths.run, component.name) !== undefined) {
        unlock(component.name); // another launcher started it while we waited
        continue;
      }
      await component.prepare(paths, (m) => progress(`${component.name}: ${m}`));
    }
    const ready = new Map<string, Promise<void>>();
    const startOne = async (component: StackComponent): Promise<void> => {
      await Promise.all((component.dependsOn ?? []).map((d) => ready.get(d)));
      if (!locks.has(component.name)) {
        await waitReady(component, paths, progress, false);
        return;
      }
      try {
        for (const port of component.ports) {
          if (await portInUse(port)) {
            throw new StackStartError(
              `${component.name} cannot start: 127.0.0.1:${port} is already in use by a process the stack did not start. ` +
                'Stop that process, or run `npm run stack:status` to see what is running.',
            );
          }
        }
        const spec = component.process(paths);
        const pid = spawnDetached(component.name, spec, paths.log(component.name), paths.run);
        started.push(component.name);
        progress(
          `${component.name}: started (pid ${pid}, log ${relative(paths, paths.log(component.name))})`,
        );
      } finally {
        unlock(component.name);
      }
      await waitReady(component, paths, progress, true);
    };
    for (const component of components) ready.set(component.name, startOne(component));
    const results = await Promise.allSettled(ready.values());
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) throw failure.reason;
    return started;
  } catch (error) {
    throw Object.assign(error instanceof Error ? error : new Error(String(error)), { started });
  } finally {
    for (const name of [...locks.keys()]) unlock(name);
  }
}

async function waitReady(
  component: StackComponent,
  paths: Paths,
  progress: Progress,
  fresh: boolean,
): Promise<void> {
  const begin = Date.now();
  let lastReport = begin;
  let last: Readiness = { ok: false, waitingFor: 'first probe' };
  while (Date.now() - begin < component.startTimeoutMs) {
    const pid = runningPid(paths.run, component.name);
    if (pid === undefined || !alive(pid)) {
      throw new StackStartError(
        `${component.name} exited during startup. Last lines of ${relative(paths, paths.log(component.name))}:\n` +
          tail(paths.log(component.name)),
      );
    }
    last = await component.ready().catch((error: Error) => ({ ok: false, waitingFor: error.message }));
    if (last.ok) {
      const seconds = ((Date.now() - begin) / 1000).toFixed(1);
      progress(fresh ? `${component.name}: ready in ${seconds}s` : `${component.name}: already running`);
      return;
    }
    if (Date.now() - lastReport > 10_000) {
      lastReport = Date.now();
      progress(
        `${component.name}: waiting for ${last.waitingFor} (${Math.round((Date.now() - begin) / 1000)}s)`,
      );
    }
    await sleep(500);
  }
  throw new StackStartError(
    `${component.name} was not ready after ${component.startTimeoutMs / 1000}s (still waiting for ${last.waitingFor}). ` +
      `Last lines of ${relative(paths, paths.log(component.name))}:\n${tail(paths.log(component.name))}`,
  );
}

/** Stops the named components (all with a pid file when `names` is omitted), dependents first. */
export async function stackDown(
  components: StackComponent[],
  paths: Paths,
  progress: Progress,
  names?: readonly string[],
): Promise<void> {
  const known = new Set(components.map((c) => c.name));
  const orphans = pidFileNames(paths).filter((n) => !known.has(n));
  const targets = names ?? [...components.map((c) => c.name), ...orphans];
  // reverse start order: gateways and TaskManagers before JobManagers, Flink before Kafka
  const ordered = [...components.map((c) => c.name).reverse(), ...orphans].filter((n) => targets.includes(n));
  for (const wave of waves(ordered, components)) {
    await Promise.all(
      wave.map(async (name) => {
        if (await stopProcess(paths.run, name)) progress(`${name}: stopped`);
      }),
    );
  }
}

/** groups names so that a component stops only after everything depending on it has stopped */
function waves(ordered: string[], components: StackComponent[]): string[][] {
  const dependents = new Map<string, string[]>();
  for (const c of components)
    for (const d of c.dependsOn ?? []) dependents.set(d, [...(dependents.get(d) ?? []), c.name]);
  const remaining = new Set(ordered);
  const result: string[][] = [];
  while (remaining.size) {
    const wave = [...remaining].filter((n) => !(dependents.get(n) ?? []).some((d) => remaining.has(d)));
    const next = wave.length ? wave : [...remaining];
    next.forEach((n) => remaining.delete(n));
    result.push(next);
  }
  return result;
}

function pidFileNames(paths: Paths): string[] {
  if (!existsSync(paths.run)) return [];
  return readdirSync(paths.run)
    .filter((f) => f.endsWith('.pid'))
    .map((f) => f.slice(0, -4));
}

export interface ComponentStatus {
  name: string;
  pid?: number;
  ready: boolean;
  detail: string;
}

export async function stackStatus(components: StackComponent[], paths: Paths): Promise<ComponentStatus[]> {
  return Promise.all(
    components.map(async (c) => {
      const pid = runningPid(paths.run, c.name);
      const probe = await c
        .ready()
        .catch((error: Error) => ({ ok: false, waitingFor: error.message }) as Readiness);
      const detail = probe.ok
        ? 'ready'
        : pid === undefined
          ? 'not running'
          : `not ready: ${probe.waitingFor}`;
      return { name: c.name, pid, ready: probe.ok, detail };
    }),
  );
}

function relative(paths: Paths, file: string): string {
  return file.startsWith(paths.root + '/') ? file.slice(paths.root.length + 1) : file;
}

/**
 * Restarts stack processes that die while the stack is in use (like a pod's restart policy).
 * Flink 2.2.0 can kill a TaskManager when a query is cancelled early (FLINK-39330); without this, one
 * such crash leaves the cluster without slots until someone runs `stack:up`.
 */
export function superviseStack(
  components: StackComponent[],
  paths: Paths,
  progress: Progress,
): () => Promise<void> {
  let restarting: Promise<unknown> | undefined;
  const timer = setInterval(() => {
    if (restarting) return;
    const dead = components.filter((c) => runningPid(paths.run, c.name) === undefined);
    if (dead.length === 0) return;
    for (const c of dead) {
      progress(`${c.name}: exited unexpectedly, restarting (log ${relative(paths, paths.log(c.name))})`);
    }
    restarting = stackUp(dead, paths, progress)
      .catch((error: Error) => progress(`restart failed: ${error.message}`))
      .finally(() => (restarting = undefined));
  }, 3_000);
  timer.unref();
  // stopping waits for a restart under way, so shutdown never races a process being started
  return async () => {
    clearInterval(timer);
    await restarting;
  };
}
