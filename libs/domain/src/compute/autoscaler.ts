import { statementCfu } from './cfu-sizing';
import { alignToPartitions } from './partition-alignment';
import { INITIAL_SCALING_STATE, recordScaleDown, type ScalingState, windowMaxima } from './scale-down-window';
import {
  type AutoscalerOptions,
  checkAutoscalerOptions,
  evaluateScalingMetrics,
  metricsProblem,
  type VertexEvaluation,
  type VertexMetrics,
} from './scaling-metrics';

export type ScalingAction = 'none' | 'scale-up' | 'scale-down';

/**
 * status.scaling_status.scaling_state: `OK` (right-sized, or nothing to decide), `PENDING_SCALE_UP` /
 * `PENDING_SCALE_DOWN` (a rescale in that direction is decided now, or a scale-down waits out its
 * delay), `POOL_EXHAUSTED` (it needs more than its pool's free CFUs allow, partly scaled up or not).
 */
export type ScalingStateCode = 'OK' | 'PENDING_SCALE_UP' | 'PENDING_SCALE_DOWN' | 'POOL_EXHAUSTED';

export interface ScalingInput {
  nowMs: number;
  statement: {
    /** the CFUs the statement holds now */
    currentParallelism: number;
    /** the last rescale's restart, if any */
    lastRescaleMs: number | null;
    /** when the running job (re)started: submit, resume, failover */
    startedMs: number;
  };
  vertices: readonly VertexMetrics[];
  /** records pending at the sources (Kafka end offsets minus the job's positions) */
  sourceLag: number;
  /** CFUs the pool has free beyond what this statement already holds */
  poolFreeCfu: number;
  /** the previous decision's `history`; null the first time */
  history: ScalingState | null;
  options: AutoscalerOptions;
}

/** Everything the decision rested on, recorded with it (JSON-safe). */
export interface ScalingDecisionInputs {
  nowMs: number;
  /** the later of start and last rescale */
  restartedMs: number;
  currentCfu: number;
  poolFreeCfu: number;
  sourceLag: number;
  sourceInputRate: number | null;
  lagSeconds: number | null;
  backlog: boolean;
  targetUtilization: number;
  /** empty when no decision was attempted (stabilizing, incomplete metrics) */
  vertices: VertexEvaluation[];
}

export interface ScalingDecision {
  action: ScalingAction;
  /** the statement's CFUs after the decision (the current ones when `none`) */
  parallelism: number;
  /** per vertex id, the new parallelism: present on scale-up and scale-down */
  perVertex?: Record<string, number>;
  /** for people: what was decided and why, with the numbers */
  reason: string;
  inputs: ScalingDecisionInputs;
  scalingState: ScalingStateCode;
  /** persist and pass back as the next call's `history` */
  history: ScalingState;
}

const round = (n: number) => (Math.abs(n) >= 100 ? String(Math.round(n)) : String(Math.round(n * 10) / 10));
const seconds = (ms: number) => `${round(ms / 1000)} s`;
const utilizationBand = (o: AutoscalerOptions) =>
  `${round(Math.max(0, o.targetUtilization - o.utilizationBoundary) * 100)}–${round(
    Math.min(1, o.targetUtilization + o.utilizationBoundary) * 100,
  )}%`;

/** the hardest cap on a vertex: its max parallelism, the statement's, and a source's partitions */
function vertexLimit(v: VertexMetrics, options: AutoscalerOptions): number {
  const partitions = v.isSource && v.partitions !== undefined ? v.partitions : Infinity;
  return Math.min(v.maxParallelism, options.maxParallelism, partitions);
}

/** `target` clamped to [1, limit], and for a partitioned source aligned to its partitions */
function bounded(v: VertexMetrics, target: number, limit: number): number {
  const clamped = Math.max(1, Math.min(target, limit));
  if (!v.isSource || v.partitions === undefined) return clamped;
  return alignToPartitions({
    target: clamped,
    current: v.parallelism,
    partitions: v.partitions,
    upper: limit,
  });
}

/**
 * How long a scale-down by `surplusCfu` waits: `scaleDownDelayMs` for one spare CFU, less for more.
 * The delay is a budget of idle CFU-minutes, not a fixed time: holding spare capacity costs in
 * proportion to how much is spare, while what the wait guards against (turning back up, one restart
 * pause) costs the same either way. So a statement left 42 CFU too wide after a burst gives them back
 * in 1/42 of the delay, and one a single CFU too wide waits the whole delay.
 */
export function scaleDownDelay(options: AutoscalerOptions, surplusCfu: number): number {
  return options.scaleDownDelayMs / Math.max(1, surplusCfu);
}

