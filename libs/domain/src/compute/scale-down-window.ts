/**
 * What the autoscaler remembers between ticks (persist it with the statement and pass it back): the
 * delayed scale-down, as the operator's DelayedScaleDown. A scale-down happens only after the need has
 * stayed below the current size for `scaleDownDelayMs`, and then to the largest size recommended
 * within that window, so a dip is never mistaken for a trend. JSON-safe and small: per vertex, only the
 * recommendations that can still be a window maximum (a strictly decreasing run).
 */
export interface ScalingState {
  pendingScaleDown: PendingScaleDown | null;
  /** the sources' pending records at the last tick: their change is the input the job does not keep up with */
  lastLag?: { atMs: number; lag: number };
}

export interface PendingScaleDown {
  /** the first tick of the current uninterrupted run of scale-down recommendations */
  sinceMs: number;
  /** per vertex id, recommendations within the window, parallelism strictly decreasing */
  recommendations: Record<string, { atMs: number; parallelism: number }[]>;
}

export const INITIAL_SCALING_STATE: ScalingState = Object.freeze({ pendingScaleDown: null });

/**
 * `state` with this tick's recommended parallelism per vertex recorded. A run that began before the
 * job's last (re)start is dropped first: the job it was about no longer runs at that size.
 */
export function recordScaleDown(
  state: ScalingState,
  input: { nowMs: number; restartedMs: number; windowMs: number; proposals: Record<string, number> },
): ScalingState {
  const previous = state.pendingScaleDown;
  const run = previous && previous.sinceMs >= input.restartedMs ? previous : null;
  const windowStart = input.nowMs - input.windowMs;
  const recommendations: PendingScaleDown['recommendations'] = {};
  for (const [vertexId, parallelism] of Object.entries(input.proposals)) {
    const kept = (run?.recommendations[vertexId] ?? []).filter(
      (r) => r.atMs >= windowStart && r.parallelism > parallelism,
    );
    recommendations[vertexId] = [...kept, { atMs: input.nowMs, parallelism }];
  }
  return { ...state, pendingScaleDown: { sinceMs: run?.sinceMs ?? input.nowMs, recommendations } };
}

/** per vertex, the largest parallelism recommended in [nowMs - windowMs, nowMs] */
export function windowMaxima(
  pending: PendingScaleDown,
  nowMs: number,
  windowMs: number,
): Record<string, number> {
  const maxima: Record<string, number> = {};
  for (const [vertexId, run] of Object.entries(pending.recommendations)) {
    const inWindow = run.filter((r) => r.atMs >= nowMs - windowMs);
    if (inWindow.length) maxima[vertexId] = Math.max(...inWindow.map((r) => r.parallelism));
  }
  return maxima;
}
