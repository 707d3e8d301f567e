import fc from 'fast-check';
import {
  applyPlacement,
  cellServes,
  decidePlacement,
  decideShrink,
  type PlacementCell,
  type PlacementOptions,
  type PlacementRequest,
  replaceLostCell,
} from './placement';

const ORGS = ['org-a', 'org-b', 'org-c'];
const POOLS = ['pool-1', 'pool-2'];

const optionsArb: fc.Arbitrary<PlacementOptions> = fc
  .record({
    slotsPerTaskManager: fc.integer({ min: 1, max: 8 }),
    taskManagersPerCell: fc.integer({ min: 1, max: 8 }),
    maxCells: fc.integer({ min: 1, max: 12 }),
    idleCoolDownMs: fc.integer({ min: 0, max: 1000 }),
    spreadToleranceSlots: fc.option(fc.integer({ min: 0, max: 8 }), { nil: undefined }),
  })
  .map(({ taskManagersPerCell, ...o }) => ({
    ...o,
    maxSlotsPerCell: o.slotsPerTaskManager * taskManagersPerCell,
  }));

const cellArb = (id: string): fc.Arbitrary<PlacementCell> =>
  fc
    .record({
      slotsTotal: fc.integer({ min: 1, max: 64 }),
      used: fc.nat(64),
      healthy: fc.boolean(),
      dedicatedPoolId: fc.option(fc.constantFrom(...POOLS), { nil: null }),
      tenant: fc.constantFrom(...ORGS),
      idleSinceMs: fc.option(fc.integer({ min: 0, max: 2000 }), { nil: undefined }),
    })
    .map(({ slotsTotal, used, tenant, ...c }) => {
      const held = Math.min(used, slotsTotal);
      return { id, slotsTotal, slotsFree: slotsTotal - held, tenants: held ? { [tenant]: held } : {}, ...c };
    });

const fleetArb = fc
  .integer({ min: 0, max: 10 })
  .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => cellArb(`cell-${i}`))));

const requestArb: fc.Arbitrary<PlacementRequest> = fc.record({
  statementUid: fc.uuid(),
  organizationId: fc.constantFrom(...ORGS),
  poolId: fc.constantFrom(...POOLS),
  isolation: fc.constantFrom('shared' as const, 'dedicated' as const),
  slots: fc.integer({ min: 1, max: 40 }),
});

function checkDecision(
  cells: readonly PlacementCell[],
  request: PlacementRequest,
  options: PlacementOptions,
) {
  const decision = decidePlacement({ cells, request, nowMs: 0, options });
  const byId = new Map(cells.map((c) => [c.id, c]));
  if (decision.type === 'place') {
    const target = byId.get(decision.cellId)!;
    expect(target.healthy).toBe(true);
    expect(request.slots).toBeLessThanOrEqual(target.slotsFree);
    expect(cellServes(target, request)).toBe(true);
    // best fit within the tolerance: no serving cell fits with less leftover beyond it
    const tolerance = options.spreadToleranceSlots ?? options.slotsPerTaskManager;
    for (const other of cells)
      if (other.healthy && other.slotsFree >= request.slots && cellServes(other, request))
        expect(target.slotsFree - other.slotsFree).toBeLessThanOrEqual(tolerance);
  }
  if (decision.type === 'grow-cell') {
    const target = byId.get(decision.cellId)!;
    expect(target.healthy).toBe(true);
    expect(cellServes(target, request)).toBe(true);
    expect(target.slotsFree).toBeLessThan(request.slots);
    const grown = decision.addTaskManagers * options.slotsPerTaskManager;
    expect(target.slotsFree + grown).toBeGreaterThanOrEqual(request.slots);
    expect(target.slotsTotal + grown).toBeLessThanOrEqual(options.maxSlotsPerCell);
    expect(decision.addTaskManagers).toBeGreaterThanOrEqual(1);
  }
  if (decision.type === 'add-cell') {
    expect(cells.length).toBeLessThan(options.maxCells);
    expect(decision.dedicatedPoolId ?? null).toBe(request.isolation === 'dedicated' ? request.poolId : null);
    expect(decision.taskManagers * options.slotsPerTaskManager).toBeGreaterThanOrEqual(request.slots);
    expect(decision.taskManagers * options.slotsPerTaskManager).toBeLessThanOrEqual(options.maxSlotsPerCell);
  }
  if (decision.type !== 'place') {
    // nothing was placeable, so nothing fits a serving healthy cell
    for (const c of cells)
      expect(c.healthy && cellServes(c, request) && c.slotsFree >= request.slots).toBe(false);
  }
  return decision;
}

