import { RiffleError } from '../riffle-error';
import {
  applyPlacement,
  decidePlacement,
  decideShrink,
  type LostStatement,
  type PlacementCell,
  type PlacementOptions,
  type PlacementRequest,
  replaceLostCell,
} from './placement';

const options: PlacementOptions = {
  maxSlotsPerCell: 16,
  maxCells: 4,
  slotsPerTaskManager: 4,
  idleCoolDownMs: 600_000,
  spreadToleranceSlots: 0,
};
const cell = (id: string, slotsFree: number, more: Partial<PlacementCell> = {}): PlacementCell => ({
  id,
  slotsTotal: 8,
  slotsFree,
  healthy: true,
  tenants: {},
  ...more,
});
const request = (slots: number, more: Partial<PlacementRequest> = {}): PlacementRequest => ({
  statementUid: 's1',
  organizationId: 'org-a',
  poolId: 'pool-shared',
  isolation: 'shared',
  slots,
  ...more,
});
const place = (cells: PlacementCell[], req: PlacementRequest, opts: Partial<PlacementOptions> = {}) =>
  decidePlacement({ cells, request: req, nowMs: 0, options: { ...options, ...opts } });

describe('decidePlacement', () => {
  it.each<[string, PlacementCell[], PlacementRequest, Partial<PlacementOptions>, ReturnType<typeof place>]>([
    [
      'best fit: the cell left with the fewest free slots',
      [cell('roomy', 8), cell('snug', 3), cell('tight', 1)],
      request(2),
      {},
      { type: 'place', cellId: 'snug' },
    ],
    ['an exact fit wins', [cell('a', 4), cell('b', 2)], request(2), {}, { type: 'place', cellId: 'b' }],
    [
      'never an unhealthy cell, even the best fit',
      [cell('sick', 2, { healthy: false }), cell('ok', 6)],
      request(2),
      {},
      { type: 'place', cellId: 'ok' },
    ],
    [
      'shared statements never on a dedicated cell',
      [cell('dedicated', 2, { dedicatedPoolId: 'pool-d' }), cell('shared', 6)],
      request(2),
      {},
      { type: 'place', cellId: 'shared' },
    ],
    [
      'a dedicated pool only on its own cells',
      [
        cell('shared', 2),
        cell('other-pool', 2, { dedicatedPoolId: 'pool-x' }),
        cell('own', 6, { dedicatedPoolId: 'pool-d' }),
      ],
      request(2, { isolation: 'dedicated', poolId: 'pool-d' }),
      {},
      { type: 'place', cellId: 'own' },
    ],
    [
      'equal fit: the cell where the tenant holds the fewest slots',
      [cell('a', 4, { tenants: { 'org-a': 4 } }), cell('b', 4, { tenants: { 'org-b': 4 } })],
      request(2),
      {},
      { type: 'place', cellId: 'b' },
    ],
    [
      'spread within the tolerance beats a tighter fit',
      [cell('tight', 3, { tenants: { 'org-a': 5 } }), cell('loose', 6, { tenants: {} })],
      request(2),
      { spreadToleranceSlots: 4 },
      { type: 'place', cellId: 'loose' },
    ],
    [
      'outside the tolerance the tighter fit wins despite the tenant',
      [cell('tight', 3, { tenants: { 'org-a': 5 } }), cell('loose', 8, { tenants: {} })],
      request(2),
      { spreadToleranceSlots: 2 },
      { type: 'place', cellId: 'tight' },
    ],
    [
      'the tolerance defaults to one TaskManager of slots',
      [cell('tight', 3, { tenants: { 'org-a': 5 } }), cell('loose', 6, { tenants: {} })],
      request(2),
      { spreadToleranceSlots: undefined },
      { type: 'place', cellId: 'loose' },
    ],
    [
      'full ties go to the smaller id, whatever the order',
      [cell('b', 4), cell('a', 4)],
      request(2),
      {},
      { type: 'place', cellId: 'a' },
    ],
    [
      'nothing fits: grow the cell needing the fewest TaskManagers',
      [cell('a', 1), cell('b', 3)],
      request(6),
      {},
      { type: 'grow-cell', cellId: 'b', addTaskManagers: 1 },
    ],
    [
      'never grow past maxSlotsPerCell',
      [cell('big', 1, { slotsTotal: 16 }), cell('small', 0, { slotsTotal: 8 })],
      request(6),
      {},
      { type: 'grow-cell', cellId: 'small', addTaskManagers: 2 },
    ],
    [
      'never grow an unhealthy cell',
      [cell('sick', 3, { healthy: false })],
      request(6),
      {},
      { type: 'add-cell', taskManagers: 2 },
    ],
    [
      'no cell can grow: add a shared cell',
      [cell('full', 0, { slotsTotal: 16 })],
      request(5),
      {},
      { type: 'add-cell', taskManagers: 2 },
    ],
    [
      'a dedicated pool without cells gets its own',
      [cell('shared', 8)],
      request(2, { isolation: 'dedicated', poolId: 'pool-d' }),
      {},
      { type: 'add-cell', dedicatedPoolId: 'pool-d', taskManagers: 1 },
    ],
  ])('%s', (_, cells, req, opts, expected) => {
    expect(place(cells, req, opts)).toEqual(expected);
  });

  it('waits when the fleet is at maxCells, with the reason', () => {
    const cells = [0, 1, 2, 3].map((i) => cell(`c${i}`, 0, { slotsTotal: 16 }));
    expect(place(cells, request(2))).toEqual({
      type: 'wait',
      reason:
        'waiting: no room for 2 slots: 4 healthy cells for shared statements, none with room or able to grow within 16 slots, and the fleet is at its limit of 4 cells',
    });
  });

  it('waits when the statement is larger than any cell may be', () => {
    expect(place([cell('a', 8)], request(17))).toEqual({
      type: 'wait',
      reason: 'waiting: needs 17 slots, more than one cell holds (16)',
    });
  });

  it.each<[string, PlacementRequest, Partial<PlacementOptions>]>([
    ['0 slots', request(0), {}],
    ['fractional slots', request(1.5), {}],
    ['0 slots per TaskManager', request(1), { slotsPerTaskManager: 0 }],
    ['negative cool-down', request(1), { idleCoolDownMs: -1 }],
  ])('rejects %s', (_, req, opts) => {
    expect(() => place([cell('a', 8)], req, opts)).toThrow(RiffleError);
  });
});

