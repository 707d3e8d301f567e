import { RiffleError } from '../riffle-error';

/**
 * Placement (DESIGN §5): which cell (a Flink session cluster) a statement's slots go to. Pure functions
 * of the fleet as the scheduler last observed it; the caller serializes placements (one placer at a time)
 * and applies each decision before the next one (see `applyPlacement`).
 */

export type PlacementIsolation = 'shared' | 'dedicated';

export interface PlacementCell {
  id: string;
  slotsTotal: number;
  slotsFree: number;
  /** false: the cell's JobManager is unreachable or failing; nothing new goes there */
  healthy: boolean;
  /** set: the cell belongs to that dedicated pool and holds only its statements */
  dedicatedPoolId?: string | null;
  /** slots held per organization id */
  tenants: Record<string, number>;
  /** since when the cell's free slots have gone unclaimed (unset: busy or just changed); drives shrinking */
  idleSinceMs?: number;
}

export interface PlacementRequest {
  statementUid: string;
  organizationId: string;
  poolId: string;
  isolation: PlacementIsolation;
  /** the statement's CFUs: one slot each */
  slots: number;
}

export interface PlacementOptions {
  /** a cell never grows past this many slots */
  maxSlotsPerCell: number;
  /** the fleet never has more cells than this */
  maxCells: number;
  /** slots one TaskManager brings: cells grow and shrink by whole TaskManagers */
  slotsPerTaskManager: number;
  /** free capacity unclaimed this long is given back */
  idleCoolDownMs: number;
  /**
   * How much worse a fit (in leftover slots) placement accepts to spread a tenant: among cells whose
   * leftover is within this of the best fit, the one where the tenant holds the fewest slots wins.
   * Default: one TaskManager's slots.
   */
  spreadToleranceSlots?: number;
}

export type PlacementDecision =
  | { type: 'place'; cellId: string }
  | { type: 'grow-cell'; cellId: string; addTaskManagers: number }
  /** start a new cell with `taskManagers` TaskManagers, then place the statement on it */
  | { type: 'add-cell'; dedicatedPoolId?: string; taskManagers: number; plannedCellId?: string }
  | { type: 'wait'; reason: string };

export interface PlacementInput {
  cells: readonly PlacementCell[];
  request: PlacementRequest;
  /** placement does not depend on time today; carried so a decision is recorded with its inputs */
  nowMs?: number;
  options: PlacementOptions;
}

const invalid = (message: string) => new RiffleError('INVALID_PLACEMENT_INPUT', 'invalid', message);

export function checkPlacementOptions(options: PlacementOptions): void {
  for (const key of ['maxSlotsPerCell', 'maxCells', 'slotsPerTaskManager'] as const) {
    const value = options[key];
    if (!Number.isInteger(value) || value < 1)
      throw invalid(`${key} must be a whole number ≥ 1, got ${value}.`);
  }
  const { idleCoolDownMs, spreadToleranceSlots } = options;
  if (!(idleCoolDownMs >= 0)) throw invalid(`idleCoolDownMs must be ≥ 0, got ${idleCoolDownMs}.`);
  if (spreadToleranceSlots !== undefined && !(spreadToleranceSlots >= 0))
    throw invalid(`spreadToleranceSlots must be ≥ 0, got ${spreadToleranceSlots}.`);
}

/** dedicated pools only on their own cells; shared statements never on a dedicated cell */
export function cellServes(
  cell: PlacementCell,
  request: Pick<PlacementRequest, 'isolation' | 'poolId'>,
): boolean {
  return request.isolation === 'dedicated' ? cell.dedicatedPoolId === request.poolId : !cell.dedicatedPoolId;
}

/** TaskManagers to add so `slots` fit on `cell`, or undefined when that would pass `maxSlotsPerCell` */
function taskManagersToAdd(
  cell: PlacementCell,
  slots: number,
  options: PlacementOptions,
): number | undefined {
  const add = Math.ceil((slots - cell.slotsFree) / options.slotsPerTaskManager);
  return cell.slotsTotal + add * options.slotsPerTaskManager <= options.maxSlotsPerCell ? add : undefined;
}

