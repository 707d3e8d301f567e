import { BillingExportQueue } from '@riffle/application';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { addTracedJob } from './queue-tracing';
import { QUEUES } from './queues';

/** Export jobs for the metering app; job id = export id, so an export is never queued twice. */
export class BullBillingExportQueue extends BillingExportQueue {
  private readonly queue: Queue;

  constructor(connection: Redis, prefix: string) {
    super();
    this.queue = new Queue(QUEUES.usageMetering, { connection, prefix });
  }

  async enqueueExport(exportId: string): Promise<void> {
    await addTracedJob(
      this.queue,
      'billing.export',
      { exportId },
      {
        jobId: exportId,
        removeOnComplete: true,
        removeOnFail: 1_000,
        attempts: 5,
        backoff: { type: 'exponential', delay: 2_000 },
      },
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close();
  }
}
