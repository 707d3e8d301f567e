import { type ForegroundQuery, StatementEngine } from '@riffle/application';
import type { FlinkFailure, FlinkJobState } from '@riffle/domain';
import type { ForegroundRef, FlinkStatementRunner } from './flink-statement-runner';
import type { JobManagerClient } from './job-manager.client';

/** Flink's default max parallelism (key groups) for jobs that do not set one: 128 */
const DEFAULT_MAX_PARALLELISM = 128;

/** The scheduler's StatementEngine port on one Flink session cluster (SQL Gateway + JobManager REST). */
export class FlinkStatementEngine extends StatementEngine {
  constructor(
    private readonly runner: FlinkStatementRunner,
    private readonly jobManager: JobManagerClient,
  ) {
    super();
  }

  async findJobs(jobName: string): Promise<{ id: string; state: FlinkJobState }[]> {
    const jobs = await this.jobManager.findJobsByName(jobName);
    return jobs.map((j) => ({ id: j.jid, state: j.state }));
  }

  submitBackground(input: {
    jobName: string;
    setupStatements: string[];
    statement: string;
    properties: Record<string, string>;
    savepointPath: string | null;
  }): Promise<{ jobId: string }> {
    return this.runner.submitBackground({
      jobName: input.jobName,
      setupStatements: input.setupStatements,
      statement: input.statement,
      properties: input.properties,
      savepointPath: input.savepointPath ?? undefined,
    });
  }

  async startForeground(input: {
    jobName: string;
    setupStatements: string[];
    statement: string;
    properties: Record<string, string>;
  }): Promise<ForegroundQuery> {
    const ref = await this.runner.startForeground({
      jobName: input.jobName,
      setupStatements: input.setupStatements,
      statement: input.statement,
      properties: input.properties,
    });
    return { ref, jobId: ref.jobId };
  }

  fetchPage(query: ForegroundQuery, token: number) {
    return this.runner.fetchPage(query.ref as ForegroundRef, token);
  }

  closeForeground(query: ForegroundQuery): Promise<void> {
    return this.runner.closeForeground(query.ref as ForegroundRef);
  }

  stopWithSavepoint(jobId: string): Promise<string> {
    return this.runner.stop(jobId);
  }

  cancel(jobId: string): Promise<void> {
    return this.runner.cancel(jobId);
  }

  async scalingMetrics(jobId: string) {
    const [vertices, job] = await Promise.all([
      this.jobManager.vertexMetrics(jobId),
      this.jobManager.job(jobId),
    ]);
    return {
      startedMs: job['start-time'],
      vertices: vertices.map((v) => ({
        id: v.id,
        name: v.name,
        parallelism: v.parallelism,
        maxParallelism: DEFAULT_MAX_PARALLELISM,
        isSource: v.isSource,
        busyTimeMsPerSecond: v.busyTimeMsPerSecond,
        backPressuredTimeMsPerSecond: v.backPressuredTimeMsPerSecond,
        numRecordsInPerSecond: v.numRecordsInPerSecond,
        numRecordsOutPerSecond: v.numRecordsOutPerSecond,
      })),
      sourceLag: vertices.reduce((total, v) => total + v.pendingRecords, 0),
    };
  }

  rescale(jobId: string, perVertex: Record<string, number>): Promise<void> {
    return this.jobManager.rescale(jobId, perVertex);
  }

  async slots(jobId: string): Promise<number> {
    return Math.max(1, await this.jobManager.jobPlanParallelism(jobId));
  }

  async failures(jobId: string): Promise<FlinkFailure[]> {
    const list = await this.jobManager.exceptions(jobId);
    return list.map((e) => ({ rootClass: e.rootClass, message: e.message, timestamp: e.timestamp }));
  }

  jobState(jobId: string): Promise<FlinkJobState | undefined> {
    return this.jobManager.jobStatus(jobId);
  }
}