function explainVertex(e: VertexEvaluation, options: AutoscalerOptions, needs: number): string {
  const busy = `${round(e.busyFraction * 1000)} ms/s busy`;
  const capacity =
    e.trueRatePerSubtask !== null
      ? `true rate ${round(e.trueRatePerSubtask)} rec/s per subtask at ${busy}`
      : e.targetRate === 0
        ? 'idle'
        : e.inputRate > 0
          ? `barely busy at ${busy}`
          : 'no records flowing to measure a rate by';
  const catchUp = e.catchUpRate > 0 ? ` + ${round(e.catchUpRate)} catch-up` : '';
  return (
    `${e.id} needs ${needs}, runs ${e.parallelism} (target ${round(e.targetRate)} rec/s = ` +
    `${round(e.inputRate)} in / ${options.targetUtilization}${catchUp}; ${capacity})`
  );
}

/**
 * The autoscaling decision for one running statement (DESIGN §5, DS2 as in the Flink Kubernetes
 * Operator's autoscaler). Pure and level-triggered: the caller records the decision, carries it out
 * (rescale in place or stop-with-savepoint and restore), and passes `history` back next tick.
 *
 * 1. No decision within `stabilizationMs` of the job's last (re)start.
 * 2. Per vertex (see `evaluateScalingMetrics`): required parallelism = ceil(target capacity / true
 *    rate per subtask), capped by max parallelism and, for sources, by partitions and aligned to them.
 * 3. Scale up when a vertex is under-provisioned (utilization above the band): those vertices go to
 *    their required parallelism, the others stay, and the statement (CFUs = widest vertex) never
 *    grows past its CFUs + the pool's free CFUs. Capped by the pool: scale up as far as the pool allows
 *    (POOL_EXHAUSTED either way, with the numbers).
 * 4. Otherwise, no scale-down while a backlog drains, and none that does not lower the statement's CFUs
 *    (under slot sharing it would restart the job for no saving). A scale-down must be recommended on
 *    every tick for its delay (`scaleDownDelay`: `scaleDownDelayMs` shared out over the CFUs it gives
 *    back); it then goes to the largest size recommended in that window.
 */
export function decideScaling(input: ScalingInput): ScalingDecision {
  // the backlog's growth since the last tick of the same run of the job: input arriving beyond what it reads
  const last = input.history?.lastLag;
  const restartedMs = Math.max(input.statement.startedMs, input.statement.lastRescaleMs ?? -Infinity);
  const growth =
    last && last.atMs >= restartedMs && input.nowMs > last.atMs
      ? (input.sourceLag - last.lag) / ((input.nowMs - last.atMs) / 1000)
      : 0;
  const decision = decideWithGrowth(input, Number.isFinite(growth) ? growth : 0);
  return {
    ...decision,
    history: { ...decision.history, lastLag: { atMs: input.nowMs, lag: input.sourceLag } },
  };
}

