import type { FlinkFailure, FlinkJobState, VertexMetrics } from '@riffle/domain';
import type { ResultRow } from './statement.ports';

export interface ForegroundQuery {
  /** opaque handle of a running query (gateway session + operation) */
  readonly ref: unknown;
  readonly jobId?: string;
}

/** What the scheduler needs from Flink to run statements (implemented in libs/flink). */
export abstract class StatementEngine {
  /** every job named `jobName` on the cluster, newest first */
  abstract findJobs(jobName: string): Promise<{ id: string; state: FlinkJobState }[]>;
  abstract submitBackground(input: {
    jobName: string;
    /** catalog, databases and tables the statement needs, run first in the same session */
    setupStatements: string[];
    statement: string;
    properties: Record<string, string>;
    savepointPath: string | null;
  }): Promise<{ jobId: string }>;
  abstract startForeground(input: {
    jobName: string;
    setupStatements: string[];
    statement: string;
    properties: Record<string, string>;
  }): Promise<ForegroundQuery>;
  /** nextToken null = no more rows ever; notReady = ask again later */
  abstract fetchPage(
    query: ForegroundQuery,
    token: number,
  ): Promise<{ rows: ResultRow[]; nextToken: number | null; notReady: boolean }>;
  abstract closeForeground(query: ForegroundQuery): Promise<void>;
  /** stop with savepoint; resolves with the savepoint's location */
  abstract stopWithSavepoint(jobId: string): Promise<string>;
  abstract cancel(jobId: string): Promise<void>;
  /** per-vertex load (busy/back-pressure time, rates) and the sources' pending records */
  abstract scalingMetrics(jobId: string): Promise<{
    vertices: (Omit<VertexMetrics, 'partitions'> & { name: string })[];
    sourceLag: number;
    /** when the running job started (epoch ms) */
    startedMs: number;
  }>;
  /** rescale in place (adaptive scheduler): each vertex's new parallelism */
  abstract rescale(jobId: string, perVertex: Record<string, number>): Promise<void>;
  /** task slots the job holds = its CFUs (max vertex parallelism under slot sharing), at least 1 */
  abstract slots(jobId: string): Promise<number>;
  /** the job's recent failures (Flink's exception history), newest first */
  abstract failures(jobId: string): Promise<FlinkFailure[]>;
  /** the job's state; undefined when its cell does not know it (any more) */
  abstract jobState(jobId: string): Promise<FlinkJobState | undefined>;
}

/** Riffle's statement properties → Flink session configuration. */
export function flinkSessionProperties(properties: Record<string, string>): Record<string, string> {
  const mapping: Record<string, string> = {
    'sql.local-time-zone': 'table.local-time-zone',
    'sql.state-ttl': 'table.exec.state.ttl',
  };
  return Object.fromEntries(
    Object.entries(properties)
      .filter(([key]) => mapping[key])
      .map(([key, value]) => [mapping[key]!, value]),
  );
}
