import type { CloseUsageMinutes, PublishUsageEvents } from '@riffle/application';
import { inSpan } from '@riffle/observability';
import type { Logger } from 'pino';

/**
 * Every tick: close the minutes that ended, then publish their CloudEvents. Both steps keep their
 * progress in Postgres, so a failed tick (Postgres or Kafka away) is simply tried again next tick.
 */
export class MeteringLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly close: CloseUsageMinutes,
    private readonly publish: PublishUsageEvents,
    private readonly tickMs: number,
    private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.tick(), this.tickMs);
    this.tick();
  }

  /** Nest lifecycle: stop ticking and let the current tick finish its transaction */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  tick(): void {
    if (this.running) return;
    this.running = this.once().finally(() => (this.running = undefined));
  }

  /** each tick is its own trace (`metering tick`), holding its Postgres work and its Kafka publish */
  private async once(): Promise<void> {
    try {
      await inSpan('riffle-metering', 'metering tick', { root: true }, async (span) => {
        const closed = await this.close.execute(120);
        const published = await this.publish.execute(120);
        span.setAttributes({ 'riffle.metering.closed': closed, 'riffle.metering.published': published });
        if (closed || published)
          this.logger.info({ closed, published }, 'usage minutes closed and published');
      });
    } catch (error) {
      this.logger.warn({ err: error }, 'metering tick failed; retrying next tick');
    }
  }
}
