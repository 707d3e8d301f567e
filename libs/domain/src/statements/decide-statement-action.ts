import type { CollapsedFailure } from './flink-failure';
import { type FlinkJobState, isLiveJob, type StatementPhase } from './statement';

/** What the scheduler knows from Postgres: the desired spec and the status it last recorded. */
export interface StatementSnapshot {
  phase: StatementPhase;
  /** desired: spec.stopped */
  stopped: boolean;
  /** the Flink job Riffle recorded for this statement, if any */
  jobId: string | null;
  /** the savepoint the last stop produced; a resume restores from it */
  savepointPath: string | null;
}

/** What the scheduler observed on Flink: every job named after the statement's uid, newest first. */
export interface ObservedJobs {
  jobs: { id: string; state: FlinkJobState }[];
  /** the newest failure of the recorded job while it restarts, when it is the user's (observed only then) */
  userFailure?: CollapsedFailure;
}

export type StatementAction =
  | { type: 'none' }
  /** start the Flink job; restore from the savepoint when there is one */
  | { type: 'submit'; savepointPath: string | null }
  /** a live job exists that Riffle has not recorded (e.g. the scheduler died after submitting) */
  | { type: 'adopt'; jobId: string }
  | { type: 'stop-with-savepoint'; jobId: string }
  | { type: 'cancel'; jobIds: string[] }
  | { type: 'set-phase'; phase: StatementPhase; detail: string; jobFailed?: string }
  /** the job keeps failing on the user's own SQL or data: cancel it and fail now, not after every restart */
  | { type: 'fail'; jobId: string; failure: CollapsedFailure }
  | { type: 'delete' };

/**
 * The reconcile decision for one statement: a pure function of desired spec, recorded status and
 * observed Flink jobs (level-triggered: the same inputs always give the same action, so repeating a
 * reconcile is harmless). Invariants: at most one live job per statement; a job that vanished is
 * never silently restarted from scratch.
 */
export function decideStatementAction(statement: StatementSnapshot, observed: ObservedJobs): StatementAction {
  const live = observed.jobs.filter((j) => isLiveJob(j.state));
  const recorded = statement.jobId ? observed.jobs.find((j) => j.id === statement.jobId) : undefined;

  if (statement.phase === 'DELETING') {
    return live.length ? { type: 'cancel', jobIds: live.map((j) => j.id) } : { type: 'delete' };
  }
  // never two jobs: keep the recorded one (or the newest), cancel the rest
  if (live.length > 1) {
    const keep = live.find((j) => j.id === statement.jobId) ?? live[0]!;
    return { type: 'cancel', jobIds: live.filter((j) => j.id !== keep.id).map((j) => j.id) };
  }
  const job = live[0];

  if (statement.stopped) {
    if (job) return { type: 'stop-with-savepoint', jobId: job.id };
    return statement.phase === 'STOPPED'
      ? { type: 'none' }
      : { type: 'set-phase', phase: 'STOPPED', detail: 'Stopped by request.' };
  }

  if (statement.phase === 'COMPLETED' || statement.phase === 'FAILED') return { type: 'none' };

  if (job) {
    if (job.id !== statement.jobId) return { type: 'adopt', jobId: job.id };
    if (observed.userFailure) return { type: 'fail', jobId: job.id, failure: observed.userFailure };
    // RUNNING once Flink says so; a job still being created or restored is not running yet
    return statement.phase === 'RUNNING' || job.state !== 'RUNNING'
      ? { type: 'none' }
      : { type: 'set-phase', phase: 'RUNNING', detail: 'The Flink job is running.' };
  }

  // a resume: the stopped job FINISHED with its savepoint; a new job continues from it
  if (statement.phase === 'STOPPED') return { type: 'submit', savepointPath: statement.savepointPath };

  if (recorded?.state === 'FINISHED') {
    return { type: 'set-phase', phase: 'COMPLETED', detail: 'The statement ran to completion.' };
  }
  if (recorded?.state === 'FAILED') {
    return { type: 'set-phase', phase: 'FAILED', detail: 'The Flink job failed.', jobFailed: recorded.id };
  }
  if (recorded?.state === 'CANCELED' || recorded?.state === 'SUSPENDED') {
    return {
      type: 'set-phase',
      phase: 'FAILED',
      detail: `The Flink job was ${recorded.state.toLowerCase()} outside Riffle; stop and resume the statement to restart it from its last savepoint.`,
    };
  }
  if (statement.jobId && statement.phase === 'RUNNING') {
    // the recorded job is gone from the cluster: restarting from scratch would reprocess input
    return statement.savepointPath
      ? { type: 'submit', savepointPath: statement.savepointPath }
      : {
          type: 'set-phase',
          phase: 'FAILED',
          detail: 'The Flink job disappeared from its cluster and no savepoint exists to restore it from.',
        };
  }
  // PENDING, or STOPPED/STOPPING with stopped=false (a resume): start, from the savepoint if any
  return { type: 'submit', savepointPath: statement.savepointPath };
}
