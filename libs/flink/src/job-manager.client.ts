import { type FlinkJobState, RiffleError } from '@riffle/domain';
import { flinkRequest, redactSecrets } from './flink-http';

/** Flink's job states, as the domain names them */
export type JobState = FlinkJobState;

export interface ClusterOverview {
  taskmanagers: number;
  'slots-total': number;
  'slots-available': number;
  'jobs-running': number;
  'flink-version': string;
}

/** One row of GET /jobs/overview; times are epoch millis, `end-time` is -1 while the job runs. */
export interface JobSummary {
  jid: string;
  name: string;
  state: JobState;
  'start-time': number;
  'end-time': number;
}

/**
 * GET /jobs/:id, reduced to what Riffle reads. The job is RUNNING as soon as its tasks are being deployed;
 * `tasks` counts subtasks per execution state (DEPLOYING, INITIALIZING, RUNNING …). With the adaptive
 * scheduler `parallelism` is the current one.
 */
export interface JobDetails extends JobSummary {
  vertices: {
    id: string;
    name: string;
    parallelism: number;
    status: string;
    tasks: Partial<Record<string, number>>;
  }[];
}

/**
 * Every subtask of every vertex RUNNING, or FINISHED (a bounded source that is done: Flink checkpoints
 * past finished tasks, FLIP-147): only then does a checkpoint or savepoint start. A vertex's own `status`
 * is RUNNING as soon as one of its subtasks runs, while the others may still be deploying.
 */
export function everyTaskRunningOrFinished(job: JobDetails): boolean {
  return (
    job.state === 'RUNNING' &&
    job.vertices.every((v) => (v.tasks.RUNNING ?? 0) + (v.tasks.FINISHED ?? 0) === v.parallelism)
  );
}

export type SavepointStatus =
  { state: 'IN_PROGRESS' } | { state: 'COMPLETED'; location: string } | { state: 'FAILED'; reason: string };

export interface JobException {
  timestamp: number;
  exceptionName: string;
  /** one readable line: the innermost cause as `SimpleClassName: message`, no stack */
  message: string;
  /** the innermost cause's class, fully qualified */
  rootClass: string;
  taskName?: string;
}

interface SavepointTriggerStatus {
  status: { id: 'IN_PROGRESS' | 'COMPLETED' };
  operation: { location?: string; 'failure-cause'?: { class?: string; 'stack-trace'?: string } } | null;
}

interface ExceptionHistory {
  exceptionHistory: {
    entries: { exceptionName: string; stacktrace: string; timestamp: number; taskName?: string | null }[];
    truncated: boolean;
  };
}

const VERTEX_METRICS = [
  'busyTimeMsPerSecond',
  'backPressuredTimeMsPerSecond',
  'numRecordsInPerSecond',
  'numRecordsOutPerSecond',
];

export interface VertexMetrics {
  id: string;
  name: string;
  parallelism: number;
  isSource: boolean;
  /** averaged over subtasks */
  busyTimeMsPerSecond: number;
  backPressuredTimeMsPerSecond: number;
  /** summed over subtasks */
  numRecordsInPerSecond: number;
  numRecordsOutPerSecond: number;
  /** source readers' backlog (Kafka: records between the reader's position and the partition end) */
  pendingRecords: number;
}