const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

const tenantSlots = (cell: PlacementCell, organizationId: string) => cell.tenants[organizationId] ?? 0;

/** healthy cells serving the request, with enough free slots */
const fits = (cell: PlacementCell, request: PlacementRequest) =>
  cell.healthy && cell.slotsFree >= request.slots && cellServes(cell, request);

/**
 * One pass over the fleet: the best fit's leftover (Infinity: nothing fits), how many healthy cells
 * serve the request, and, as long as nothing fits, the cell to grow (fewest TaskManagers, then the
 * tighter fit, then the tenant's fewest slots, then the smaller id). Tenant slots are looked up only
 * when a tie needs them: on a big fleet every cell's `tenants` has its own shape, and those keyed
 * lookups cost more than the rest of the scan.
 */
function scanCells(cells: readonly PlacementCell[], request: PlacementRequest, options: PlacementOptions) {
  const { slots, organizationId } = request;
  let bestLeftover = Infinity;
  let eligible = 0;
  let grow: PlacementCell | undefined;
  let growBy = 0;
  let growLeftover = 0;
  let growTenant = -1; // -1: not looked up yet
  for (const cell of cells) {
    if (!cell.healthy || !cellServes(cell, request)) continue;
    eligible++;
    if (cell.slotsFree >= slots) {
      bestLeftover = Math.min(bestLeftover, cell.slotsFree - slots);
      continue;
    }
    if (bestLeftover !== Infinity) continue; // something fits: growing is moot
    const add = taskManagersToAdd(cell, slots, options);
    if (add === undefined) continue;
    const leftover = cell.slotsFree + add * options.slotsPerTaskManager - slots;
    let tenant = -1;
    if (grow) {
      if (add > growBy || (add === growBy && leftover > growLeftover)) continue;
      if (add === growBy && leftover === growLeftover) {
        if (growTenant < 0) growTenant = tenantSlots(grow, organizationId);
        const smallerId = cell.id < grow.id;
        if (growTenant === 0 && !smallerId) continue; // cannot hold fewer than 0, loses on id
        tenant = tenantSlots(cell, organizationId);
        if (tenant > growTenant || (tenant === growTenant && !smallerId)) continue;
      }
    }
    grow = cell;
    growBy = add;
    growLeftover = leftover;
    growTenant = tenant;
  }
  return { bestLeftover, eligible, grow, growBy };
}

/**
 * Among the cells that fit with at most `maxLeftover` free slots left: the one where the tenant holds
 * the fewest slots, then the tighter fit, then the smaller id. At least one cell qualifies.
 */
function spreadTenant(cells: readonly PlacementCell[], request: PlacementRequest, maxLeftover: number) {
  let chosen: PlacementCell | undefined;
  let chosenTenant = 0;
  for (const cell of cells) {
    if (!fits(cell, request) || cell.slotsFree - request.slots > maxLeftover) continue;
    const tighter =
      !chosen ||
      cell.slotsFree < chosen.slotsFree ||
      (cell.slotsFree === chosen.slotsFree && cell.id < chosen.id);
    // losing the tie-break, only fewer tenant slots could win: impossible when the chosen cell has none
    if (chosen && !tighter && chosenTenant === 0) continue;
    const tenant = tenantSlots(cell, request.organizationId);
    if (!chosen || tenant < chosenTenant || (tenant === chosenTenant && tighter)) {
      chosen = cell;
      chosenTenant = tenant;
    }
  }
  return chosen!;
}

/**
 * Where one statement goes:
 * 1. Only healthy cells that serve its pool (see `cellServes`).
 * 2. Best fit: among cells with enough free slots, the one left with the fewest free slots, which keeps
 *    big holes for big statements. Tenant spread: every cell within `spreadToleranceSlots` of the best
 *    fit counts as equally good, and among those the one where this organization holds the fewest slots
 *    wins (then the tighter fit, then the smaller id), so one tenant's statements land on different
 *    cells and a cell failure takes out less of any one tenant.
 * 3. Nothing fits: grow the cell that needs the fewest TaskManagers (then the tighter fit, the tenant's
 *    fewest slots, the smaller id) without passing `maxSlotsPerCell`.
 * 4. Nothing can grow: add a cell (dedicated to the pool for a dedicated request) while the fleet is
 *    under `maxCells` and the statement fits in one cell at all.
 * 5. Otherwise wait, with the reason.
 */
