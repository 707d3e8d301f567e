import { type ForegroundQuery, type ResultRow, StatementEngine } from '@riffle/application';
import type { FlinkFailure, FlinkJobState } from '@riffle/domain';

type Page = { rows: ResultRow[]; nextToken: number | null; notReady: boolean };

/**
 * A StatementEngine for query tests: `startForeground` hands out a query, `fetchPage` answers from a
 * script of pages by token (a repeated token answers its page again, as the SQL Gateway does), the job's
 * state and failures are set by the test. What was fetched, closed and cancelled is recorded. Background
 * statements are not its business: those methods throw.
 */
export class ScriptedQueryEngine extends StatementEngine {
  /** pages by token; past the end: an empty page that moves on (a streaming query with no new rows) */
  pages: (Page | Error)[] = [];
  jobs: { id: string; state: FlinkJobState }[] = [];
  state: FlinkJobState | undefined = 'RUNNING';
  failureHistory: FlinkFailure[] = [];
  readonly fetched: number[] = [];
  readonly closed: ForegroundQuery[] = [];
  readonly cancelled: string[] = [];
  readonly started: { jobName: string; statement: string }[] = [];

  async findJobs(): Promise<{ id: string; state: FlinkJobState }[]> {
    return this.jobs;
  }

  async startForeground(input: { jobName: string; statement: string }): Promise<ForegroundQuery> {
    this.started.push({ jobName: input.jobName, statement: input.statement });
    return { ref: { sessionHandle: 's-1', operationHandle: 'o-1' }, jobId: 'job-1' };
  }

  async fetchPage(_query: ForegroundQuery, token: number): Promise<Page> {
    this.fetched.push(token);
    const page = this.pages[token];
    if (page instanceof Error) throw page;
    return page ?? { rows: [], nextToken: token + 1, notReady: false };
  }

  async closeForeground(query: ForegroundQuery): Promise<void> {
    this.closed.push(query);
  }

  async cancel(jobId: string): Promise<void> {
    this.cancelled.push(jobId);
  }

  async failures(): Promise<FlinkFailure[]> {
    return this.failureHistory;
  }

  async jobState(): Promise<FlinkJobState | undefined> {
    return this.state;
  }

  submitBackground(): never {
    throw new Error('ScriptedQueryEngine runs queries only');
  }
  stopWithSavepoint(): never {
    throw new Error('ScriptedQueryEngine runs queries only');
  }
  scalingMetrics(): never {
    throw new Error('ScriptedQueryEngine runs queries only');
  }
  rescale(): never {
    throw new Error('ScriptedQueryEngine runs queries only');
  }
  async slots(): Promise<number> {
    return 1;
  }
}
