import type { PlacementOptions } from '@riffle/domain';
import type { StatementRecord, StatementRepository, StatusPatch } from '../statements/statement.ports';
import type { ComputePoolRepository } from './compute-pool.ports';
import {
  type CellEndpoints,
  type CellLoad,
  type CellObservation,
  CellObserver,
  CellRepository,
  CheckpointLocator,
  ClusterFleet,
  type FlinkCell,
  type StrandedStatement,
} from './fleet.ports';
import { PlaceStatement } from './place-statement.use-case';
import { WatchCells } from './watch-cells.use-case';

const OPTIONS: PlacementOptions = {
  maxCells: 3,
  maxSlotsPerCell: 8,
  slotsPerTaskManager: 4,
  idleCoolDownMs: 1,
};

/** in-memory ports: the use cases' decisions are what is under test, not Postgres or Flink */
class Cells extends CellRepository {
  cells: FlinkCell[] = [];
  loadsByCell: CellLoad[] = [];
  strandedByCell: Record<string, StrandedStatement[]> = {};
  register(cell: CellEndpoints & { provider: string; dedicatedPoolId?: string | null }) {
    const known = this.cells.find((c) => c.id === cell.id);
    if (known) {
      known.state = 'ACTIVE';
      return Promise.resolve();
    }
    this.cells.push({
      ...cell,
      dedicatedPoolId: cell.dedicatedPoolId ?? null,
      state: 'ACTIVE',
      slotsTotal: 0,
      checkpointDir: null,
      lastSeenAt: null,
      lostAt: null,
      idleSince: null,
    });
    return Promise.resolve();
  }
  active() {
    return Promise.resolve(this.cells.filter((c) => c.state === 'ACTIVE'));
  }
  lost() {
    return Promise.resolve(this.cells.filter((c) => c.state === 'LOST'));
  }
  find(id: string) {
    return Promise.resolve(this.cells.find((c) => c.id === id));
  }
  now = Date.now();
  recordSeen(id: string, seen: { slotsTotal: number; checkpointDir: string | null; idle: boolean }) {
    const cell = this.cells.find((c) => c.id === id)!;
    Object.assign(cell, {
      slotsTotal: seen.slotsTotal,
      checkpointDir: seen.checkpointDir,
      lastSeenAt: new Date(),
      idleSince: seen.idle ? (cell.idleSince ?? new Date(this.now)) : null,
    });
    return Promise.resolve();
  }
  markRemoved(id: string) {
    const cell = this.cells.find((c) => c.id === id && c.state === 'ACTIVE' && c.idleSince);
    if (cell) cell.state = 'REMOVED';
    return Promise.resolve(cell !== undefined);
  }
  markLost(id: string) {
    const cell = this.cells.find((c) => c.id === id && c.state === 'ACTIVE');
    if (cell) cell.state = 'LOST';
    return Promise.resolve(cell !== undefined);
  }
  loads() {
    return Promise.resolve(this.loadsByCell);
  }
  exclusively<T>(fn: () => Promise<T>) {
    return fn();
  }
  stranded(cellId: string) {
    return Promise.resolve(this.strandedByCell[cellId] ?? []);
  }
}

class Observer extends CellObserver {
  seen: Record<string, CellObservation> = {};
  observe(cell: CellEndpoints) {
    return Promise.resolve(this.seen[cell.id] ?? { reachable: false as const, reason: 'connection refused' });
  }
}

class Fleet extends ClusterFleet {
  readonly provider = 'test';
  added: { taskManagers: number; dedicatedPoolId: string | null }[] = [];
  grown: [string, number][] = [];
  removed: string[] = [];
  constructor(readonly elastic: boolean) {
    super();
  }
  discover() {
    return Promise.resolve([]);
  }
  addCell(spec: { taskManagers: number; dedicatedPoolId: string | null }) {
    this.added.push(spec);
    const id = `cell-new-${this.added.length}`;
    return Promise.resolve({ id, restUrl: `http://${id}`, gatewayUrl: `http://${id}:8083` });
  }
  growCell(id: string, n: number) {
    this.grown.push([id, n]);
    return Promise.resolve();
  }
  removeCell(id: string) {
    this.removed.push(id);
    return Promise.resolve();
  }
  placementOptions() {
    return OPTIONS;
  }
}