export function decidePlacement(input: PlacementInput): PlacementDecision {
  const { cells, request, options } = input;
  checkPlacementOptions(options);
  const { slots } = request;
  if (!Number.isInteger(slots) || slots < 1)
    throw invalid(`slots of ${request.statementUid} must be a whole number ≥ 1, got ${slots}.`);

  const scan = scanCells(cells, request, options);
  if (scan.bestLeftover !== Infinity) {
    const tolerance = options.spreadToleranceSlots ?? options.slotsPerTaskManager;
    return { type: 'place', cellId: spreadTenant(cells, request, scan.bestLeftover + tolerance).id };
  }
  if (scan.grow) return { type: 'grow-cell', cellId: scan.grow.id, addTaskManagers: scan.growBy };
  const { eligible } = scan;

  if (slots > options.maxSlotsPerCell)
    return {
      type: 'wait',
      reason: `waiting: needs ${slots} slots, more than one cell holds (${options.maxSlotsPerCell})`,
    };
  if (cells.length < options.maxCells)
    return {
      type: 'add-cell',
      ...(request.isolation === 'dedicated' ? { dedicatedPoolId: request.poolId } : {}),
      taskManagers: Math.ceil(slots / options.slotsPerTaskManager),
    };
  const scope = request.isolation === 'dedicated' ? `dedicated pool ${request.poolId}` : 'shared statements';
  return {
    type: 'wait',
    reason:
      `waiting: no room for ${slots} slots: ${eligible} healthy cell${eligible === 1 ? '' : 's'} for ${scope}, ` +
      `none with room or able to grow within ${options.maxSlotsPerCell} slots, ` +
      `and the fleet is at its limit of ${options.maxCells} cells`,
  };
}

/**
 * The fleet after `decision` is carried out for `request` (a new array; changed cells are copies).
 * `add-cell` appends a cell named `decision.plannedCellId` (or `planned-cell`) holding the statement.
 */
export function applyPlacement(
  cells: readonly PlacementCell[],
  request: PlacementRequest,
  decision: PlacementDecision,
  options: Pick<PlacementOptions, 'slotsPerTaskManager'>,
): PlacementCell[] {
  const hold = (cell: PlacementCell, addSlots: number): PlacementCell => ({
    ...cell,
    slotsTotal: cell.slotsTotal + addSlots,
    slotsFree: cell.slotsFree + addSlots - request.slots,
    tenants: {
      ...cell.tenants,
      [request.organizationId]: tenantSlots(cell, request.organizationId) + request.slots,
    },
    idleSinceMs: undefined,
  });
  switch (decision.type) {
    case 'place':
      return cells.map((c) => (c.id === decision.cellId ? hold(c, 0) : c));
    case 'grow-cell':
      return cells.map((c) =>
        c.id === decision.cellId ? hold(c, decision.addTaskManagers * options.slotsPerTaskManager) : c,
      );
    case 'add-cell': {
      const empty: PlacementCell = {
        id: decision.plannedCellId ?? 'planned-cell',
        slotsTotal: 0,
        slotsFree: 0,
        healthy: true,
        dedicatedPoolId: decision.dedicatedPoolId ?? null,
        tenants: {},
      };
      return [...cells, hold(empty, decision.taskManagers * options.slotsPerTaskManager)];
    }
    case 'wait':
      return [...cells];
  }
}

export interface ShrinkPlan {
  /** idle cells to stop */
  removeCells: string[];
  /** whole TaskManagers' worth of idle slots to give back from cells that keep running */
  removeTaskManagers: { cellId: string; count: number }[];
}

const cellHoldsStatements = (cell: PlacementCell) =>
  cell.slotsTotal - cell.slotsFree > 0 || Object.values(cell.tenants).some((slots) => slots > 0);

