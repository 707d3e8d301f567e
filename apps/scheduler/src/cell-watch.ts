import type { CellRepository, ClusterFleet, WatchCells } from '@riffle/application';
import { inSpan } from '@riffle/observability';
import type { Logger } from 'pino';

/**
 * Keeps the fleet table current: registers the cells the provider runs at start (and again whenever
 * that failed), then every interval looks at each cell's health and restores the statements of a
 * cell that was lost.
 */
export class CellWatch {
  private timer: NodeJS.Timeout | undefined;
  private registered = false;
  private running: Promise<void> | undefined;

  constructor(
    private readonly fleet: ClusterFleet,
    private readonly cells: CellRepository,
    private readonly watch: WatchCells,
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    void this.tick();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  tick(): Promise<void> {
    if (this.running) return this.running;
    this.running = this.once().finally(() => (this.running = undefined));
    return this.running;
  }

  /** one trace per tick (`cell watch`), holding its JobManager calls and the reconciles it enqueues */
  private async once(): Promise<void> {
    try {
      await inSpan('riffle-scheduler', 'cell watch', { root: true }, async () => {
        if (!this.registered) {
          for (const cell of await this.fleet.discover())
            await this.cells.register({ ...cell, provider: this.fleet.provider });
          this.registered = true;
        }
        const report = await this.watch.tick();
        for (const loss of report.lost)
          this.logger.warn(loss, 'Flink cell lost: its statements are being restored on other cells');
        for (const cellId of report.removed)
          this.logger.info({ cellId }, 'idle Flink cell stopped after the cool-down');
      });
    } catch (error) {
      this.logger.warn({ err: error }, 'cell watch failed; retrying next interval');
    }
  }
}
