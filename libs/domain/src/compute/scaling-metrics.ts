import { RiffleError } from '../riffle-error';

/** One job vertex as the JobManager REST API reports it, averaged over the caller's metric window. */
export interface VertexMetrics {
  id: string;
  parallelism: number;
  /** the vertex's max parallelism (key groups): it can never run wider */
  maxParallelism: number;
  isSource: boolean;
  /** sources: the topic's partition count, when known */
  partitions?: number;
  /** per subtask, averaged: time spent processing (not idle, not back-pressured), 0–1000 */
  busyTimeMsPerSecond: number;
  backPressuredTimeMsPerSecond: number;
  /** summed over subtasks */
  numRecordsInPerSecond: number;
  numRecordsOutPerSecond: number;
}

export interface AutoscalerOptions {
  /** the busy fraction each vertex is sized for, leaving headroom for spikes (0.7) */
  targetUtilization: number;
  /** a vertex rescales only when its utilization leaves targetUtilization ± this (0.1) */
  utilizationBoundary: number;
  /** the pending backlog should be gone within this long, on top of the live input (5 min) */
  catchUpMs: number;
  /** no decision for this long after every (re)start: metrics are still settling */
  stabilizationMs: number;
  /** the need must stay below the current size this long before scaling down */
  scaleDownDelayMs: number;
  /** the widest a statement may get (CFUs) */
  maxParallelism: number;
  /** sources are draining a backlog while the pending records exceed this much input time */
  backlogThresholdMs: number;
}

/** Defaults as in the Flink Kubernetes Operator's autoscaler, except where Riffle has its own reasons. */
export const DEFAULT_AUTOSCALER_OPTIONS: Readonly<AutoscalerOptions> = {
  targetUtilization: 0.7,
  utilizationBoundary: 0.1,
  catchUpMs: 300_000,
  stabilizationMs: 180_000,
  scaleDownDelayMs: 3_600_000,
  maxParallelism: 128,
  backlogThresholdMs: 300_000,
};

/**
 * How a vertex's capacity compares with what it must process: `under` (below the capacity needed at
 * the upper utilization bound: scale up), `over` (above the capacity at the lower bound: may scale
 * down), `within`, or `unknown` (no input and no busy time to measure it by, yet a backlog to clear).
 */
export type VertexLoad = 'under' | 'over' | 'within' | 'unknown';

/** One vertex evaluated; every number a decision rests on, JSON-safe (recorded in scaling_status). */
export interface VertexEvaluation {
  id: string;
  isSource: boolean;
  parallelism: number;
  partitions: number | null;
  /** records/s arriving; a source's is what it reads (numRecordsIn, else numRecordsOut) */
  inputRate: number;
  busyFraction: number;
  backPressuredFraction: number;
  /** records/s one subtask would process if it were never idle or back-pressured; null: unmeasurable */
  trueRatePerSubtask: number | null;
  /** records/s this vertex must absorb to clear its share of the backlog within catchUpMs */
  catchUpRate: number;
  /** records/s of capacity wanted: inputRate / targetUtilization + catchUpRate */
  targetRate: number;
  /** ceil(targetRate / trueRatePerSubtask), at least 1, before caps and alignment */
  requiredParallelism: number;
  load: VertexLoad;
}

export interface ScalingEvaluation {
  /** records/s all sources read */
  sourceInputRate: number;
  sourceLag: number;
  /** how long the backlog would take at the current input rate; null: infinite (lag, no input) */
  lagSeconds: number | null;
  backlog: boolean;
  vertices: VertexEvaluation[];
}

/** below this busy fraction (1 ms/s) a vertex is treated as not working at all */
const MIN_BUSY_FRACTION = 0.001;
/** float slack: 3.0000000001 subtasks' worth of work needs 3 subtasks, not 4 */
const CEIL_EPSILON = 1e-9;

export function checkAutoscalerOptions(options: AutoscalerOptions): void {
  const problems: string[] = [];
  const { targetUtilization: target, utilizationBoundary: boundary } = options;
  if (!(target > 0 && target <= 1)) problems.push(`targetUtilization must be in (0, 1], got ${target}`);
  if (!(boundary >= 0 && boundary < 1))
    problems.push(`utilizationBoundary must be in [0, 1), got ${boundary}`);
  if (!(options.catchUpMs > 0)) problems.push(`catchUpMs must be > 0, got ${options.catchUpMs}`);
  for (const key of ['stabilizationMs', 'scaleDownDelayMs', 'backlogThresholdMs'] as const)
    if (!(options[key] >= 0)) problems.push(`${key} must be ≥ 0, got ${options[key]}`);
  if (!Number.isInteger(options.maxParallelism) || options.maxParallelism < 1)
    problems.push(`maxParallelism must be a whole number ≥ 1, got ${options.maxParallelism}`);
  if (problems.length)
    throw new RiffleError(
      'INVALID_AUTOSCALER_OPTIONS',
      'invalid',
      `Autoscaler options: ${problems.join('; ')}.`,
    );
}

