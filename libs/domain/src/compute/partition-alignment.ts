/**
 * Source parallelism aligned to the topic's partitions (DESIGN §5): a Kafka source reads whole
 * partitions, so a parallelism that divides the partition count spreads them evenly (6 partitions on 4
 * subtasks leaves two subtasks reading twice as much as the others), and a parallelism above the
 * partition count only adds idle subtasks. Every value chosen here divides `partitions`, and the
 * partition count is itself a divisor, so a scale-up can always reach it.
 */

/** the divisors of `n` (n ≥ 1), ascending */
export function divisorsOf(n: number): number[] {
  const low: number[] = [];
  const high: number[] = [];
  for (let d = 1; d * d <= n; d++) {
    if (n % d !== 0) continue;
    low.push(d);
    if (d * d !== n) high.unshift(n / d);
  }
  return [...low, ...high];
}

/** the largest divisor of `partitions` that is at most `limit` (1 when `limit` < 1) */
export function largestDivisorAtMost(partitions: number, limit: number): number {
  const divisors = divisorsOf(partitions);
  for (let i = divisors.length - 1; i >= 0; i--) if (divisors[i]! <= limit) return divisors[i]!;
  return 1;
}

/**
 * Aligns a source vertex's `target` parallelism to its `partitions`, never above `min(partitions,
 * upper)` and never reversing the direction of the change from `current`:
 * - scale-up: the smallest divisor ≥ `target` that fits under the bound (more headroom, never less than
 *   asked); when the bound cuts below every such divisor (a pool or max-parallelism cap), the largest
 *   divisor under the bound if it is still above `current`; otherwise `current`.
 * - scale-down: the smallest divisor in [`target`, `current`), so the vertex keeps at least the capacity
 *   the model asked for; when there is none, `current` (no change rather than an under-provisioned one).
 * A `current` above the partition count is brought down to it.
 */
export function alignToPartitions(input: {
  target: number;
  current: number;
  partitions: number;
  upper: number;
}): number {
  const { target, current, partitions } = input;
  const bound = Math.max(1, Math.min(partitions, input.upper));
  const divisors = divisorsOf(partitions);
  if (target > current) {
    const atLeastTarget = divisors.find((d) => d >= target && d <= bound);
    if (atLeastTarget !== undefined) return atLeastTarget;
    const underBound = largestDivisorAtMost(partitions, bound);
    if (underBound > current) return underBound;
  } else if (target < current) {
    const between = divisors.find((d) => d >= target && d < current);
    if (between !== undefined) return between;
  }
  return current > partitions ? partitions : current;
}
