import type { CloseUsageMinutes, PublishUsageEvents } from '@riffle/application';
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

  private async once(): Promise<void> {
    try {
      const closed = await this.close.execute(120);
      const published = await this.publish.execute(120);
      if (closed || published) this.logger.info({ closed, published }, 'usage minutes closed and published');
    } catch (error) {
      this.logger.warn({ err: error }, 'metering tick failed; retrying next tick');
    }
  }
}