describe('applyPlacement', () => {
  it('takes the slots and records the tenant, without touching the input', () => {
    const cells = [cell('a', 4, { tenants: { 'org-a': 2 }, idleSinceMs: 5 })];
    const after = applyPlacement(cells, request(3), { type: 'place', cellId: 'a' }, options);
    expect(after[0]).toMatchObject({ slotsFree: 1, tenants: { 'org-a': 5 }, idleSinceMs: undefined });
    expect(cells[0]).toMatchObject({ slotsFree: 4, tenants: { 'org-a': 2 }, idleSinceMs: 5 });
  });

  it('grows, then takes', () => {
    const after = applyPlacement(
      [cell('a', 1)],
      request(3),
      { type: 'grow-cell', cellId: 'a', addTaskManagers: 1 },
      options,
    );
    expect(after[0]).toMatchObject({ slotsTotal: 12, slotsFree: 2 });
  });

  it('adds a planned cell holding the statement', () => {
    const after = applyPlacement(
      [],
      request(3, { isolation: 'dedicated', poolId: 'pool-d' }),
      { type: 'add-cell', dedicatedPoolId: 'pool-d', taskManagers: 1, plannedCellId: 'planned-cell-1' },
      options,
    );
    expect(after).toEqual([
      {
        id: 'planned-cell-1',
        slotsTotal: 4,
        slotsFree: 1,
        healthy: true,
        dedicatedPoolId: 'pool-d',
        tenants: { 'org-a': 3 },
        idleSinceMs: undefined,
      },
    ]);
  });
});

