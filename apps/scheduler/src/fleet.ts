import type { CellEndpoints, ClusterFleet } from '@riffle/application';
import type { FleetOptions, FlinkOptions } from '@riffle/config';
import type { PlacementOptions } from '@riffle/domain';
import { KubernetesFleet, LocalFleet, StaticFleet } from '@riffle/flink';

/** The cell of statements placed before the fleet existed: the first configured one. */
export function firstCell(fleet: FleetOptions, flink: FlinkOptions): CellEndpoints {
  return fleet.cells?.[0] ?? { id: 'cell-0', restUrl: flink.restUrl, gatewayUrl: flink.sqlGatewayUrl };
}

/** FLINK_FLEET picks the provider behind the ClusterFleet port. */
export function createFleet(fleet: FleetOptions, flink: FlinkOptions): ClusterFleet {
  const placement: PlacementOptions = {
    maxCells: fleet.maxCells,
    maxSlotsPerCell: fleet.maxSlotsPerCell,
    slotsPerTaskManager: fleet.slotsPerTaskManager,
    idleCoolDownMs: fleet.idleCoolDownMs,
  };
  switch (fleet.provider) {
    case 'static':
      return new StaticFleet(fleet.cells ?? [firstCell(fleet, flink)], placement);
    case 'local':
      return new LocalFleet(fleet.localCommand, process.cwd(), placement);
    case 'kubernetes':
      return new KubernetesFleet({
        ...fleet.kubernetes,
        stateUri: fleet.kubernetes.stateUri,
        slotsPerTaskManager: fleet.slotsPerTaskManager,
        placement,
      });
  }
}
