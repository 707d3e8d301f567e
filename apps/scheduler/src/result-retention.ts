import type { ResultStore } from '@riffle/application';
import type { Logger } from 'pino';

/** how many streams one pass expires per batch (each batch is one short transaction) */
const BATCH = 500;

/**
 * Results are kept for a retention after their query ends (RESULTS_RETENTION_MS): every minute (or a
 * tenth of the retention, if shorter) the pages of streams that ended before it are deleted; a read of
 * them answers RESULTS_EXPIRED. Several scheduler replicas expiring at once skip each other's rows.
 */
export class ResultRetention {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly results: ResultStore,
    private readonly retentionMs: number,
    private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    const every = Math.max(1_000, Math.min(60_000, Math.floor(this.retentionMs / 10)));
    this.timer = setInterval(() => void this.expire(), every);
    this.timer.unref();
  }

  beforeApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async expire(): Promise<number> {
    let total = 0;
    try {
      for (;;) {
        const expired = await this.results.expire(new Date(Date.now() - this.retentionMs), BATCH);
        total += expired;
        if (expired < BATCH) return total;
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'expiring results failed; retrying next interval');
      return total;
    }
  }
}