describe('decideShrink', () => {
  const now = 10_000_000;
  const cooled = now - options.idleCoolDownMs;

  it('removes idle cells after the cool-down, keeps those still cooling', () => {
    const cells = [
      cell('busy', 4, { tenants: { 'org-a': 4 } }),
      cell('idle', 8, { idleSinceMs: cooled }),
      cell('cooling', 8, { idleSinceMs: cooled + 1 }),
      cell('no-idle-mark', 8),
    ];
    expect(decideShrink(cells, now, options)).toEqual({ removeCells: ['idle'], removeTaskManagers: [] });
  });

  it('never removes a cell with running statements; gives back whole idle TaskManagers', () => {
    const cells = [cell('busy', 9, { slotsTotal: 12, tenants: { 'org-a': 3 }, idleSinceMs: cooled })];
    expect(decideShrink(cells, now, options)).toEqual({
      removeCells: [],
      removeTaskManagers: [{ cellId: 'busy', count: 2 }],
    });
  });

  it('keeps free slots that do not make a whole TaskManager', () => {
    const cells = [cell('busy', 3, { tenants: { 'org-a': 5 }, idleSinceMs: cooled })];
    expect(decideShrink(cells, now, options)).toEqual({ removeCells: [], removeTaskManagers: [] });
  });

  it('never goes below one cell: keeps a healthy shared one, shrunk to one TaskManager', () => {
    const cells = [
      cell('dedicated', 8, { dedicatedPoolId: 'pool-d', idleSinceMs: cooled }),
      cell('sick', 16, { slotsTotal: 16, healthy: false, idleSinceMs: cooled }),
      cell('shared', 8, { idleSinceMs: cooled }),
    ];
    expect(decideShrink(cells, now, options)).toEqual({
      removeCells: ['dedicated', 'sick'],
      removeTaskManagers: [{ cellId: 'shared', count: 1 }],
    });
  });

  it('counts a cell as busy from its tenants even if its free slots say otherwise', () => {
    const cells = [
      cell('a', 8, { tenants: { 'org-a': 1 }, idleSinceMs: cooled }),
      cell('b', 8, { idleSinceMs: cooled }),
    ];
    expect(decideShrink(cells, now, options).removeCells).toEqual(['b']);
  });

  it('does nothing for an empty fleet', () => {
    expect(decideShrink([], now, options)).toEqual({ removeCells: [], removeTaskManagers: [] });
  });
});

describe('replaceLostCell', () => {
  const lost = (uid: string, slots: number, more: Partial<LostStatement> = {}): LostStatement => ({
    ...request(slots, { statementUid: uid }),
    cellId: 'dead',
    ...more,
  });

  it('re-places each statement elsewhere, largest first, never on the dead cell', () => {
    const cells = [cell('dead', 8, { slotsTotal: 16 }), cell('a', 3), cell('b', 5)];
    expect(replaceLostCell([lost('small', 2), lost('big', 5)], cells, options)).toEqual([
      { statementUid: 'big', decision: { type: 'place', cellId: 'b' } },
      { statementUid: 'small', decision: { type: 'place', cellId: 'a' } },
    ]);
  });

  it('accounts for earlier decisions: later statements grow or join a planned cell', () => {
    const cells = [cell('dead', 0, { slotsTotal: 16 }), cell('a', 2, { slotsTotal: 16 })];
    const result = replaceLostCell(
      [lost('s1', 3), lost('s2', 3), lost('s3', 2), lost('s4', 8)],
      cells,
      options,
    );
    expect(result).toEqual([
      {
        statementUid: 's4',
        decision: { type: 'add-cell', taskManagers: 2, plannedCellId: 'planned-cell-1' },
      },
      { statementUid: 's1', decision: { type: 'grow-cell', cellId: 'planned-cell-1', addTaskManagers: 1 } },
      { statementUid: 's2', decision: { type: 'grow-cell', cellId: 'planned-cell-1', addTaskManagers: 1 } },
      { statementUid: 's3', decision: { type: 'place', cellId: 'a' } },
    ]);
  });

  it('keeps dedicated statements on their pool and waits when the fleet cannot take them', () => {
    const cells = [cell('dead', 0), cell('shared', 8)];
    const result = replaceLostCell(
      [lost('d1', 2, { isolation: 'dedicated', poolId: 'pool-d' }), lost('x', 20)],
      cells,
      { ...options, maxCells: 2 },
    );
    expect(result[0]).toEqual({ statementUid: 'x', decision: expect.objectContaining({ type: 'wait' }) });
    expect(result[1]).toEqual({
      statementUid: 'd1',
      decision: {
        type: 'add-cell',
        dedicatedPoolId: 'pool-d',
        taskManagers: 1,
        plannedCellId: 'planned-cell-1',
      },
    });
  });
});
