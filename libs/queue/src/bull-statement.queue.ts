import { StatementQueue } from '@riffle/application';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { FairShare } from './fair-share';
import { addTracedJob } from './queue-tracing';
import { QUEUES } from './queues';

/**
 * Job id = statement uid: while a reconcile for a statement is waiting, delayed or running, adding
 * another is a no-op, so a statement is never reconciled twice at once. Jobs are removed when they
 * end so the next change can queue a new one; Postgres stays the record (the sweep re-derives jobs).
 * Organizations share the workers fairly (FairShare): a flood of one tenant's statements does not
 * queue another tenant's statement behind it.
 */
export class BullStatementQueue extends StatementQueue {
  private readonly queue: Queue;
  private readonly fair: FairShare;

  constructor(connection: Redis, prefix: string) {
    super();
    this.queue = new Queue(QUEUES.statementReconcile, { connection, prefix });
    this.fair = new FairShare(connection, `${prefix}:fair:${QUEUES.statementReconcile}`);
  }

  async enqueueReconcile(
    uid: string,
    organizationId: string,
    delayMs = 0,
    options: { swept?: boolean; changed?: boolean } = {},
  ): Promise<void> {
    await addTracedJob(
      this.queue,
      'statement.reconcile',
      { statementUid: uid, organizationId },
      {
        jobId: uid,
        delay: delayMs,
        priority: await this.fair.priority(organizationId, !options.swept),
        removeOnComplete: true,
        removeOnFail: true,
        attempts: 8,
        backoff: { type: 'exponential', delay: 1_000 },
      },
    );
    if (options.changed) await this.promote(uid);
  }

  /** a reconcile waiting for its next look runs now: a stop or a delete is not left to the observe interval */
  private async promote(uid: string): Promise<void> {
    const job = await this.queue.getJob(uid);
    if (job && (await job.isDelayed())) await job.promote().catch(() => undefined); // it just ran: fine
  }

  /** Nest lifecycle */
  async onApplicationShutdown(): Promise<void> {
    await this.queue.close();
  }
}
