import { RiffleError } from '../riffle-error';
import { decideScaling, type ScalingInput, scaleDownDelay } from './autoscaler';
import type { ScalingState } from './scale-down-window';
import { DEFAULT_AUTOSCALER_OPTIONS, type VertexMetrics } from './scaling-metrics';

const NOW = 1_000_000_000;
const HOUR = 3_600_000;

const source = (more: Partial<VertexMetrics> = {}): VertexMetrics => ({
  id: 'source',
  parallelism: 2,
  maxParallelism: 128,
  isSource: true,
  partitions: 12,
  busyTimeMsPerSecond: 700,
  backPressuredTimeMsPerSecond: 0,
  numRecordsInPerSecond: 1400,
  numRecordsOutPerSecond: 1400,
  ...more,
});
const vertex = (id: string, more: Partial<VertexMetrics> = {}): VertexMetrics => ({
  ...source({ id, isSource: false, partitions: undefined }),
  ...more,
});
const input = (more: Partial<ScalingInput> = {}): ScalingInput => ({
  nowMs: NOW,
  statement: { currentParallelism: 2, lastRescaleMs: null, startedMs: NOW - HOUR },
  vertices: [source(), vertex('sink')],
  sourceLag: 0,
  poolFreeCfu: 10,
  history: null,
  options: { ...DEFAULT_AUTOSCALER_OPTIONS },
  ...more,
});

describe('decideScaling: stabilization', () => {
  it.each<[string, ScalingInput['statement']]>([
    ['after a start', { currentParallelism: 2, lastRescaleMs: null, startedMs: NOW - 100_000 }],
    ['after a rescale', { currentParallelism: 2, lastRescaleMs: NOW - 150_000, startedMs: NOW - HOUR }],
  ])('decides nothing %s, whatever the metrics', (_, statement) => {
    const decision = decideScaling(
      input({ statement, vertices: [source({ busyTimeMsPerSecond: 1000 })], sourceLag: 1e9 }),
    );
    expect(decision).toMatchObject({ action: 'none', parallelism: 2, scalingState: 'OK' });
    expect(decision.reason).toMatch(
      /^stabilizing: the job \(re\)started \d+(\.\d)? s ago; no scaling decision within 180 s/,
    );
    expect(decision.history).toMatchObject({ pendingScaleDown: null });
    expect(decision.inputs.vertices).toEqual([]);
  });

  it('decides again once the window has passed', () => {
    const statement = { currentParallelism: 2, lastRescaleMs: NOW - 180_000, startedMs: NOW - HOUR };
    expect(decideScaling(input({ statement })).reason).toMatch(/^within target utilization/);
  });
});

