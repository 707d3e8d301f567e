import fc from 'fast-check';
import { decideScaling, type ScalingInput } from './autoscaler';
import type { ScalingState } from './scale-down-window';
import { type AutoscalerOptions, DEFAULT_AUTOSCALER_OPTIONS, type VertexMetrics } from './scaling-metrics';

const optionsArb: fc.Arbitrary<AutoscalerOptions> = fc.record({
  targetUtilization: fc.double({ min: 0.3, max: 1, noNaN: true }),
  utilizationBoundary: fc.double({ min: 0, max: 0.3, noNaN: true }),
  catchUpMs: fc.integer({ min: 1000, max: 600_000 }),
  stabilizationMs: fc.integer({ min: 0, max: 600_000 }),
  scaleDownDelayMs: fc.integer({ min: 0, max: 7_200_000 }),
  maxParallelism: fc.integer({ min: 1, max: 64 }),
  backlogThresholdMs: fc.integer({ min: 0, max: 600_000 }),
});

const load = {
  busyTimeMsPerSecond: fc.integer({ min: 0, max: 1000 }),
  backPressuredTimeMsPerSecond: fc.integer({ min: 0, max: 1000 }),
  numRecordsInPerSecond: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1e6, noNaN: true })),
  numRecordsOutPerSecond: fc.double({ min: 0, max: 1e6, noNaN: true }),
};

const sourceArb = (id: string): fc.Arbitrary<VertexMetrics> =>
  fc
    .record({
      partitions: fc.integer({ min: 1, max: 48 }),
      parallelism: fc.integer({ min: 1, max: 48 }),
      ...load,
    })
    .map(({ partitions, parallelism, ...metrics }) => ({
      id,
      isSource: true,
      partitions,
      parallelism: Math.min(parallelism, partitions),
      maxParallelism: 128,
      ...metrics,
    }));

const operatorArb = (id: string): fc.Arbitrary<VertexMetrics> =>
  fc
    .record({
      parallelism: fc.integer({ min: 1, max: 48 }),
      maxParallelism: fc.integer({ min: 48, max: 256 }),
      ...load,
    })
    .map((v) => ({ id, isSource: false, ...v }));

const verticesArb = fc
  .tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 0, max: 3 }))
  .chain(([sources, operators]) =>
    fc.tuple(
      ...Array.from({ length: sources }, (_, i) => sourceArb(`source-${i}`)),
      ...Array.from({ length: operators }, (_, i) => operatorArb(`op-${i}`)),
    ),
  );

const NOW = 10_000_000_000;

const inputArb: fc.Arbitrary<ScalingInput> = fc
  .record({
    vertices: verticesArb,
    sourceLag: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 1e9 })),
    poolFreeCfu: fc.integer({ min: 0, max: 40 }),
    sinceStartMs: fc.integer({ min: 0, max: 1_200_000 }),
    options: optionsArb,
  })
  .map(({ vertices, sinceStartMs, ...rest }) => ({
    ...rest,
    nowMs: NOW,
    vertices,
    statement: {
      currentParallelism: Math.max(...vertices.map((v) => v.parallelism)),
      lastRescaleMs: null,
      startedMs: NOW - sinceStartMs,
    },
    history: null,
  }));

function checkInvariants(input: ScalingInput, decision: ReturnType<typeof decideScaling>) {
  const currentCfu = input.statement.currentParallelism;
  expect(decision.parallelism).toBeGreaterThanOrEqual(1);
  expect(decision.reason.length).toBeGreaterThan(0);
  if (decision.action === 'none') {
    expect(decision.parallelism).toBe(currentCfu);
    expect(decision.perVertex).toBeUndefined();
    return;
  }
  expect(decision.parallelism).toBe(Math.max(...Object.values(decision.perVertex!)));
  if (decision.action === 'scale-up') {
    expect(decision.parallelism).toBeLessThanOrEqual(currentCfu + input.poolFreeCfu);
    expect(['PENDING_SCALE_UP', 'POOL_EXHAUSTED']).toContain(decision.scalingState);
  }
  if (decision.action === 'scale-down') {
    expect(decision.parallelism).toBeLessThan(currentCfu);
    expect(decision.inputs.backlog).toBe(false);
  }
  for (const v of input.vertices) {
    const next = decision.perVertex![v.id]!;
    expect(next).toBeGreaterThanOrEqual(1);
    if (next === v.parallelism) continue;
    if (decision.action === 'scale-up') expect(next).toBeGreaterThan(v.parallelism);
    else expect(next).toBeLessThan(v.parallelism);
    expect(next).toBeLessThanOrEqual(Math.max(v.parallelism, input.options.maxParallelism, 1));
    expect(next).toBeLessThanOrEqual(v.maxParallelism);
    if (v.isSource && v.partitions !== undefined) {
      expect(next).toBeLessThanOrEqual(v.partitions);
      expect(v.partitions % next).toBe(0);
    }
  }
}

