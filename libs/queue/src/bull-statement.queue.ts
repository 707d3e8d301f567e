import { StatementQueue } from '@riffle/application';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { addTracedJob } from './queue-tracing';
import { QUEUES } from './queues';

/**
 * Job id = statement uid: while a reconcile for a statement is waiting, delayed or running, adding
 * another is a no-op, so a statement is never reconciled twice at once. Jobs are removed when they
 * end so the next change can queue a new one; Postgres stays the record (the sweep re-derives jobs).
 */
export class BullStatementQueue extends StatementQueue {
  private readonly queue: Queue;

  constructor(connection: Redis, prefix: string) {
    super();
    this.queue = new Queue(QUEUES.statementReconcile, { connection, prefix });
  }

  async enqueueReconcile(uid: string, organizationId: string, delayMs = 0): Promise<void> {
    await addTracedJob(
      this.queue,
      'statement.reconcile',
      { statementUid: uid, organizationId },
      {
        jobId: uid,
        delay: delayMs,
        removeOnComplete: true,
        removeOnFail: true,
        attempts: 8,
        backoff: { type: 'exponential', delay: 1_000 },
      },
    );
  }

  /** Nest lifecycle */
  async onApplicationShutdown(): Promise<void> {
    await this.queue.close();
  }
}