describe('decideScaling: scale up', () => {
  it('sizes the bottleneck by its true rate, with the numbers in the reason and inputs', () => {
    const decision = decideScaling(
      input({
        vertices: [
          source({ busyTimeMsPerSecond: 900, numRecordsInPerSecond: 1800 }),
          vertex('sink', { busyTimeMsPerSecond: 300, numRecordsInPerSecond: 1800 }),
        ],
      }),
    );
    expect(decision).toMatchObject({
      action: 'scale-up',
      parallelism: 3,
      perVertex: { source: 3, sink: 2 },
      scalingState: 'PENDING_SCALE_UP',
      reason:
        'scale up 2 → 3 CFU: source needs 3, runs 2 (target 2571 rec/s = 1800 in / 0.7; true rate 1000 rec/s per subtask at 900 ms/s busy)',
    });
    expect(decision.inputs.vertices[0]).toMatchObject({
      requiredParallelism: 3,
      load: 'under',
      inputRate: 1800,
    });
    expect(decision.inputs.vertices[0]!.trueRatePerSubtask).toBeCloseTo(1000);
    expect(decision.inputs.vertices[1]).toMatchObject({ requiredParallelism: 1, load: 'over' });
  });

  it('adds the backlog over the catch-up time, and shares it downstream by input ratio', () => {
    const decision = decideScaling(
      input({
        vertices: [
          source({ busyTimeMsPerSecond: 500, numRecordsInPerSecond: 1000 }),
          vertex('filter', { busyTimeMsPerSecond: 50, numRecordsInPerSecond: 100 }),
        ],
        sourceLag: 600_000,
      }),
    );
    // source: 1000 / 0.7 + 600000 / 300 s = 3429 rec/s over 1000 per subtask → 4 (divides 12)
    expect(decision).toMatchObject({ action: 'scale-up', perVertex: { source: 4, filter: 2 } });
    expect(decision.inputs).toMatchObject({ backlog: true, lagSeconds: 600, sourceInputRate: 1000 });
    expect(decision.inputs.vertices[0]!.catchUpRate).toBe(2000);
    expect(decision.inputs.vertices[1]!.catchUpRate).toBe(200);
    expect(decision.reason).toContain('+ 2000 catch-up');
  });

  it('aligns a source to its partitions: 5 needed of 12 partitions → 6', () => {
    const decision = decideScaling(
      input({
        vertices: [source({ parallelism: 4, busyTimeMsPerSecond: 850, numRecordsInPerSecond: 3400 })],
      }),
    );
    // true rate 1000/subtask, target 4857 → 5 → 6
    expect(decision).toMatchObject({ action: 'scale-up', parallelism: 6, perVertex: { source: 6 } });
  });

  it('never takes a source past its partitions; says it is at its limit', () => {
    const decision = decideScaling(
      input({
        statement: { currentParallelism: 4, lastRescaleMs: null, startedMs: 0 },
        vertices: [
          source({ parallelism: 4, partitions: 4, busyTimeMsPerSecond: 1000, numRecordsInPerSecond: 4000 }),
        ],
      }),
    );
    expect(decision).toMatchObject({ action: 'none', parallelism: 4, scalingState: 'OK' });
    expect(decision.reason).toContain('source is busy but already at its limit of 4');
  });

  it('caps a non-source vertex at maxParallelism (the option and the vertex own)', () => {
    const busy = vertex('join', { busyTimeMsPerSecond: 1000, numRecordsInPerSecond: 1400, parallelism: 1 });
    expect(
      decideScaling(
        input({ vertices: [source(), busy], options: { ...DEFAULT_AUTOSCALER_OPTIONS, maxParallelism: 2 } }),
      ).perVertex,
    ).toEqual({ source: 2, join: 2 });
    expect(decideScaling(input({ vertices: [source(), { ...busy, maxParallelism: 1 }] })).action).toBe(
      'none',
    );
  });
});

describe('decideScaling: pool', () => {
  const backlogged = (more: Partial<ScalingInput> = {}) =>
    input({
      vertices: [source({ busyTimeMsPerSecond: 1000, numRecordsInPerSecond: 1000 })],
      sourceLag: 1_500_000, // + 5000 rec/s catch-up: needs 13 → 12 partitions
      ...more,
    });

  it('scales as far as the free CFUs allow and reports POOL_EXHAUSTED', () => {
    const decision = decideScaling(backlogged({ poolFreeCfu: 2 }));
    expect(decision).toMatchObject({ action: 'scale-up', parallelism: 4, scalingState: 'POOL_EXHAUSTED' });
    expect(decision.reason).toMatch(
      /^pool exhausted: needs 12 CFU, the pool has 2 free beyond this statement's 2 CFU; scaling up 2 → 4 CFU, as far as it allows: source needs 12, runs 2 \(target 6429 rec\/s = 1000 in \/ 0.7 \+ 5000 catch-up/,
    );
  });

  it('does not scale when no aligned size fits the free CFUs', () => {
    const decision = decideScaling(
      backlogged({
        poolFreeCfu: 1,
        vertices: [source({ partitions: 10, busyTimeMsPerSecond: 1000, numRecordsInPerSecond: 1000 })],
      }),
    );
    expect(decision).toMatchObject({ action: 'none', parallelism: 2, scalingState: 'POOL_EXHAUSTED' });
    expect(decision.reason).toMatch(
      /^pool exhausted: needs 10 CFU, the pool has 1 free .*; staying at 2 CFU/,
    );
  });

  it('stays put with an exhausted pool', () => {
    expect(decideScaling(backlogged({ poolFreeCfu: 0 }))).toMatchObject({
      action: 'none',
      scalingState: 'POOL_EXHAUSTED',
    });
  });
});