function decideWithGrowth(input: ScalingInput, lagGrowthPerSecond: number): ScalingDecision {
  const { nowMs, statement, vertices, sourceLag, options } = input;
  checkAutoscalerOptions(options);
  const history = input.history ?? INITIAL_SCALING_STATE;
  const restartedMs = Math.max(statement.startedMs, statement.lastRescaleMs ?? -Infinity);
  const currentCfu = statementCfu([statement.currentParallelism, ...vertices.map((v) => v.parallelism)]);
  const poolFreeCfu = Math.max(0, Math.floor(input.poolFreeCfu));
  const inputs: ScalingDecisionInputs = {
    nowMs,
    restartedMs,
    currentCfu,
    poolFreeCfu,
    sourceLag,
    sourceInputRate: null,
    lagSeconds: null,
    backlog: false,
    targetUtilization: options.targetUtilization,
    vertices: [],
  };
  const decide = (
    action: ScalingAction,
    scalingState: ScalingStateCode,
    reason: string,
    next: ScalingState,
    perVertex?: Record<string, number>,
  ): ScalingDecision => ({
    action,
    parallelism: perVertex ? statementCfu(Object.values(perVertex)) : currentCfu,
    ...(perVertex ? { perVertex } : {}),
    reason,
    inputs,
    scalingState,
    history: next,
  });
  const reset: ScalingState = { pendingScaleDown: null };

  const sinceRestart = nowMs - restartedMs;
  if (sinceRestart < options.stabilizationMs)
    return decide(
      'none',
      'OK',
      `stabilizing: the job (re)started ${seconds(sinceRestart)} ago; no scaling decision within ${seconds(options.stabilizationMs)} of a restart`,
      reset,
    );
  const problem = metricsProblem(vertices, sourceLag);
  if (problem) return decide('none', 'OK', `metrics incomplete (${problem}); no scaling decision`, history);

  const evaluation = evaluateScalingMetrics(vertices, sourceLag, options, lagGrowthPerSecond);
  Object.assign(inputs, {
    sourceInputRate: evaluation.sourceInputRate,
    lagSeconds: evaluation.lagSeconds,
    backlog: evaluation.backlog,
    vertices: evaluation.vertices,
  });
  const rows = vertices.map((v, i) => {
    const e = evaluation.vertices[i]!;
    const limit = vertexLimit(v, options);
    return { v, e, limit, desired: bounded(v, e.requiredParallelism, limit) };
  });

  // 3. scale up
  const up = rows.filter((r) => r.e.load === 'under' && r.desired > r.v.parallelism);
  if (up.length) {
    const allowedCfu = currentCfu + poolFreeCfu;
    const perVertex: Record<string, number> = {};
    for (const r of rows) {
      const grows = up.includes(r);
      perVertex[r.v.id] = grows
        ? Math.max(r.v.parallelism, bounded(r.v, r.e.requiredParallelism, Math.min(r.limit, allowedCfu)))
        : r.v.parallelism;
    }
    const wantedCfu = statementCfu([currentCfu, ...up.map((r) => r.desired)]);
    const newCfu = statementCfu(Object.values(perVertex));
    const changed = up.some((r) => perVertex[r.v.id]! > r.v.parallelism);
    const why = up.map((r) => explainVertex(r.e, options, r.desired)).join('; ');
    if (wantedCfu > allowedCfu) {
      const exhausted = `pool exhausted: needs ${wantedCfu} CFU, the pool has ${poolFreeCfu} free beyond this statement's ${currentCfu} CFU`;
      return changed
        ? decide(
            'scale-up',
            'POOL_EXHAUSTED',
            `${exhausted}; scaling up ${currentCfu} → ${newCfu} CFU, as far as it allows: ${why}`,
            reset,
            perVertex,
          )
        : decide('none', 'POOL_EXHAUSTED', `${exhausted}; staying at ${currentCfu} CFU: ${why}`, reset);
    }
    return decide(
      'scale-up',
      'PENDING_SCALE_UP',
      `scale up ${currentCfu} → ${newCfu} CFU: ${why}`,
      reset,
      perVertex,
    );
  }

  const capped = rows.filter((r) => r.e.load === 'under');
  const cappedNote = capped.length
    ? `; ${capped.map((r) => `${r.v.id} is busy but already at its limit of ${r.v.parallelism}`).join('; ')}`
    : '';
  const over = rows.filter((r) => r.e.load === 'over' && r.desired < r.v.parallelism);
  if (evaluation.backlog) {
    const lag =
      evaluation.lagSeconds === null
        ? 'no input flowing'
        : `${seconds(evaluation.lagSeconds * 1000)} of input`;
    return decide(
      'none',
      'OK',
      `backlog draining: ${sourceLag} records pending (${lag}, threshold ${seconds(options.backlogThresholdMs)}); no scale-down while it drains${cappedNote}`,
      reset,
    );
  }
  if (!over.length)
    return decide(
      'none',
      'OK',
      `within target utilization (${utilizationBand(options)}) at ${currentCfu} CFU${cappedNote}`,
      reset,
    );

  // 4. scale down, delayed
  const proposals: Record<string, number> = {};
  for (const r of rows) proposals[r.v.id] = over.includes(r) ? r.desired : r.v.parallelism;
  const proposedCfu = statementCfu(Object.values(proposals));
  const why = over.map((r) => explainVertex(r.e, options, r.desired)).join('; ');
  if (proposedCfu >= currentCfu)
    return decide(
      'none',
      'OK',
      `no saving: ${over.map((r) => r.v.id).join(', ')} could run narrower, but the statement would still hold ${currentCfu} CFU (its widest vertex); not restarting for that: ${why}`,
      reset,
    );
  const next = recordScaleDown(history, {
    nowMs,
    restartedMs,
    windowMs: options.scaleDownDelayMs,
    proposals,
  });
  const pending = next.pendingScaleDown!;
  const waited = nowMs - pending.sinceMs;
  const maxima = windowMaxima(pending, nowMs, options.scaleDownDelayMs);
  const perVertex: Record<string, number> = {};
  for (const r of rows) perVertex[r.v.id] = Math.min(r.v.parallelism, maxima[r.v.id] ?? r.v.parallelism);
  const newCfu = statementCfu(Object.values(perVertex));
  const delayMs = scaleDownDelay(options, currentCfu - newCfu);
  if (waited >= delayMs) {
    if (newCfu < currentCfu)
      return decide(
        'scale-down',
        'PENDING_SCALE_DOWN',
        `scale down ${currentCfu} → ${newCfu} CFU: needed less for ${seconds(waited)} (delay ${seconds(options.scaleDownDelayMs)} over ${currentCfu - newCfu} spare CFU), sized to the largest need within the delay: ${why}`,
        reset,
        perVertex,
      );
  }
  return decide(
    'none',
    'PENDING_SCALE_DOWN',
    `scale down ${currentCfu} → ${newCfu} CFU delayed: needed less for ${seconds(waited)} of the ${seconds(delayMs)} delay (${seconds(options.scaleDownDelayMs)} over ${Math.max(1, currentCfu - newCfu)} spare CFU): ${why}`,
    next,
  );
}
