import type { CellRepository, CheckpointLocator } from './fleet.ports';

/**
 * Where a job that vanished from its cell (JobManager restarted without HA, cell replaced) can be
 * restored from: the newest retained checkpoint in its cell's checkpoint directory.
 */
export class JobRecovery {
  constructor(
    private readonly cells: CellRepository,
    private readonly checkpoints: CheckpointLocator,
    /** the cell of statements without one recorded */
    private readonly firstCellId: string,
  ) {}

  async latestCheckpoint(cellId: string | null, jobId: string): Promise<string | null> {
    const cell = await this.cells.find(cellId ?? this.firstCellId);
    if (!cell?.checkpointDir) return null;
    return this.checkpoints.latest(cell.checkpointDir, jobId).catch(() => null);
  }
}
