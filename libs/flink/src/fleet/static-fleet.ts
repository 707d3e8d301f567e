import { type CellEndpoints, ClusterFleet } from '@riffle/application';
import type { PlacementOptions } from '@riffle/domain';

/** Cells registered by URL (FLINK_CELLS): Riffle places statements on them but cannot add or grow any. */
export class StaticFleet extends ClusterFleet {
  readonly provider = 'static';
  readonly elastic = false;

  constructor(
    private readonly cells: (CellEndpoints & { dedicatedPoolId?: string })[],
    private readonly options: PlacementOptions,
  ) {
    super();
  }

  discover(): Promise<(CellEndpoints & { dedicatedPoolId?: string })[]> {
    return Promise.resolve(this.cells);
  }
  addCell(): Promise<CellEndpoints> {
    return Promise.reject(new Error('a static fleet cannot add cells'));
  }
  growCell(): Promise<void> {
    return Promise.reject(new Error('a static fleet cannot grow cells'));
  }
  /** the clusters are not Riffle's to stop */
  removeCell(): Promise<void> {
    return Promise.resolve();
  }
  placementOptions(): PlacementOptions {
    return this.options;
  }
}
