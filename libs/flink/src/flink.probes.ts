import { DependencyProbe, untraced } from '@riffle/observability';
import type { JobManagerClient } from './job-manager.client';
import type { SqlGatewayClient } from './sql-gateway.client';

export class SqlGatewayProbe extends DependencyProbe {
  readonly name = 'flink_sql_gateway';

  constructor(private readonly gateway: SqlGatewayClient) {
    super();
  }

  async check(): Promise<void> {
    await untraced(() => this.gateway.info());
  }
}

export class JobManagerProbe extends DependencyProbe {
  readonly name = 'flink_jobmanager';

  constructor(private readonly jobManager: JobManagerClient) {
    super();
  }

  async check(): Promise<void> {
    const overview = await untraced(() => this.jobManager.overview());
    if (overview.taskmanagers === 0) throw new Error('no TaskManager registered');
  }
}