/** what is wrong with the metrics, or undefined when a decision can rest on them */
export function metricsProblem(vertices: readonly VertexMetrics[], sourceLag: number): string | undefined {
  if (!vertices.length) return 'no vertex metrics';
  if (!vertices.some((v) => v.isSource)) return 'no source vertex';
  if (!(sourceLag >= 0) || !Number.isFinite(sourceLag)) return `source lag is ${sourceLag}`;
  for (const v of vertices) {
    if (!Number.isInteger(v.parallelism) || v.parallelism < 1)
      return `vertex ${v.id} has parallelism ${v.parallelism}`;
    if (!Number.isInteger(v.maxParallelism) || v.maxParallelism < 1)
      return `vertex ${v.id} has max parallelism ${v.maxParallelism}`;
    if (v.partitions !== undefined && (!Number.isInteger(v.partitions) || v.partitions < 1))
      return `source ${v.id} has ${v.partitions} partitions`;
    const rates = [v.numRecordsInPerSecond, v.numRecordsOutPerSecond, v.backPressuredTimeMsPerSecond];
    if (rates.some((r) => !(r >= 0) || !Number.isFinite(r))) return `vertex ${v.id} has no valid rates`;
    if (!(v.busyTimeMsPerSecond >= 0 && v.busyTimeMsPerSecond <= 1000))
      return `vertex ${v.id} has busy time ${v.busyTimeMsPerSecond} ms/s`;
  }
  return undefined;
}

const sourceRate = (v: VertexMetrics) =>
  v.numRecordsInPerSecond > 0 ? v.numRecordsInPerSecond : v.numRecordsOutPerSecond;

/**
 * DS2 per vertex (as the operator's ScalingMetricEvaluator): the true processing rate is what the
 * vertex processed divided by the fraction of time it was busy, i.e. its capacity were it never idle or
 * back-pressured; the capacity wanted is input / targetUtilization plus the backlog spread over
 * catchUpMs. The backlog is counted at the sources; a downstream vertex gets the share its own input
 * bears to the sources' input (a filter that keeps 10% sees 10% of the backlog).
 *
 * While the sources drain a backlog (pending records > backlogThresholdMs of input, or any lag with
 * no input), the bounds widen to (0, 1]: a vertex scales up only if it cannot keep up even fully busy,
 * and nothing counts as over-provisioned, so a catch-up never triggers a scale-down.
 */
export function evaluateScalingMetrics(
  vertices: readonly VertexMetrics[],
  sourceLag: number,
  options: AutoscalerOptions,
  /**
   * records/s by which the sources' backlog grew since the last tick (negative: shrank). A source can
   * only report what it read, never more than it can process; what arrives is that plus the growth.
   */
  lagGrowthPerSecond = 0,
): ScalingEvaluation {
  const sources = vertices.filter((v) => v.isSource);
  const readRate = sources.reduce((sum, v) => sum + sourceRate(v), 0);
  const arrivalRate = Math.max(0, readRate + lagGrowthPerSecond);
  // each source's share of the arrivals follows its share of what was read (evenly when nothing was)
  const arrivals = (v: VertexMetrics) =>
    readRate > 0 ? (sourceRate(v) / readRate) * arrivalRate : arrivalRate / sources.length;
  const sourceInputRate = arrivalRate;
  // the backlog in seconds of what the sources read now (the backlog rule predates the arrival estimate)
  const lagSeconds = sourceLag === 0 ? 0 : readRate > 0 ? sourceLag / readRate : null;
  const backlog = sourceLag > 0 && (lagSeconds === null || lagSeconds * 1000 > options.backlogThresholdMs);
  const catchUpTotal = sourceLag / (options.catchUpMs / 1000);
  const target = options.targetUtilization;
  const upper = backlog ? 1 : Math.min(1, target + options.utilizationBoundary);
  const lower = backlog ? 0 : Math.max(0, target - options.utilizationBoundary);

  const evaluated = vertices.map((v): VertexEvaluation => {
    // downstream vertices see the arrivals in proportion to what they receive of what the sources read
    const inputRate = v.isSource
      ? arrivals(v)
      : readRate > 0
        ? v.numRecordsInPerSecond * (arrivalRate / readRate)
        : v.numRecordsInPerSecond;
    const share = sourceInputRate > 0 ? inputRate / sourceInputRate : v.isSource ? 1 / sources.length : 1;
    const catchUpRate = catchUpTotal * share;
    const targetRate = inputRate / target + catchUpRate;
    const busyFraction = v.busyTimeMsPerSecond / 1000;
    const base = {
      id: v.id,
      isSource: v.isSource,
      parallelism: v.parallelism,
      partitions: v.partitions ?? null,
      inputRate,
      busyFraction,
      backPressuredFraction: v.backPressuredTimeMsPerSecond / 1000,
      catchUpRate,
      targetRate,
    };
    const overIfWider = (): VertexLoad => (v.parallelism > 1 && !backlog ? 'over' : 'within');
    if (targetRate === 0)
      return { ...base, trueRatePerSubtask: null, requiredParallelism: 1, load: overIfWider() };
    const processed = v.isSource ? sourceRate(v) : v.numRecordsInPerSecond;
    // a backlog but no records flowing: nothing to measure a rate by, so no opinion on the size
    if (processed === 0)
      return { ...base, trueRatePerSubtask: null, requiredParallelism: v.parallelism, load: 'unknown' };
    // records flow but the vertex is barely busy: one subtask is plenty
    if (busyFraction < MIN_BUSY_FRACTION)
      return { ...base, trueRatePerSubtask: null, requiredParallelism: 1, load: overIfWider() };
    const trueRate = processed / busyFraction;
    const trueRatePerSubtask = trueRate / v.parallelism;
    const requiredParallelism = Math.max(1, Math.ceil(targetRate / trueRatePerSubtask - CEIL_EPSILON));
    const load: VertexLoad =
      trueRate < inputRate / upper + catchUpRate
        ? 'under'
        : lower > 0 && trueRate > inputRate / lower + catchUpRate
          ? 'over'
          : 'within';
    return { ...base, trueRatePerSubtask, requiredParallelism, load };
  });
  return { sourceInputRate, sourceLag, lagSeconds, backlog, vertices: evaluated };
}
