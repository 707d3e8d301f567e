import type { ExecutionMode, FailureClass, SqlAnalysis, StatementPhase } from '@riffle/domain';

export interface StatementRecord {
  uid: string;
  organizationId: string;
  environmentId: string;
  name: string;
  statement: string;
  properties: Record<string, string>;
  computePoolId: string | null;
  principal: string;
  labels: Record<string, string>;
  stopped: boolean;
  sqlKind: string;
  executionMode: ExecutionMode;
  /** Flink's analysis of `statement`, made when it was submitted (null: stored before analyses were kept) */
  analysis: SqlAnalysis | null;
  phase: StatementPhase;
  detail: string;
  warnings: string[];
  traits: Record<string, unknown>;
  currentCfu: number;
  /** CFUs reserved in the pool when the statement was admitted (0 = not admitted) */
  admittedCfu: number;
  scalingStatus: ScalingStatus;
  jobId: string | null;
  /** the Flink cell the statement's job runs on (null: not placed yet; a legacy job: the first cell) */
  cellId: string | null;
  /** where the statement continues from: its last stop's savepoint, or the checkpoint its job was restored from */
  savepointPath: string | null;
  startTime: Date | null;
  endTime: Date | null;
  lastReadAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  resourceVersion: number;
}

export type NewStatement = Pick<
  StatementRecord,
  | 'uid'
  | 'organizationId'
  | 'environmentId'
  | 'name'
  | 'statement'
  | 'properties'
  | 'computePoolId'
  | 'principal'
  | 'labels'
  | 'stopped'
  | 'sqlKind'
  | 'executionMode'
  | 'analysis'
  | 'traits'
>;

export interface ScalingStatus {
  scaling_state: 'OK' | 'PENDING_SCALE_UP' | 'PENDING_SCALE_DOWN' | 'POOL_EXHAUSTED';
  reason?: string;
  last_updated?: string;
}

export interface StatementScope {
  organizationId: string;
  environmentId: string;
}

export interface StatementFilter {
  computePoolId?: string;
  phase?: StatementPhase;
  labels?: Record<string, string>;
}

/** keyset position: the last row of the previous page */
export interface StatementCursor {
  createdAt: string;
  uid: string;
}

export type StatusPatch = Partial<
  Pick<
    StatementRecord,
    | 'phase'
    | 'detail'
    | 'jobId'
    | 'cellId'
    | 'savepointPath'
    | 'startTime'
    | 'endTime'
    | 'currentCfu'
    | 'admittedCfu'
    | 'scalingStatus'
  >
>;

export interface ResultRow {
  op: 0 | 1 | 2 | 3;
  row: unknown[];
}

/**
 * One statement by its address, for reads that may be answered from a replica's cache (GetStatement).
 * Whoever implements it answers no older than the last committed change plus a notification's delay.
 */
export abstract class StatementReader {
  abstract find(scope: StatementScope, name: string): Promise<StatementRecord | undefined>;
}

/** one entry of a statement's exceptions: a distinct cause, how often it happened, and whose it is */
export interface StatementException {
  name: string;
  message: string;
  /** the latest occurrence */
  occurredAt: Date;
  count: number;
  /** USER: the statement's own SQL or data; SYSTEM: the platform's (null: not classified) */
  kind: FailureClass | null;
}

/** Statements are always addressed within their organization (the tenant), except by the scheduler's uid. */
export abstract class StatementRepository {
  /**
   * throws RiffleError STATEMENT_EXISTS on a duplicate name; a query (foreground) while its environment
   * already has `maxOpenQueries` pending or running ones, OPEN_QUERY_LIMIT (checked atomically)
   */
  abstract insert(statement: NewStatement, limits?: { maxOpenQueries?: number }): Promise<StatementRecord>;
  abstract find(scope: StatementScope, name: string): Promise<StatementRecord | undefined>;
  abstract list(
    scope: StatementScope,
    filter: StatementFilter,
    pageSize: number,
    after?: StatementCursor,
  ): Promise<StatementRecord[]>;
  /** changes desired state when resource_version matches; undefined = no such statement, 'conflict' = stale version */
  abstract updateSpec(
    scope: StatementScope,
    name: string,
    expectedVersion: number,
    changes: { stopped?: boolean; computePoolId?: string | null; principal?: string },
  ): Promise<StatementRecord | 'conflict' | undefined>;
  /** statements the environment holds (every phase), for its quota: counted up to `upTo` at most */
  abstract countInEnvironment(scope: StatementScope, upTo: number): Promise<number>;
  abstract markDeleting(scope: StatementScope, name: string): Promise<StatementRecord | undefined>;
  /** the newest first */
  abstract exceptions(uid: string, limit: number): Promise<StatementException[]>;
  abstract touchRead(uid: string): Promise<void>;

  // the scheduler's side
  abstract findByUid(uid: string): Promise<StatementRecord | undefined>;
  abstract recordStatus(uid: string, patch: StatusPatch): Promise<void>;
  /** the autoscaler's status and memory; not a change of the resource (resource_version stays) */
  abstract recordScaling(uid: string, scaling: ScalingStatus): Promise<void>;
  /**
   * Records an exception; one equal to the statement's newest (same name and message) only adds to that
   * entry's count, so a cause repeated by restarts is one entry.
   */
  abstract addException(
    uid: string,
    name: string,
    message: string,
    more?: { kind?: FailureClass; count?: number },
  ): Promise<void>;
  abstract delete(uid: string): Promise<void>;
  /** every statement the scheduler still has work for (periodic sweep) */
  abstract activeStatements(): Promise<{ uid: string; organizationId: string }[]>;
}

/** Hands a statement to the scheduler. Idempotent: one queued reconcile per statement at a time. */
export abstract class StatementQueue {
  /**
   * `swept`: re-derived by a periodic sweep rather than asked for by a change; it takes its tenant's
   * current place in the fair share without being charged as new work (a no-op for a queued statement).
   * `changed`: the statement's spec changed (stop, resume, delete): a reconcile already waiting for its
   * next look (a running statement is looked at every few seconds) runs now instead.
   */
  abstract enqueueReconcile(
    uid: string,
    organizationId: string,
    delayMs?: number,
    options?: { swept?: boolean; changed?: boolean },
  ): Promise<void>;
}

/**
 * After an API change is stored: queue its reconcile so the scheduler starts at once. Postgres is the
 * record and the queue only an accelerator, so an unreachable Redis does not fail the request: the
 * scheduler's sweep (SCHEDULER_SWEEP_INTERVAL_MS) queues the statement once Redis is back.
 */
export async function nudgeScheduler(
  queue: StatementQueue,
  uid: string,
  organizationId: string,
  options: { changed?: boolean } = {},
): Promise<void> {
  try {
    await queue.enqueueReconcile(uid, organizationId, 0, options);
  } catch {
    // left to the sweep
  }
}
