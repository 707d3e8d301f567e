import { type CellEndpoints, type CellObservation, CellObserver } from '@riffle/application';
import { JobManagerClient } from '../job-manager.client';

/** A cell is healthy when its JobManager answers /overview with at least one TaskManager. */
export class JobManagerCellObserver extends CellObserver {
  private readonly checkpointDirs = new Map<string, string | null>();

  constructor(private readonly timeoutMs: number) {
    super();
  }

  async observe(cell: CellEndpoints): Promise<CellObservation> {
    const jobManager = new JobManagerClient(cell.restUrl, this.timeoutMs);
    try {
      const overview = await jobManager.overview();
      if (overview.taskmanagers === 0) return { reachable: false, reason: 'no TaskManager registered' };
      return {
        reachable: true,
        slotsTotal: overview['slots-total'],
        slotsAvailable: overview['slots-available'],
        checkpointDir: await this.checkpointDir(cell, jobManager),
      };
    } catch (error) {
      this.checkpointDirs.delete(cell.id); // a cluster that comes back may be configured differently
      return { reachable: false, reason: error instanceof Error ? error.message : String(error) };
    }
  }

  /** read once per cell and remembered: the configuration of a running cluster does not change */
  private async checkpointDir(cell: CellEndpoints, jobManager: JobManagerClient): Promise<string | null> {
    if (!this.checkpointDirs.has(cell.id)) {
      const config = await jobManager.clusterConfig().catch(() => ({}) as Record<string, string>);
      this.checkpointDirs.set(
        cell.id,
        config['execution.checkpointing.dir'] ?? config['state.checkpoints.dir'] ?? null,
      );
    }
    return this.checkpointDirs.get(cell.id) ?? null;
  }
}