describe('placement properties', () => {
  it('never exceeds free slots, never mixes shared and dedicated, never uses an unhealthy cell', () => {
    fc.assert(
      fc.property(fleetArb, requestArb, optionsArb, (cells, request, options) => {
        checkDecision(cells, request, options);
      }),
      { numRuns: 500 },
    );
  });

  it('a sequence of applied decisions keeps every cell within 0 ≤ free ≤ total ≤ maxSlotsPerCell', () => {
    fc.assert(
      fc.property(fc.array(requestArb, { maxLength: 30 }), optionsArb, (requests, options) => {
        let cells: PlacementCell[] = [];
        const placed = new Map<string, PlacementRequest[]>();
        for (const request of requests) {
          const decision = checkDecision(cells, request, options);
          const applied =
            decision.type === 'add-cell' ? { ...decision, plannedCellId: `new-${cells.length}` } : decision;
          cells = applyPlacement(cells, request, applied, options);
          if (applied.type !== 'wait') {
            const cellId = applied.type === 'add-cell' ? applied.plannedCellId : applied.cellId;
            placed.set(cellId, [...(placed.get(cellId) ?? []), request]);
          }
          for (const c of cells) {
            expect(c.slotsFree).toBeGreaterThanOrEqual(0);
            expect(c.slotsFree).toBeLessThanOrEqual(c.slotsTotal);
            expect(c.slotsTotal).toBeLessThanOrEqual(options.maxSlotsPerCell);
            for (const r of placed.get(c.id) ?? [])
              if (c.dedicatedPoolId)
                expect(r).toMatchObject({ isolation: 'dedicated', poolId: c.dedicatedPoolId });
              else expect(r.isolation).toBe('shared');
          }
          expect(cells.length).toBeLessThanOrEqual(options.maxCells);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('shrink never removes a cell with statements, never leaves an empty fleet, never removes held slots', () => {
    fc.assert(
      fc.property(fleetArb, fc.integer({ min: 0, max: 3000 }), optionsArb, (cells, nowMs, options) => {
        const plan = decideShrink(cells, nowMs, options);
        const removed = new Set(plan.removeCells);
        if (cells.length) expect(cells.length - removed.size).toBeGreaterThanOrEqual(1);
        for (const c of cells.filter((x) => removed.has(x.id))) {
          expect(c.slotsFree).toBe(c.slotsTotal);
          expect(c.idleSinceMs).toBeDefined();
          expect(nowMs - c.idleSinceMs!).toBeGreaterThanOrEqual(options.idleCoolDownMs);
        }
        for (const { cellId, count } of plan.removeTaskManagers) {
          const c = cells.find((x) => x.id === cellId)!;
          expect(removed.has(cellId)).toBe(false);
          expect(count).toBeGreaterThanOrEqual(1);
          expect(count * options.slotsPerTaskManager).toBeLessThanOrEqual(c.slotsFree);
          expect(c.slotsTotal - count * options.slotsPerTaskManager).toBeGreaterThanOrEqual(1);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('replaceLostCell decides for every lost statement and never targets the lost cell', () => {
    fc.assert(
      fc.property(
        fleetArb,
        fc.array(requestArb, { maxLength: 8 }),
        optionsArb,
        (cells, requests, options) => {
          const lostCellId = cells[0]?.id ?? 'gone';
          const lost = requests.map((r) => ({ ...r, cellId: lostCellId }));
          const result = replaceLostCell(lost, cells, options);
          expect(result.map((r) => r.statementUid).sort()).toEqual(lost.map((r) => r.statementUid).sort());
          for (const { decision } of result)
            if (decision.type === 'place' || decision.type === 'grow-cell')
              expect(decision.cellId).not.toBe(lostCellId);
        },
      ),
      { numRuns: 300 },
    );
  });
});
