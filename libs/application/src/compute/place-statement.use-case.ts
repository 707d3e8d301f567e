import {
  decidePlacement,
  type PlacementCell,
  type PlacementDecision,
  type PlacementIsolation,
} from '@riffle/domain';
import type { StatementRecord, StatementRepository } from '../statements/statement.ports';
import type { ComputePoolRepository } from './compute-pool.ports';
import type { CellObserver, CellRepository, ClusterFleet, FlinkCell } from './fleet.ports';

export type PlacementOutcome = { placed: true; cellId: string } | { placed: false; reason: string };

/**
 * Picks the cell an admitted statement runs on (DESIGN §5 placement): observe the fleet → decide
 * (pure `decidePlacement`) → carry it out (record the cell; grow or add a cell first when the fleet
 * provider can). One placer at a time across scheduler replicas.
 */
export class PlaceStatement {
  constructor(
    private readonly cells: CellRepository,
    private readonly fleet: ClusterFleet,
    private readonly observer: CellObserver,
    private readonly pools: ComputePoolRepository,
    private readonly statements: StatementRepository,
  ) {}

  async execute(statement: StatementRecord, slots: number): Promise<PlacementOutcome> {
    const isolation = await this.isolation(statement);
    return this.cells.exclusively(async () => {
      const fleet = await this.observeFleet();
      const decision = decidePlacement({
        cells: fleet.map((f) => f.placement),
        request: {
          statementUid: statement.uid,
          organizationId: statement.organizationId,
          poolId: statement.computePoolId ?? '',
          isolation,
          slots,
        },
        options: this.fleet.placementOptions(),
      });
      const cellId = await this.carryOut(decision, statement.computePoolId);
      if (typeof cellId !== 'string') return cellId;
      await this.statements.recordStatus(statement.uid, { cellId });
      return { placed: true, cellId };
    });
  }

  /** the fleet as placement sees it: capacity from each JobManager, holdings from Postgres */
  private async observeFleet(): Promise<{ cell: FlinkCell; placement: PlacementCell }[]> {
    const [cells, loads] = await Promise.all([this.cells.active(), this.cells.loads()]);
    return Promise.all(
      cells.map(async (cell) => {
        const seen = await this.observer.observe(cell);
        const load = loads.find((l) => l.cellId === cell.id);
        const placement: PlacementCell = {
          id: cell.id,
          healthy: seen.reachable,
          dedicatedPoolId: cell.dedicatedPoolId,
          slotsTotal: seen.reachable ? seen.slotsTotal : cell.slotsTotal,
          // Flink's free slots, less those promised to statements placed here that have not started yet
          slotsFree: seen.reachable ? Math.max(0, seen.slotsAvailable - (load?.reservedSlots ?? 0)) : 0,
          tenants: load?.tenants ?? {},
        };
        return { cell, placement };
      }),
    );
  }

  private async carryOut(
    decision: PlacementDecision,
    poolId: string | null,
  ): Promise<string | { placed: false; reason: string }> {
    switch (decision.type) {
      case 'place':
        return decision.cellId;
      case 'grow-cell':
        if (!this.fleet.elastic) return this.full();
        await this.fleet.growCell(decision.cellId, decision.addTaskManagers);
        return decision.cellId;
      case 'add-cell': {
        if (!this.fleet.elastic) return this.full();
        const dedicatedPoolId = decision.dedicatedPoolId ? poolId : null;
        const cell = await this.fleet.addCell({ taskManagers: decision.taskManagers, dedicatedPoolId });
        await this.cells.register({ ...cell, provider: this.fleet.provider, dedicatedPoolId });
        return cell.id;
      }
      case 'wait':
        return { placed: false, reason: decision.reason };
    }
  }

  private full(): { placed: false; reason: string } {
    return {
      placed: false,
      reason: `waiting: no Flink cell has free slots, and the ${this.fleet.provider} fleet cannot add any`,
    };
  }

  private async isolation(statement: StatementRecord): Promise<PlacementIsolation> {
    if (!statement.computePoolId) return 'shared';
    const pool = await this.pools.find(statement.organizationId, statement.computePoolId);
    return pool?.isolation ?? 'shared';
  }
}
