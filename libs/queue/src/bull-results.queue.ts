import { ResultsQueue } from '@riffle/application';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { FairShare } from './fair-share';
import { addTracedJob } from './queue-tracing';
import { QUEUES } from './queues';

/**
 * Steps of running queries' result streams (the results service). Job id = statement uid: one step per
 * stream is queued at a time; a step asks to run again (delayed) while its query runs. Streams share the
 * results workers fairly across organizations.
 */
export class BullResultsQueue extends ResultsQueue {
  private readonly queue: Queue;
  private readonly fair: FairShare;

  constructor(connection: Redis, prefix: string) {
    super();
    this.queue = new Queue(QUEUES.statementResults, { connection, prefix });
    this.fair = new FairShare(connection, `${prefix}:fair:${QUEUES.statementResults}`);
  }

  async enqueueStep(
    uid: string,
    organizationId: string,
    options: { delayMs?: number; resumed?: boolean } = {},
  ): Promise<void> {
    await addTracedJob(
      this.queue,
      'statement.results',
      { statementUid: uid, organizationId },
      {
        jobId: uid,
        delay: options.delayMs ?? 0,
        priority: await this.fair.priority(organizationId, !options.resumed),
        removeOnComplete: true,
        removeOnFail: true,
        attempts: 8,
        backoff: { type: 'exponential', delay: 500 },
      },
    );
  }

  /** Nest lifecycle */
  async onApplicationShutdown(): Promise<void> {
    await this.queue.close();
  }
}