const statementPatches: [string, StatusPatch][] = [];
const exceptions: [string, string][] = [];
const statements = {
  recordStatus: (uid: string, patch: StatusPatch) => {
    statementPatches.push([uid, patch]);
    return Promise.resolve();
  },
  addException: (uid: string, name: string) => {
    exceptions.push([uid, name]);
    return Promise.resolve();
  },
} as unknown as StatementRepository;
const pools = {
  find: (_org: string, id: string) =>
    Promise.resolve({ id, isolation: id.startsWith('dedicated') ? 'dedicated' : 'shared' }),
} as unknown as ComputePoolRepository;

const statement = (uid: string, organizationId: string, computePoolId: string | null = null) =>
  ({ uid, organizationId, computePoolId }) as StatementRecord;

const healthy = (slotsTotal: number, slotsAvailable: number): CellObservation => ({
  reachable: true,
  slotsTotal,
  slotsAvailable,
  checkpointDir: 'file:///ck',
});

beforeEach(() => {
  statementPatches.length = 0;
  exceptions.length = 0;
});

describe('PlaceStatement', () => {
  async function fleetOf(elastic: boolean) {
    const cells = new Cells();
    const observer = new Observer();
    const fleet = new Fleet(elastic);
    await cells.register({ id: 'a', restUrl: 'http://a', gatewayUrl: 'http://a:8083', provider: 'test' });
    await cells.register({ id: 'b', restUrl: 'http://b', gatewayUrl: 'http://b:8083', provider: 'test' });
    return { cells, observer, fleet, place: new PlaceStatement(cells, fleet, observer, pools, statements) };
  }

  it('best-fits onto a cell, counting slots promised to statements not yet running as taken', async () => {
    const { cells, observer, place } = await fleetOf(false);
    observer.seen = { a: healthy(4, 4), b: healthy(4, 2) };
    cells.loadsByCell = [{ cellId: 'a', tenants: { o2: 1 }, reservedSlots: 3 }];
    // a: 4 free in Flink but 3 promised → 1 left; b: 2 left → b is the only fit for 2 slots
    expect(await place.execute(statement('s1', 'o1'), 2)).toEqual({ placed: true, cellId: 'b' });
    expect(statementPatches).toEqual([['s1', { cellId: 'b' }]]);
  });

  it('never places on an unreachable cell, and a static fleet says why a statement waits', async () => {
    const { observer, place, fleet } = await fleetOf(false);
    observer.seen = { b: healthy(4, 0) };
    const outcome = await place.execute(statement('s1', 'o1'), 1);
    expect(outcome).toEqual({ placed: false, reason: expect.stringContaining('cannot add') });
    expect(fleet.added).toEqual([]);
    expect(statementPatches).toEqual([]);
  });

  it('grows a cell, or adds a cell of its own for a dedicated pool, when the fleet is elastic', async () => {
    const { cells, observer, place, fleet } = await fleetOf(true);
    observer.seen = { a: healthy(4, 0), b: healthy(4, 1) };
    // both need one more TaskManager; a is left with the tighter fit (1 slot over, b would have 2)
    expect(await place.execute(statement('s1', 'o1'), 3)).toEqual({ placed: true, cellId: 'a' });
    expect(fleet.grown).toEqual([['a', 1]]);

    const dedicated = await place.execute(statement('s2', 'o1', 'dedicated-pool'), 2);
    expect(dedicated).toEqual({ placed: true, cellId: 'cell-new-1' });
    expect(fleet.added).toEqual([{ taskManagers: 1, dedicatedPoolId: 'dedicated-pool' }]);
    expect((await cells.find('cell-new-1'))?.dedicatedPoolId).toBe('dedicated-pool');
  });
});

