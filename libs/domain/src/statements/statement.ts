/** DESIGN §3: the phases a statement moves through. */
export const STATEMENT_PHASES = [
  'PENDING',
  'RUNNING',
  'COMPLETED',
  'DELETING',
  'FAILING',
  'FAILED',
  'STOPPING',
  'STOPPED',
  'DEGRADED',
] as const;
export type StatementPhase = (typeof STATEMENT_PHASES)[number];

/** phases that need no further work from the scheduler */
export const TERMINAL_PHASES: readonly StatementPhase[] = ['COMPLETED', 'FAILED', 'STOPPED'];

export type ExecutionMode = 'metadata' | 'foreground' | 'background';

/** Flink's job states as JobManager REST reports them */
export type FlinkJobState =
  | 'INITIALIZING'
  | 'CREATED'
  | 'RUNNING'
  | 'FAILING'
  | 'FAILED'
  | 'CANCELLING'
  | 'CANCELED'
  | 'FINISHED'
  | 'RESTARTING'
  | 'SUSPENDED'
  | 'RECONCILING';

const LIVE_JOB_STATES: readonly FlinkJobState[] = [
  'INITIALIZING',
  'CREATED',
  'RUNNING',
  'FAILING',
  'CANCELLING',
  'RESTARTING',
  'RECONCILING',
];

export function isLiveJob(state: FlinkJobState): boolean {
  return LIVE_JOB_STATES.includes(state);
}
