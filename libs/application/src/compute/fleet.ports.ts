import type { PlacementOptions } from '@riffle/domain';
import type { StatementEngine } from '../statements/statement-engine.port';

/** Where a cell's two endpoints are: the JobManager REST API and its SQL Gateway. */
export interface CellEndpoints {
  id: string;
  restUrl: string;
  gatewayUrl: string;
}

export type CellState = 'ACTIVE' | 'LOST' | 'REMOVED';

/** A Flink session cluster of the fleet, as Riffle keeps it in Postgres. */
export interface FlinkCell extends CellEndpoints {
  provider: string;
  dedicatedPoolId: string | null;
  state: CellState;
  /** task slots at the last observation */
  slotsTotal: number;
  /** the cluster's checkpoint directory (`execution.checkpointing.dir`), learnt while it was healthy */
  checkpointDir: string | null;
  lastSeenAt: Date | null;
  lostAt: Date | null;
  /** since when the cell has run no job (null: busy, or not seen yet) */
  idleSince: Date | null;
}

/** What one look at a cell's JobManager shows. */
export type CellObservation =
  | { reachable: true; slotsTotal: number; slotsAvailable: number; checkpointDir: string | null }
  | { reachable: false; reason: string };

/**
 * Starts, grows and stops cells (DESIGN §5 "cluster fleet behind a provider port"). `static` knows a
 * fixed list; `local` drives the launcher on this machine; `kubernetes` applies `FlinkDeployment`s.
 */
export abstract class ClusterFleet {
  abstract readonly provider: string;
  /** whether `addCell`/`growCell` can do anything (a static fleet cannot) */
  abstract readonly elastic: boolean;
  /** the cells the provider already runs (registered at scheduler start) */
  abstract discover(): Promise<CellEndpoints[]>;
  /** a new cell with `taskManagers` TaskManagers; resolves once it accepts jobs */
  abstract addCell(spec: { taskManagers: number; dedicatedPoolId: string | null }): Promise<CellEndpoints>;
  abstract growCell(cellId: string, addTaskManagers: number): Promise<void>;
  /** stops what is left of a cell (a lost one's surviving processes, or an idle one) */
  abstract removeCell(cellId: string): Promise<void>;
  /** fleet-wide placement limits */
  abstract placementOptions(): PlacementOptions;
}

/** Reads a cell's health and capacity from its JobManager. */
export abstract class CellObserver {
  abstract observe(cell: CellEndpoints): Promise<CellObservation>;
}

/** slots per organization on one cell, and slots reserved there by statements not yet running */
export interface CellLoad {
  cellId: string;
  tenants: Record<string, number>;
  /** placed on the cell, admitted, but the job does not hold its slots yet */
  reservedSlots: number;
}

/** A statement of a lost cell, to be restored elsewhere. */
export interface StrandedStatement {
  uid: string;
  organizationId: string;
  jobId: string | null;
  savepointPath: string | null;
  /** false: a query whose result stream died with the cell; it cannot be restored */
  background: boolean;
}

export abstract class CellRepository {
  /** inserts or refreshes the endpoints of a cell the provider runs; a LOST cell stays LOST */
  abstract register(
    cell: CellEndpoints & { provider: string; dedicatedPoolId?: string | null },
  ): Promise<void>;
  abstract active(): Promise<FlinkCell[]>;
  /** cells declared LOST (a static fleet takes one back when it answers again) */
  abstract lost(): Promise<FlinkCell[]>;
  abstract find(id: string): Promise<FlinkCell | undefined>;
  /** `idle`: no job holds a slot there; the first idle sighting starts its cool-down */
  abstract recordSeen(
    id: string,
    observation: { slotsTotal: number; checkpointDir: string | null; idle: boolean },
  ): Promise<void>;
  /** ACTIVE → REMOVED, only while still idle and holding no statement (the caller holds `exclusively`) */
  abstract markRemoved(id: string): Promise<boolean>;
  /** ACTIVE → LOST, once: true only for the caller that made the change (scheduler replicas race) */
  abstract markLost(id: string, detail: string): Promise<boolean>;
  abstract loads(): Promise<CellLoad[]>;
  /**
   * Runs `fn` while no other scheduler places a statement (placement reads the fleet, decides and
   * records; two placers at once would both take the same free slots).
   */
  abstract exclusively<T>(fn: () => Promise<T>): Promise<T>;
  /** the unfinished statements whose job ran (or was about to run) on the cell */
  abstract stranded(cellId: string): Promise<StrandedStatement[]>;
}

/** Finds the newest retained checkpoint of a job in a cell's checkpoint directory. */
export abstract class CheckpointLocator {
  abstract latest(checkpointDir: string, jobId: string): Promise<string | null>;
}

/** A statement engine per cell: the scheduler talks to the cell that runs (or will run) the statement. */
export abstract class StatementEngines {
  /** null = the first cell (statements placed before the fleet existed, and the single-cell setup) */
  abstract forCell(cellId: string | null): Promise<StatementEngine>;
}