/** the cell kept when every cell is idle: a healthy shared one first, then the biggest, then the smallest id */
function survivorRank(a: PlacementCell, b: PlacementCell): number {
  return (
    Number(b.healthy) - Number(a.healthy) ||
    Number(!b.dedicatedPoolId) - Number(!a.dedicatedPoolId) ||
    b.slotsTotal - a.slotsTotal ||
    byId(a.id, b.id)
  );
}

/**
 * Idle capacity to give back (DESIGN §5 "shrinks idle capacity after a cool-down"). Only cells whose
 * free slots have gone unclaimed for `idleCoolDownMs` (`idleSinceMs`) shrink:
 * - a cell without statements is removed, unless it is the last cell of the fleet: the fleet keeps at
 *   least one cell (preferring a healthy shared one) and shrinks it to one TaskManager instead;
 * - a cell with statements is never removed; it gives back whole TaskManagers' worth of free slots and
 *   keeps at least one TaskManager and every slot its statements hold. Which TaskManagers go is the
 *   realizer's choice: it must pick ones with no allocated slots.
 */
export function decideShrink(
  cells: readonly PlacementCell[],
  nowMs: number,
  options: PlacementOptions,
): ShrinkPlan {
  checkPlacementOptions(options);
  const spt = options.slotsPerTaskManager;
  const cooled = cells.filter(
    (c) => c.idleSinceMs !== undefined && nowMs - c.idleSinceMs >= options.idleCoolDownMs,
  );
  const empty = cooled.filter((c) => !cellHoldsStatements(c));
  const survivor = empty.length === cells.length ? [...empty].sort(survivorRank)[0] : undefined;

  const removeCells = empty.filter((c) => c !== survivor).map((c) => c.id);
  const removeTaskManagers: ShrinkPlan['removeTaskManagers'] = [];
  for (const cell of cooled) {
    if (!cellHoldsStatements(cell) && cell !== survivor) continue;
    const taskManagers = Math.ceil(cell.slotsTotal / spt);
    const count = Math.min(Math.floor(cell.slotsFree / spt), taskManagers - 1);
    if (count > 0) removeTaskManagers.push({ cellId: cell.id, count });
  }
  return { removeCells, removeTaskManagers };
}

/** a statement that ran on a cell that died */
export interface LostStatement extends PlacementRequest {
  /** the dead cell: never a target, and not counted against `maxCells` (it is being replaced) */
  cellId: string;
}

export interface LostStatementPlacement {
  statementUid: string;
  decision: PlacementDecision;
}

/**
 * New homes for the statements of a cell that died, so each can be restored from its latest savepoint
 * or checkpoint. Decided one after another on a working copy of the fleet, largest statement first
 * (first-fit-decreasing packs tighter; ties by uid), each decision applied before the next. A new cell
 * planned for one statement gets `plannedCellId` (`planned-cell-1`, …) and later decisions may `place`
 * on it or `grow-cell` it by that id: carry the decisions out in the order returned, substituting the
 * real id once the cell exists. Statements with no room get `wait`.
 */
export function replaceLostCell(
  statementsOnLostCell: readonly LostStatement[],
  cells: readonly PlacementCell[],
  options: PlacementOptions,
): LostStatementPlacement[] {
  const lost = new Set(statementsOnLostCell.map((s) => s.cellId));
  let fleet = cells.filter((c) => !lost.has(c.id));
  let planned = 0;
  const ordered = [...statementsOnLostCell].sort(
    (a, b) => b.slots - a.slots || byId(a.statementUid, b.statementUid),
  );
  return ordered.map((statement) => {
    const request: PlacementRequest = {
      statementUid: statement.statementUid,
      organizationId: statement.organizationId,
      poolId: statement.poolId,
      isolation: statement.isolation,
      slots: statement.slots,
    };
    let decision = decidePlacement({ cells: fleet, request, options });
    if (decision.type === 'add-cell') decision = { ...decision, plannedCellId: `planned-cell-${++planned}` };
    fleet = applyPlacement(fleet, request, decision, options);
    return { statementUid: statement.statementUid, decision };
  });
}