describe('decideScaling: scale down', () => {
  // source 4 subtasks at 200 ms/s reading 800 rec/s: needs 2; sink needs 1 → 2 CFU
  const quiet = (more: Partial<ScalingInput> = {}) =>
    input({
      statement: { currentParallelism: 4, lastRescaleMs: null, startedMs: 0 },
      vertices: [
        source({ parallelism: 4, busyTimeMsPerSecond: 200, numRecordsInPerSecond: 800 }),
        vertex('sink', { parallelism: 4, busyTimeMsPerSecond: 100, numRecordsInPerSecond: 800 }),
      ],
      ...more,
    });

  it('waits out the delay, shared out over the CFUs it gives back, then scales down', () => {
    const first = decideScaling(quiet());
    expect(first).toMatchObject({ action: 'none', parallelism: 4, scalingState: 'PENDING_SCALE_DOWN' });
    expect(first.reason).toMatch(
      /^scale down 4 → 2 CFU delayed: needed less for 0 s of the 1800 s delay \(3600 s over 2 spare CFU\): source needs 2, runs 4 .*; sink needs 1, runs 4/,
    );
    expect(first.history.pendingScaleDown).toMatchObject({ sinceMs: NOW });

    const early = decideScaling(quiet({ nowMs: NOW + HOUR / 2 - 1, history: first.history }));
    expect(early).toMatchObject({ action: 'none', scalingState: 'PENDING_SCALE_DOWN' });

    const due = decideScaling(quiet({ nowMs: NOW + HOUR / 2, history: early.history }));
    expect(due).toMatchObject({
      action: 'scale-down',
      parallelism: 2,
      perVertex: { source: 2, sink: 1 },
      scalingState: 'PENDING_SCALE_DOWN',
      history: { pendingScaleDown: null },
    });
    expect(due.reason).toMatch(
      /^scale down 4 → 2 CFU: needed less for 1800 s \(delay 3600 s over 2 spare CFU\)/,
    );
  });

  it('waits the whole delay to give back one CFU, a fraction of it to give back many', () => {
    expect(scaleDownDelay(DEFAULT_AUTOSCALER_OPTIONS, 1)).toBe(HOUR);
    expect(scaleDownDelay(DEFAULT_AUTOSCALER_OPTIONS, 42)).toBe(HOUR / 42);
    expect(scaleDownDelay({ ...DEFAULT_AUTOSCALER_OPTIONS, scaleDownDelayMs: 0 }, 3)).toBe(0);
  });

  it('scales down at once with no delay configured', () => {
    const options = { ...DEFAULT_AUTOSCALER_OPTIONS, scaleDownDelayMs: 0 };
    expect(decideScaling(quiet({ options }))).toMatchObject({ action: 'scale-down', parallelism: 2 });
  });

  it('goes to the largest size recommended within the delay window', () => {
    const needs3 = source({ parallelism: 4, busyTimeMsPerSecond: 400, numRecordsInPerSecond: 1120 });
    const sink = vertex('sink', { parallelism: 4, busyTimeMsPerSecond: 100, numRecordsInPerSecond: 800 });
    let history: ScalingState | null = decideScaling(quiet({ vertices: [needs3, sink] })).history;
    history = decideScaling(quiet({ nowMs: NOW + HOUR / 2, history })).history;
    expect(decideScaling(quiet({ nowMs: NOW + HOUR, history }))).toMatchObject({
      action: 'scale-down',
      parallelism: 3,
    });
    // once the larger recommendation has left the window, the smaller one rules
    expect(decideScaling(quiet({ nowMs: NOW + HOUR + 1, history }))).toMatchObject({
      action: 'scale-down',
      parallelism: 2,
    });
  });

  it('restarts the delay when the need comes back up in between', () => {
    const first = decideScaling(quiet());
    const busy = decideScaling(
      quiet({
        nowMs: NOW + 1000,
        history: first.history,
        vertices: [source({ parallelism: 4, busyTimeMsPerSecond: 700, numRecordsInPerSecond: 2800 })],
      }),
    );
    expect(busy.history).toMatchObject({ pendingScaleDown: null });
    const later = decideScaling(quiet({ nowMs: NOW + HOUR, history: busy.history }));
    expect(later).toMatchObject({ action: 'none', scalingState: 'PENDING_SCALE_DOWN' });
  });

  it('drops a pending scale-down from before the last restart', () => {
    const first = decideScaling(quiet());
    const statement = { currentParallelism: 4, lastRescaleMs: NOW + 1000, startedMs: 0 };
    const after = decideScaling(quiet({ nowMs: NOW + HOUR, history: first.history, statement }));
    expect(after).toMatchObject({ action: 'none', scalingState: 'PENDING_SCALE_DOWN' });
    expect(after.history.pendingScaleDown!.sinceMs).toBe(NOW + HOUR);
  });

  it('never scales down while a backlog drains, and forgets a pending one', () => {
    const first = decideScaling(quiet());
    const draining = decideScaling(
      quiet({ nowMs: NOW + HOUR, history: first.history, sourceLag: 800 * 301 }),
    );
    expect(draining).toMatchObject({
      action: 'none',
      scalingState: 'OK',
      history: { pendingScaleDown: null },
    });
    expect(draining.reason).toBe(
      'backlog draining: 240800 records pending (301 s of input, threshold 300 s); no scale-down while it drains',
    );
  });

  it('a small lag under the threshold does not block a scale-down', () => {
    const options = { ...DEFAULT_AUTOSCALER_OPTIONS, scaleDownDelayMs: 0 };
    expect(decideScaling(quiet({ options, sourceLag: 800 * 10 }))).toMatchObject({ action: 'scale-down' });
  });

  it('does not restart for a narrower vertex when the widest one holds the CFUs', () => {
    const decision = decideScaling(
      input({
        statement: { currentParallelism: 4, lastRescaleMs: null, startedMs: 0 },
        vertices: [
          source({ parallelism: 4, busyTimeMsPerSecond: 100, numRecordsInPerSecond: 400 }),
          vertex('join', { parallelism: 4, busyTimeMsPerSecond: 700, numRecordsInPerSecond: 400 }),
        ],
      }),
    );
    expect(decision).toMatchObject({ action: 'none', scalingState: 'OK' });
    expect(decision.reason).toMatch(
      /^no saving: source could run narrower, but the statement would still hold 4 CFU/,
    );
  });

  it('brings an idle statement down to 1', () => {
    const idle = { busyTimeMsPerSecond: 0, numRecordsInPerSecond: 0, numRecordsOutPerSecond: 0 };
    const options = { ...DEFAULT_AUTOSCALER_OPTIONS, scaleDownDelayMs: 0 };
    const decision = decideScaling(
      quiet({
        options,
        vertices: [source({ parallelism: 4, ...idle }), vertex('sink', { parallelism: 4, ...idle })],
      }),
    );
    expect(decision).toMatchObject({
      action: 'scale-down',
      parallelism: 1,
      perVertex: { source: 1, sink: 1 },
    });
    expect(decision.reason).toContain('source needs 1, runs 4 (target 0 rec/s = 0 in / 0.7; idle)');
  });
});