describe('WatchCells', () => {
  const checkpoints = new (class extends CheckpointLocator {
    latest(dir: string, jobId: string) {
      return Promise.resolve(jobId === 'job-with-checkpoint' ? `${dir}/${jobId}/chk-7` : null);
    }
  })();
  const enqueued: string[] = [];
  const queue = {
    enqueueReconcile: (uid: string) => {
      enqueued.push(uid);
      return Promise.resolve();
    },
  };

  it('declares a silent cell lost once, stops what is left of it and restores its statements', async () => {
    const cells = new Cells();
    const observer = new Observer();
    const fleet = new Fleet(true);
    await cells.register({ id: 'a', restUrl: 'http://a', gatewayUrl: 'http://a:8083', provider: 'test' });
    const watch = new WatchCells(cells, observer, fleet, statements, checkpoints, queue, {
      lostAfterMs: 5_000,
    });

    observer.seen = { a: healthy(4, 4) };
    expect(await watch.tick()).toEqual({ lost: [], removed: [] });
    expect((await cells.find('a'))?.checkpointDir).toBe('file:///ck');
    const lastSeen = (await cells.find('a'))!.lastSeenAt!.getTime();

    observer.seen = {};
    expect((await watch.tick(lastSeen + 4_000)).lost).toEqual([]); // not silent for long enough yet
    cells.strandedByCell.a = [
      {
        uid: 'cp',
        organizationId: 'o',
        jobId: 'job-with-checkpoint',
        savepointPath: '/sp/old',
        background: true,
      },
      { uid: 'sp', organizationId: 'o', jobId: 'job-without', savepointPath: '/sp/1', background: true },
      { uid: 'none', organizationId: 'o', jobId: 'job-without', savepointPath: null, background: true },
      { uid: 'query', organizationId: 'o', jobId: 'q', savepointPath: null, background: false },
    ];
    const [report] = (await watch.tick(lastSeen + 6_000)).lost;
    expect(report).toEqual({ cellId: 'a', restored: ['cp', 'sp'], failed: ['none', 'query'] });
    expect(fleet.removed).toEqual(['a']);
    const patch = (uid: string) => statementPatches.find(([u]) => u === uid)![1];
    expect(patch('cp')).toMatchObject({
      phase: 'PENDING',
      cellId: null,
      jobId: null,
      currentCfu: 0,
      savepointPath: 'file:///ck/job-with-checkpoint/chk-7',
    });
    expect(patch('sp')).toMatchObject({ phase: 'PENDING', savepointPath: '/sp/1' });
    expect(patch('none')).toMatchObject({ phase: 'FAILED', currentCfu: 0 });
    expect(exceptions).toEqual([
      ['none', 'CELL_LOST'],
      ['query', 'CELL_LOST'],
    ]);
    expect(enqueued).toEqual(['cp', 'sp', 'none', 'query']);
    // a second tick (or another scheduler) finds the cell already lost: nothing happens twice
    expect((await watch.tick(lastSeen + 60_000)).lost).toEqual([]);
  });

  it('stops a cell idle past the cool-down, never a busy one or the last one, and only when elastic', async () => {
    for (const elastic of [true, false]) {
      const cells = new Cells();
      const observer = new Observer();
      const fleet = new Fleet(elastic);
      for (const id of ['busy', 'idle'])
        await cells.register({
          id,
          restUrl: `http://${id}`,
          gatewayUrl: `http://${id}:8083`,
          provider: 'test',
        });
      cells.loadsByCell = [{ cellId: 'busy', tenants: { o: 1 }, reservedSlots: 0 }];
      observer.seen = { busy: healthy(4, 3), idle: healthy(4, 4) };
      const watch = new WatchCells(cells, observer, fleet, statements, checkpoints, queue, {
        lostAfterMs: 5_000,
      });
      cells.now = 1_000;
      expect((await watch.tick(1_000)).removed).toEqual([]); // the cool-down starts now
      expect((await cells.find('idle'))?.idleSince?.getTime()).toBe(1_000);
      expect((await cells.find('busy'))?.idleSince).toBeNull();
      const { removed } = await watch.tick(1_000 + OPTIONS.idleCoolDownMs + 1);
      expect([elastic, removed, fleet.removed]).toEqual(
        elastic ? [true, ['idle'], ['idle']] : [false, [], []],
      );
    }
  });

  it('takes a lost cell of a static fleet back once its JobManager answers again', async () => {
    const cells = new Cells();
    const observer = new Observer();
    const fleet = new Fleet(false);
    await cells.register({
      id: 'only',
      restUrl: 'http://only',
      gatewayUrl: 'http://only:8083',
      provider: 'test',
    });
    const watch = new WatchCells(cells, observer, fleet, statements, checkpoints, queue, {
      lostAfterMs: 5_000,
    });
    observer.seen = { only: healthy(4, 4) };
    await watch.tick(0);
    const seenAt = (await cells.find('only'))!.lastSeenAt!.getTime();
    observer.seen = {};
    expect((await watch.tick(seenAt + 6_000)).lost.map((l) => l.cellId)).toEqual(['only']);
    expect((await cells.find('only'))?.state).toBe('LOST');
    await watch.tick(seenAt + 7_000); // still silent: stays lost
    expect((await cells.find('only'))?.state).toBe('LOST');
    observer.seen = { only: healthy(4, 4) };
    await watch.tick(seenAt + 8_000);
    expect((await cells.find('only'))?.state).toBe('ACTIVE');
  });
});
