import { RiffleError } from '../riffle-error';
import { largestDivisorAtMost } from './partition-alignment';

/**
 * CFUs (DESIGN §5): one CFU is one task slot of a standard size. Under Flink's slot sharing a job holds
 * as many slots as its widest vertex has subtasks, so a statement's CFUs are its max vertex parallelism,
 * and never less than 1 (a running job holds at least one slot).
 */
export function statementCfu(vertexParallelisms: readonly number[]): number {
  return Math.max(1, ...vertexParallelisms);
}

/**
 * Where a stateful statement starts when nothing caps it lower: small, because the autoscaler grows a
 * statement that falls behind within minutes, while an oversized start is billed from its first minute.
 */
export const DEFAULT_INITIAL_CFU = 4;

export interface InitialSizingInput {
  /**
   * The statement's sources in plan order; `partitions` is the Kafka topic's partition count, or
   * `undefined` for a source without partitions (datagen, VALUES, a bounded scan of a table function).
   */
  sources: readonly { partitions?: number }[];
  /** the plan only filters and projects (no joins, aggregations, windows or other state) */
  statelessOnly: boolean;
  /** the most CFUs the statement may take: its pool's max_cfu, or less */
  maxCfu: number;
  /** the start for a stateful statement before the caps apply; {@link DEFAULT_INITIAL_CFU} by default */
  preferredCfu?: number;
}

export interface InitialSizing {
  /** the job's default parallelism: every non-source vertex runs at it */
  parallelism: number;
  /** one per input source, in the same order: at most its partitions, and a divisor of them */
  sourceParallelism: number[];
  /** what the statement holds in its pool: the max vertex parallelism */
  cfu: number;
  reason: string;
}

const invalid = (message: string) => new RiffleError('INVALID_SIZING_INPUT', 'invalid', message);

function checkPositiveInteger(value: number | undefined, what: string): void {
  if (value !== undefined && (!Number.isInteger(value) || value < 1))
    throw invalid(`${what} must be a whole number of at least 1, got ${value}.`);
}

/**
 * The parallelism a statement starts at, from its plan (DESIGN §5 "Initial size"):
 * - a stateless filter/projection starts at 1: it is cheap per record, and the autoscaler grows it;
 *   so does a plan without sources (INSERT … VALUES);
 * - otherwise the preferred start, but never above the largest source's partition count (more subtasks
 *   than partitions would sit idle at the sources, and downstream grows on evidence, not up front);
 * - always capped by `maxCfu` and never below 1;
 * - each source reads at most its topic's partitions and, below that, a divisor of them, so every
 *   subtask reads the same number of partitions.
 */
export function initialParallelism(input: InitialSizingInput): InitialSizing {
  checkPositiveInteger(input.maxCfu, 'maxCfu');
  checkPositiveInteger(input.preferredCfu, 'preferredCfu');
  input.sources.forEach((s, i) => checkPositiveInteger(s.partitions, `sources[${i}].partitions`));

  const preferred = input.preferredCfu ?? DEFAULT_INITIAL_CFU;
  const partitioned = input.sources.flatMap((s) => (s.partitions === undefined ? [] : [s.partitions]));
  const widestTopic = partitioned.length ? Math.max(...partitioned) : undefined;

  let parallelism: number;
  let why: string;
  if (input.statelessOnly) {
    parallelism = 1;
    why = 'a stateless filter starts at 1';
  } else if (input.sources.length === 0) {
    parallelism = 1;
    why = 'no source to read in parallel';
  } else if (widestTopic !== undefined && widestTopic < preferred) {
    parallelism = widestTopic;
    why = `the widest source topic has ${widestTopic} partition${widestTopic === 1 ? '' : 's'}`;
  } else {
    parallelism = preferred;
    why = `a stateful statement starts at ${preferred}`;
  }
  if (parallelism > input.maxCfu) {
    parallelism = input.maxCfu;
    why += `, capped by max_cfu ${input.maxCfu}`;
  }
  parallelism = Math.max(1, parallelism);

  const sourceParallelism = input.sources.map((s) =>
    s.partitions === undefined ? parallelism : largestDivisorAtMost(s.partitions, parallelism),
  );
  const cfu = statementCfu([parallelism, ...sourceParallelism]);
  return { parallelism, sourceParallelism, cfu, reason: `${cfu} CFU: ${why}` };
}