describe('decideScaling: edges', () => {
  it('has no opinion while no records flow despite a backlog', () => {
    const stuck = { busyTimeMsPerSecond: 0, numRecordsInPerSecond: 0, numRecordsOutPerSecond: 0 };
    const decision = decideScaling(input({ vertices: [source(stuck)], sourceLag: 1000 }));
    expect(decision).toMatchObject({ action: 'none', inputs: { backlog: true, lagSeconds: null } });
    expect(decision.inputs.vertices[0]!.load).toBe('unknown');
    expect(decision.reason).toContain('no input flowing');
  });

  it('reads a source rate from numRecordsOut when numRecordsIn is not reported', () => {
    const decision = decideScaling(
      input({ vertices: [source({ numRecordsInPerSecond: 0, numRecordsOutPerSecond: 1400 })] }),
    );
    expect(decision.inputs.sourceInputRate).toBe(1400);
  });

  it.each<[string, Partial<ScalingInput>]>([
    ['no vertices', { vertices: [] }],
    ['no source', { vertices: [vertex('sink')] }],
    ['NaN busy time', { vertices: [source({ busyTimeMsPerSecond: NaN })] }],
    ['busy time over 1000 ms/s', { vertices: [source({ busyTimeMsPerSecond: 1001 })] }],
    ['negative lag', { sourceLag: -1 }],
    ['parallelism 0', { vertices: [source({ parallelism: 0 })] }],
  ])('decides nothing on incomplete metrics (%s) and keeps the pending scale-down', (_, more) => {
    const history: ScalingState = { pendingScaleDown: { sinceMs: NOW - 5, recommendations: { source: [] } } };
    const decision = decideScaling(input({ ...more, history }));
    expect(decision).toMatchObject({ action: 'none', scalingState: 'OK', history });
    expect(decision.reason).toMatch(/^metrics incomplete \(.+\); no scaling decision$/);
  });

  it.each<[string, Partial<ScalingInput['options']>]>([
    ['target utilization 0', { targetUtilization: 0 }],
    ['target utilization above 1', { targetUtilization: 1.2 }],
    ['no catch-up time', { catchUpMs: 0 }],
    ['fractional max parallelism', { maxParallelism: 2.5 }],
    ['negative delay', { scaleDownDelayMs: -1 }],
  ])('rejects options with %s', (_, options) => {
    expect(() => decideScaling(input({ options: { ...DEFAULT_AUTOSCALER_OPTIONS, ...options } }))).toThrow(
      expect.objectContaining({ code: 'INVALID_AUTOSCALER_OPTIONS' }),
    );
    expect(() => decideScaling(input({ options: { ...DEFAULT_AUTOSCALER_OPTIONS, ...options } }))).toThrow(
      RiffleError,
    );
  });

  it('records JSON-safe inputs', () => {
    const decision = decideScaling(input({ sourceLag: 5 }));
    expect(JSON.parse(JSON.stringify(decision))).toEqual(decision);
  });
});