/** JobManager REST: the source of truth for what runs on a cluster. */
export class JobManagerClient {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs = 10_000,
  ) {}

  overview(): Promise<ClusterOverview> {
    return flinkRequest(this.baseUrl, 'GET', '/overview', this.timeoutMs);
  }

  /** the cluster's effective configuration (GET /jobmanager/config) */
  async clusterConfig(): Promise<Record<string, string>> {
    const entries = await flinkRequest<{ key: string; value: string }[]>(
      this.baseUrl,
      'GET',
      '/jobmanager/config',
      this.timeoutMs,
    );
    return Object.fromEntries(entries.map((e) => [e.key, e.value]));
  }

  async jobs(): Promise<{ id: string; status: JobState }[]> {
    const body = await flinkRequest<{ jobs: { id: string; status: JobState }[] }>(
      this.baseUrl,
      'GET',
      '/jobs',
      this.timeoutMs,
    );
    return body.jobs;
  }

  job(jobId: string): Promise<JobDetails> {
    return flinkRequest(this.baseUrl, 'GET', `/jobs/${jobId}`, this.timeoutMs);
  }

  /** the job's state alone (a much smaller answer than `job`); undefined when the cluster does not know it */
  async jobStatus(jobId: string): Promise<JobState | undefined> {
    try {
      const body = await flinkRequest<{ status: JobState }>(
        this.baseUrl,
        'GET',
        `/jobs/${jobId}/status`,
        this.timeoutMs,
      );
      return body.status;
    } catch (error) {
      if (unknownJob(error)) return undefined;
      throw error;
    }
  }

  async cancel(jobId: string): Promise<void> {
    await flinkRequest(this.baseUrl, 'PATCH', `/jobs/${jobId}?mode=cancel`, this.timeoutMs);
  }

  /** every job the cluster remembers, running and recently terminated */
  async jobsOverview(): Promise<JobSummary[]> {
    const body = await flinkRequest<{ jobs: JobSummary[] }>(
      this.baseUrl,
      'GET',
      '/jobs/overview',
      this.timeoutMs,
    );
    return body.jobs.map((j) => ({
      jid: j.jid,
      name: j.name,
      state: j.state,
      'start-time': j['start-time'],
      'end-time': j['end-time'],
    }));
  }

  /** all jobs named exactly `name`, newest first: a statement's job is named after the statement */
  async findJobsByName(name: string): Promise<JobSummary[]> {
    const jobs = await this.jobsOverview();
    return jobs.filter((j) => j.name === name).sort((a, b) => b['start-time'] - a['start-time']);
  }

  /** Triggers stop-with-savepoint (no drain) into the cluster's savepoint dir; answers the trigger id. */
  async stopWithSavepoint(jobId: string, targetDirectory?: string): Promise<string> {
    const body = await flinkRequest<{ 'request-id': string }>(
      this.baseUrl,
      'POST',
      `/jobs/${jobId}/stop`,
      this.timeoutMs,
      { drain: false, ...(targetDirectory && { targetDirectory }) },
    );
    return body['request-id'];
  }

  /** A trigger that went wrong is COMPLETED with a `failure-cause` in Flink; here it is FAILED. */
  async savepointStatus(jobId: string, triggerId: string): Promise<SavepointStatus> {
    const body = await flinkRequest<SavepointTriggerStatus>(
      this.baseUrl,
      'GET',
      `/jobs/${jobId}/savepoints/${triggerId}`,
      this.timeoutMs,
    );
    if (body.status.id === 'IN_PROGRESS') return { state: 'IN_PROGRESS' };
    const location = body.operation?.location;
    if (location) return { state: 'COMPLETED', location };
    const failure = body.operation?.['failure-cause'];
    const reason = failure?.['stack-trace']
      ? readableThrowable(failure['stack-trace'])
      : (failure?.class ?? 'the savepoint ended without a location');
    return { state: 'FAILED', reason };
  }

  /** the most recent failures of a job, newest first, each as one readable line */
  async exceptions(jobId: string, max = 10): Promise<JobException[]> {
    const body = await flinkRequest<ExceptionHistory>(
      this.baseUrl,
      'GET',
      `/jobs/${jobId}/exceptions?maxExceptions=${max}`,
      this.timeoutMs,
    );
    return body.exceptionHistory.entries
      .map((e) => ({
        timestamp: e.timestamp,
        exceptionName: e.exceptionName,
        message: redactSecrets(readableThrowable(e.stacktrace) || e.exceptionName),
        rootClass: innermostClass(e.stacktrace) ?? e.exceptionName,
        ...(e.taskName && { taskName: e.taskName }),
      }))
      .sort((a, b) => b.timestamp - a.timestamp)
      .slice(0, max);
  }

  /**
   * Rescale in place (adaptive scheduler): every vertex's parallelism upper bound becomes `parallelism`
   * (or its own entry of a per-vertex map);
   * Flink restarts the job from its latest checkpoint at the new size once the slots are there.
   */
  async rescale(jobId: string, parallelism: number | Record<string, number>): Promise<void> {
    const path = `/jobs/${jobId}/resource-requirements`;
    const current = await flinkRequest<
      Record<string, { parallelism: { lowerBound: number; upperBound: number } }>
    >(this.baseUrl, 'GET', path, this.timeoutMs);
    const wanted = Object.fromEntries(
      Object.entries(current).map(([vertex, requirement]) => [
        vertex,
        {
          parallelism: {
            lowerBound: 1,
            upperBound:
              typeof parallelism === 'number'
                ? parallelism
                : (parallelism[vertex] ?? requirement.parallelism.upperBound),
          },
        },
      ]),
    );
    await flinkRequest(this.baseUrl, 'PUT', path, this.timeoutMs, wanted);
  }

  /**
   * What the autoscaler reads per vertex, summed over subtasks (rates) or averaged (busy and back-pressure
   * time per second), plus `pendingRecords` of source readers (the Kafka source's lag). Metrics a vertex
   * does not report yet are 0.
   */
  async vertexMetrics(jobId: string): Promise<VertexMetrics[]> {
    const job = await this.job(jobId);
    return Promise.all(
      job.vertices.map(async (vertex) => {
        const base = `/jobs/${jobId}/vertices/${vertex.id}/subtasks/metrics`;
        const available = await flinkRequest<{ id: string }[]>(this.baseUrl, 'GET', base, this.timeoutMs);
        const pending = available.map((m) => m.id).filter((id) => id.endsWith('.pendingRecords'));
        const names = [...VERTEX_METRICS, ...pending];
        const values = await flinkRequest<{ id: string; avg?: number; sum?: number }[]>(
          this.baseUrl,
          'GET',
          `${base}?get=${names.map(encodeURIComponent).join(',')}&agg=avg,sum`,
          this.timeoutMs,
        );
        const value = (id: string, agg: 'avg' | 'sum') =>
          Number(values.find((v) => v.id === id)?.[agg] ?? 0) || 0;
        return {
          id: vertex.id,
          name: vertex.name,
          parallelism: vertex.parallelism,
          isSource: /^Source: /.test(vertex.name),
          busyTimeMsPerSecond: value('busyTimeMsPerSecond', 'avg'),
          backPressuredTimeMsPerSecond: value('backPressuredTimeMsPerSecond', 'avg'),
          numRecordsInPerSecond: value('numRecordsInPerSecond', 'sum'),
          numRecordsOutPerSecond: value('numRecordsOutPerSecond', 'sum'),
          pendingRecords: pending.reduce((total, id) => total + value(id, 'sum'), 0),
        };
      }),
    );
  }

  async jobPlanParallelism(jobId: string): Promise<number> {
    const job = await this.job(jobId);
    return Math.max(0, ...job.vertices.map((v) => v.parallelism));
  }
}

