import { decideShrink, type PlacementCell } from '@riffle/domain';
import type { StatementQueue, StatementRepository } from '../statements/statement.ports';
import type { CellObserver, CellRepository, CheckpointLocator, ClusterFleet, FlinkCell } from './fleet.ports';

export interface WatchCellsOptions {
  /** a cell whose JobManager has not answered for this long is lost */
  lostAfterMs: number;
}

export interface CellLossReport {
  cellId: string;
  restored: string[];
  failed: string[];
}

export interface WatchReport {
  lost: CellLossReport[];
  /** idle cells stopped after the cool-down */
  removed: string[];
}

/**
 * Cell health (DESIGN §5): every tick each active cell's JobManager is asked for its overview. A cell
 * silent for `lostAfterMs` is marked LOST (once, across scheduler replicas), whatever is left of it is
 * stopped (so its jobs cannot write next to their replacements), and each of its statements goes back
 * to PENDING without a cell, to be placed elsewhere and restored from the job's newest retained
 * checkpoint (or the savepoint of its last stop). A statement with neither fails with the reason:
 * never restarted from scratch.
 */
export class WatchCells {
  constructor(
    private readonly cells: CellRepository,
    private readonly observer: CellObserver,
    private readonly fleet: ClusterFleet,
    private readonly statements: StatementRepository,
    private readonly checkpoints: CheckpointLocator,
    private readonly queue: StatementQueue,
    private readonly options: WatchCellsOptions,
  ) {}

  async tick(nowMs = Date.now()): Promise<WatchReport> {
    const reports: CellLossReport[] = [];
    const loads = await this.cells.loads();
    for (const cell of await this.cells.active()) {
      const seen = await this.observer.observe(cell);
      if (seen.reachable) {
        const holds = Object.values(loads.find((l) => l.cellId === cell.id)?.tenants ?? {}).some(
          (n) => n > 0,
        );
        await this.cells.recordSeen(cell.id, {
          slotsTotal: seen.slotsTotal,
          checkpointDir: seen.checkpointDir ?? cell.checkpointDir,
          idle: !holds && seen.slotsAvailable === seen.slotsTotal,
        });
        continue;
      }
      const silentSince = cell.lastSeenAt?.getTime();
      if (silentSince === undefined || nowMs - silentSince < this.options.lostAfterMs) continue;
      const detail = `JobManager unreachable for ${Math.round((nowMs - silentSince) / 1000)} s: ${seen.reason}`;
      if (await this.cells.markLost(cell.id, detail)) reports.push(await this.restore(cell));
    }
    if (!this.fleet.elastic) await this.takeBack();
    return { lost: reports, removed: this.fleet.elastic ? await this.shrink(nowMs) : [] };
  }

  /**
   * A static fleet cannot replace a cell: one that was lost and answers again (its JobManager was
   * restarted) is active again, and statements waiting for room are placed on it once more.
   */
  private async takeBack(): Promise<void> {
    for (const cell of await this.cells.lost()) {
      const seen = await this.observer.observe(cell);
      if (seen.reachable) await this.cells.register({ ...cell, provider: this.fleet.provider });
    }
  }

  /**
   * Idle cells past the cool-down are stopped (pure `decideShrink`; the fleet keeps at least one
   * cell), under the placement lock so no statement is placed on a cell being removed. Giving back
   * single TaskManagers of busy cells is left to the provider's own scaling for now.
   */
  private shrink(nowMs: number): Promise<string[]> {
    return this.cells.exclusively(async () => {
      const cells = await this.cells.active();
      const loads = await this.cells.loads();
      const snapshot: PlacementCell[] = cells.map((c) => {
        const tenants = loads.find((l) => l.cellId === c.id)?.tenants ?? {};
        const held = Object.values(tenants).reduce((a, b) => a + b, 0);
        return {
          id: c.id,
          slotsTotal: c.slotsTotal,
          slotsFree: Math.max(0, c.slotsTotal - held),
          healthy: true,
          dedicatedPoolId: c.dedicatedPoolId,
          tenants,
          ...(c.idleSince ? { idleSinceMs: c.idleSince.getTime() } : {}),
        };
      });
      const removed: string[] = [];
      for (const id of decideShrink(snapshot, nowMs, this.fleet.placementOptions()).removeCells) {
        if (!(await this.cells.markRemoved(id))) continue;
        await this.fleet.removeCell(id);
        removed.push(id);
      }
      return removed;
    });
  }

  private async restore(cell: FlinkCell): Promise<CellLossReport> {
    const report: CellLossReport = { cellId: cell.id, restored: [], failed: [] };
    await this.fleet.removeCell(cell.id).catch(() => undefined); // best effort: it may be gone entirely
    for (const statement of await this.cells.stranded(cell.id)) {
      const checkpoint =
        statement.background && statement.jobId && cell.checkpointDir
          ? await this.checkpoints.latest(cell.checkpointDir, statement.jobId).catch(() => null)
          : null;
      const from = statement.background ? (checkpoint ?? statement.savepointPath) : null;
      if (from) {
        await this.statements.recordStatus(statement.uid, {
          phase: 'PENDING',
          jobId: null,
          cellId: null,
          savepointPath: from,
          currentCfu: 0,
          detail: `Flink cell ${cell.id} was lost; restoring on another cell from ${checkpoint ? 'its latest checkpoint' : 'the savepoint of its last stop'}.`,
        });
        report.restored.push(statement.uid);
      } else {
        const message = statement.background
          ? `Flink cell ${cell.id} was lost and the statement has no checkpoint or savepoint to restore from; resubmit it.`
          : `Flink cell ${cell.id} was lost with the query's result stream; submit it again.`;
        await this.statements.addException(statement.uid, 'CELL_LOST', message);
        await this.statements.recordStatus(statement.uid, {
          phase: 'FAILED',
          detail: message,
          currentCfu: 0,
          endTime: new Date(),
        });
        report.failed.push(statement.uid);
      }
      await this.queue.enqueueReconcile(statement.uid, statement.organizationId);
    }
    return report;
  }
}
