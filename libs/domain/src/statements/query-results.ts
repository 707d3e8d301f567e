/**
 * DESIGN §9.1: a foreground query's rows flow from the SQL Gateway into result pages in short, bounded
 * steps of the results service, never inside a reconcile pass. These pure functions decide each step.
 */

/** How much a query may keep (per query) and an environment may hold (all its kept results). */
export interface ResultLimits {
  maxRowsPerQuery: number;
  maxBytesPerQuery: number;
  maxBytesPerEnvironment: number;
}

/** Why a stream stopped keeping rows before its query ended: stable codes, part of the public API. */
export type ResultTruncation = 'RESULTS_ROW_CAP' | 'RESULTS_BYTE_CAP' | 'RESULTS_STORAGE_FULL';

export interface ResultStepInput {
  /** spec.stopped: the user asked the query to stop */
  stopped: boolean;
  /** rows and bytes the stream keeps so far */
  kept: { rows: number; bytes: number };
  /** bytes every kept result of the environment holds, this stream's included */
  environmentBytes: number;
  /** when somebody last read the results (or the query started, if nobody has yet) */
  lastReadMs: number;
  nowMs: number;
  idleTimeoutMs: number;
  limits: ResultLimits;
}

/** how much more a stream may keep, and which cap binds its bytes */
export interface ResultRoom {
  rows: number;
  bytes: number;
  bytesCap: 'RESULTS_BYTE_CAP' | 'RESULTS_STORAGE_FULL';
}

export type ResultStep =
  /** fetch more rows, at most this many rows and bytes */
  | { type: 'fetch'; room: ResultRoom }
  /** close the query: its Flink job is cancelled, the rows kept stay readable */
  | { type: 'close'; detail: string; truncation?: ResultTruncation };

const count = (n: number) => n.toLocaleString('en-US');

/** What one step of a running query's stream does: stop it (and why), or fetch with how much room. */
export function decideResultStep(input: ResultStepInput): ResultStep {
  const { kept, limits } = input;
  if (input.stopped) return { type: 'close', detail: 'Stopped by request.' };
  if (input.nowMs - input.lastReadMs > input.idleTimeoutMs) {
    const minutes = Math.round(input.idleTimeoutMs / 60_000);
    const span = minutes >= 1 ? `${minutes} minute${minutes === 1 ? '' : 's'}` : `${input.idleTimeoutMs} ms`;
    return { type: 'close', detail: `Stopped: nobody read its results for ${span}.` };
  }
  const capped = truncationOf(kept, input.environmentBytes, limits);
  if (capped) return { type: 'close', detail: truncationDetail(capped, limits), truncation: capped };
  const queryBytes = limits.maxBytesPerQuery - kept.bytes;
  const environmentBytes = limits.maxBytesPerEnvironment - input.environmentBytes;
  return {
    type: 'fetch',
    room: {
      rows: limits.maxRowsPerQuery - kept.rows,
      bytes: Math.min(queryBytes, environmentBytes),
      bytesCap: queryBytes <= environmentBytes ? 'RESULTS_BYTE_CAP' : 'RESULTS_STORAGE_FULL',
    },
  };
}

/**
 * A page that did not fit the room was cut, and the rows past the cut are gone (the gateway does not
 * answer them again): the stream ends at the cap that cut it.
 */
export function truncationOfCut(kept: number, room: ResultRoom): ResultTruncation {
  return kept >= room.rows ? 'RESULTS_ROW_CAP' : room.bytesCap;
}

function truncationOf(
  kept: { rows: number; bytes: number },
  environmentBytes: number,
  limits: ResultLimits,
): ResultTruncation | undefined {
  if (kept.rows >= limits.maxRowsPerQuery) return 'RESULTS_ROW_CAP';
  if (kept.bytes >= limits.maxBytesPerQuery) return 'RESULTS_BYTE_CAP';
  if (environmentBytes >= limits.maxBytesPerEnvironment) return 'RESULTS_STORAGE_FULL';
  return undefined;
}

/** the status detail of a query stopped by a cap: what was reached and that the kept rows stay */
export function truncationDetail(truncation: ResultTruncation, limits: ResultLimits): string {
  const kept = 'the rows kept stay readable';
  switch (truncation) {
    case 'RESULTS_ROW_CAP':
      return `Stopped: its results reached the cap of ${count(limits.maxRowsPerQuery)} rows per query (RESULTS_ROW_CAP); ${kept}.`;
    case 'RESULTS_BYTE_CAP':
      return `Stopped: its results reached the cap of ${count(limits.maxBytesPerQuery)} bytes per query (RESULTS_BYTE_CAP); ${kept}.`;
    case 'RESULTS_STORAGE_FULL':
      return `Stopped: the environment's kept results reached ${count(limits.maxBytesPerEnvironment)} bytes (RESULTS_STORAGE_FULL); delete statements whose results you no longer need. ${kept[0]!.toUpperCase()}${kept.slice(1)}.`;
  }
}

/**
 * The longest prefix of a fetched page that fits the room left. `sizes[i]` is row i's size in bytes as
 * stored. A cut page is the last one the stream keeps.
 */
export function fitRows(
  sizes: readonly number[],
  room: { rows: number; bytes: number },
): { take: number; bytes: number; cut: boolean } {
  let bytes = 0;
  let take = 0;
  for (const size of sizes) {
    if (take >= room.rows || bytes + size > room.bytes) break;
    bytes += size;
    take++;
  }
  return { take, bytes, cut: take < sizes.length };
}

/**
 * How long a stream waits before its next step, once the gateway has nothing more for it, from how long
 * ago its last rows arrived: half a second while rows trickle in (they reach the reader in batches, at
 * most half a second late), backing off to two seconds for a stream that has been quiet for a while,
 * so hundreds of open queries cost the scheduler little. A step that stops with rows still waiting
 * asks for the next one at once.
 */
export function resultPollDelayMs(sinceLastRowsMs: number): number {
  return Math.min(2_000, Math.max(500, Math.round(sinceLastRowsMs / 5)));
}

/** a stream whose rows stopped this long ago is asked whether its job is failing */
export const QUIET_BEFORE_JOB_CHECK_MS = 1_000;