describe('decideScaling: input arriving faster than the job reads', () => {
  // 2 subtasks fully busy read 2,000 rec/s while the backlog grew by 12,000 rec/s over the last tick:
  // 14,000 rec/s arrive, so 14,000 / 0.7 / 1,000 = 20 subtasks, aligned to the 12 partitions: 12
  const saturated = { busyTimeMsPerSecond: 1000, numRecordsInPerSecond: 2000, numRecordsOutPerSecond: 2000 };
  const tick = (history: ScalingState | null, nowMs: number, sourceLag: number) =>
    decideScaling(
      input({
        nowMs,
        history,
        sourceLag,
        poolFreeCfu: 100,
        vertices: [source({ ...saturated, partitions: 48 }), vertex('sink', saturated)],
      }),
    );

  it('sizes for the arrivals (read rate + backlog growth), not only for what it managed to read', () => {
    const first = tick(null, NOW, 0);
    expect(first.history.lastLag).toEqual({ atMs: NOW, lag: 0 });
    const second = tick(first.history, NOW + 15_000, 180_000);
    expect(second.action).toBe('scale-up');
    // 14,000 / 0.7 = 20,000 rec/s + catch-up 180,000 / 300 s = 600 → 21 subtasks, aligned to 48: 24
    expect(second.perVertex).toEqual({ source: 24, sink: 21 });
  });

  it('ignores the backlog of an earlier run of the job', () => {
    const earlier = { atMs: NOW - 2 * HOUR, lag: 0 };
    const decision = tick({ pendingScaleDown: null, lastLag: earlier }, NOW, 180_000);
    // no growth measured (the job restarted since): only what it read plus the catch-up
    expect(decision.perVertex?.source).toBeLessThan(12);
  });
});
