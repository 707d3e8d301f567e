import { flinkRequest } from './flink-http';

export type JobState =
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

export interface ClusterOverview {
  taskmanagers: number;
  'slots-total': number;
  'slots-available': number;
  'jobs-running': number;
  'flink-version': string;
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

  async jobs(): Promise<{ id: string; status: JobState }[]> {
    const body = await flinkRequest<{ jobs: { id: string; status: JobState }[] }>(
      this.baseUrl,
      'GET',
      '/jobs',
      this.timeoutMs,
    );
    return body.jobs;
  }

  job(jobId: string): Promise<{ jid: string; name: string; state: JobState }> {
    return flinkRequest(this.baseUrl, 'GET', `/jobs/${jobId}`, this.timeoutMs);
  }

  async cancel(jobId: string): Promise<void> {
    await flinkRequest(this.baseUrl, 'PATCH', `/jobs/${jobId}?mode=cancel`, this.timeoutMs);
  }
}
