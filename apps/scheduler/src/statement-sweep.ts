import { StatementQueue, StatementRepository } from '@riffle/application';
import { inSpan } from '@riffle/observability';
import type { Logger } from 'pino';

/**
 * Redis holds queues only: every interval, every statement that still needs work is enqueued
 * again from Postgres (a no-op for statements whose reconcile is already queued), so a wiped
 * Redis or a lost job loses nothing. Several scheduler replicas sweeping at once is harmless.
 */
export class StatementSweep {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly statements: StatementRepository,
    private readonly queue: StatementQueue,
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), this.intervalMs);
    void this.sweep();
  }

  beforeApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** one trace per sweep (`statement sweep`), holding the jobs it enqueues */
  async sweep(): Promise<number> {
    try {
      return await inSpan('riffle-scheduler', 'statement sweep', { root: true }, async (span) => {
        const active = await this.statements.activeStatements();
        for (const s of active)
          await this.queue.enqueueReconcile(s.uid, s.organizationId, 0, { swept: true });
        span.setAttribute('riffle.statements', active.length);
        return active.length;
      });
    } catch (error) {
      this.logger.warn({ err: error }, 'statement sweep failed; retrying next interval');
      return 0;
    }
  }
}
