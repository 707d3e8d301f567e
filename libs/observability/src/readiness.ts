/** Nest token for the list of probes an app's readiness depends on. */
export const DEPENDENCY_PROBES = Symbol('DEPENDENCY_PROBES');

/** One external dependency an app needs to do its work (Postgres, Redis, Kafka, registry, Flink). */
export abstract class DependencyProbe {
  abstract readonly name: string;
  /** resolves when the dependency answers; rejects with a short, caller-safe reason */
  abstract check(): Promise<void>;
}

export interface DependencyStatus {
  name: string;
  status: 'up' | 'down';
  latency_ms: number;
  reason?: string;
}

export interface ReadinessReport {
  status: 'ready' | 'not_ready' | 'shutting_down';
  dependencies: DependencyStatus[];
}

/** what `/ready` answers (with 503) once shutdown has begun; dependencies are no longer probed */
export const SHUTTING_DOWN: Readonly<ReadinessReport> = { status: 'shutting_down', dependencies: [] };

const PROBE_TIMEOUT_MS = 3_000;

async function probe(dependency: DependencyProbe): Promise<DependencyStatus> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      dependency.check(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)),
          PROBE_TIMEOUT_MS,
        );
      }),
    ]);
    return { name: dependency.name, status: 'up', latency_ms: Math.round(performance.now() - started) };
  } catch (error) {
    return {
      name: dependency.name,
      status: 'down',
      latency_ms: Math.round(performance.now() - started),
      reason: error instanceof Error ? error.message : String(error),
    };
  } finally {
    clearTimeout(timer);
  }
}

/** Probes every dependency concurrently; ready only when all are up. */
export async function checkReadiness(dependencies: readonly DependencyProbe[]): Promise<ReadinessReport> {
  const statuses = await Promise.all(dependencies.map(probe));
  return {
    status: statuses.every((s) => s.status === 'up') ? 'ready' : 'not_ready',
    dependencies: statuses,
  };
}

/** Route metadata: reachable without credentials (health, readiness). */
export const PUBLIC_ROUTE = 'riffle:public-route';
