/**
 * The contract every piece of the local stack implements. The launcher (stack.ts) fetches
 * artifacts, calls prepare(), spawns process(), then polls ready() until it says ok.
 */
export interface StackPaths {
  /** repo root */
  root: string;
  /** git-ignored state folder: <root>/.riffle */
  home: string;
  /** downloaded artifacts, reused across runs: <home>/cache */
  cache: string;
  /** per-component data: <home>/data/<component> */
  data(component: string): string;
  /** per-component log file: <home>/logs/<component>.log */
  log(component: string): string;
}

export interface ProcessSpec {
  command: string;
  args: string[];
  env?: Record<string, string>;
  cwd?: string;
  /**
   * Lower CPU priority (`nice`, 1-19): on one machine the data plane (Flink) yields to the control plane
   * and its dependencies, as it would on machines of its own in production.
   */
  niceness?: number;
}

export type Readiness = { ok: true } | { ok: false; waitingFor: string };

export interface StackComponent {
  /** unique, kebab-case: "kafka", "registry", "flink-0-jobmanager" */
  name: string;
  /** ports this component listens on (checked free before start) */
  ports: number[];
  /** idempotent: fetch artifacts into the cache if missing, write config files, format storage */
  prepare(paths: StackPaths, progress: (message: string) => void): Promise<void>;
  /** the foreground process to spawn (it must not daemonize itself) */
  process(paths: StackPaths): ProcessSpec;
  /** one probe; the launcher repeats it until ok or the start timeout */
  ready(): Promise<Readiness>;
  /** how long to wait for ready before giving up */
  startTimeoutMs: number;
  /** components that must be ready before this one starts */
  dependsOn?: string[];
}