/** the class of a stack trace's innermost cause, fully qualified */
export function innermostClass(stackTrace: string): string | undefined {
  const lines = stackTrace.split('\n');
  const innermost = lines.filter((line) => line.startsWith('Caused by: ')).at(-1) ?? lines[0] ?? '';
  return /^(?:Caused by: )?((?:[a-zA-Z_$][\w$]*\.)*[A-Za-z_$][\w$]*)(?::|$)/.exec(innermost.trim())?.[1];
}

/** Flink's answer for a job id it does not know (any more) */
function unknownJob(error: unknown): boolean {
  if (!(error instanceof RiffleError)) return false;
  const lines = error.details.flinkErrors;
  return (
    error.kind === 'not_found' ||
    (Array.isArray(lines) && lines.some((l) => typeof l === 'string' && /FlinkJobNotFoundException/.test(l)))
  );
}

/**
 * A Java stack trace reduced to its innermost cause's first line, with the package dropped from the
 * class name: `java.lang.NumberFormatException: For input string: 'x'` → `NumberFormatException: …`.
 */
export function readableThrowable(stackTrace: string): string {
  const lines = stackTrace.split('\n');
  const innermost = lines.filter((line) => line.startsWith('Caused by: ')).at(-1) ?? lines[0] ?? '';
  return innermost
    .replace(/^Caused by: /, '')
    .trim()
    .replace(/^(?:[a-zA-Z_$][\w$]*\.)+([A-Z][\w$]*)(?=:|$)/, '$1')
    .slice(0, 1_000);
}