describe('autoscaler properties', () => {
  it('never above the pool free CFUs or a source partitions; never below 1; scale-up only up', () => {
    fc.assert(
      fc.property(inputArb, (input) => checkInvariants(input, decideScaling(input))),
      { numRuns: 1000 },
    );
  });

  it('never decides during stabilization', () => {
    fc.assert(
      fc.property(
        inputArb,
        fc.integer({ min: 1, max: 600_000 }),
        fc.boolean(),
        (input, sinceRestart, rescaled) => {
          const options = { ...input.options, stabilizationMs: sinceRestart + 1 };
          const statement = rescaled
            ? { ...input.statement, startedMs: 0, lastRescaleMs: NOW - sinceRestart }
            : { ...input.statement, startedMs: NOW - sinceRestart, lastRescaleMs: null };
          const decision = decideScaling({ ...input, statement, options });
          expect(decision).toMatchObject({
            action: 'none',
            scalingState: 'OK',
            history: { pendingScaleDown: null },
          });
          expect(decision.reason).toMatch(/^stabilizing/);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('over a run of ticks, scales down only after the need stayed lower for the delay its surplus allows', () => {
    fc.assert(
      fc.property(
        inputArb,
        fc.array(fc.tuple(fc.integer({ min: 1, max: 1_800_000 }), fc.nat(2)), {
          minLength: 1,
          maxLength: 12,
        }),
        (first, ticks) => {
          const options = { ...first.options, stabilizationMs: 0 };
          let history: ScalingState | null = null;
          let nowMs = NOW;
          /** when the current run of scale-down recommendations began, per our own bookkeeping */
          let runStart: number | null = null;
          for (const [step, pick] of ticks) {
            nowMs += step;
            const vertices = first.vertices.map((v) => ({
              ...v,
              busyTimeMsPerSecond: [50, 700, 1000][pick]!,
              numRecordsInPerSecond: v.numRecordsInPerSecond || 100,
            }));
            const input = { ...first, nowMs, vertices, options, history };
            const decision = decideScaling(input);
            checkInvariants(input, decision);
            const pending = decision.scalingState === 'PENDING_SCALE_DOWN' && decision.action === 'none';
            if (decision.action === 'scale-down') {
              // the delay is shared out over the CFUs given back
              const surplus = decision.inputs.currentCfu - decision.parallelism;
              expect(nowMs - (runStart ?? nowMs)).toBeGreaterThanOrEqual(options.scaleDownDelayMs / surplus);
              // the job is resized, so measure the rest against a fresh start
              return;
            }
            runStart = pending ? (runStart ?? nowMs) : null;
            history = decision.history;
            if (decision.action === 'scale-up') return;
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('is deterministic and never throws on valid options', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        expect(decideScaling(input)).toEqual(decideScaling(structuredClone(input)));
      }),
      { numRuns: 200 },
    );
  });
});

it('the defaults are valid', () => {
  expect(() =>
    decideScaling({
      nowMs: NOW,
      statement: { currentParallelism: 1, lastRescaleMs: null, startedMs: 0 },
      vertices: [],
      sourceLag: 0,
      poolFreeCfu: 0,
      history: null,
      options: DEFAULT_AUTOSCALER_OPTIONS,
    }),
  ).not.toThrow();
});
