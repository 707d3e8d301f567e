import { RiffleError } from '../riffle-error';

/**
 * DESIGN §6: closing a UTC minute into usage records, from the allocation ledger. Pure arithmetic.
 *
 * Ledger semantics. A statement's entries are ordered by (validFromMs, seq). Entry `{ cfu, validFromMs }`
 * says "from validFromMs on, the statement holds `cfu` CFUs"; at equal validFromMs the entry with the
 * higher seq wins and the others never took effect (so a start and a stop at the same millisecond is no
 * run at all). Before a statement's first entry it holds 0 CFUs.
 *
 * A run is a maximal interval [start, end) during which cfu > 0; a rescale (3 → 5) continues the run, an
 * entry with cfu 0 at time `end` ends it. The run "ends in" the minute containing `end`, i.e. the minute
 * of the 0 entry. That is the minute holding the run's last allocated millisecond (end - 1), except when
 * `end` is exactly a minute boundary: then the stop is only visible to the next minute, which carries the
 * run's top-up (a record with cfuMs 0). Either way a minute only ever needs entries with validFromMs
 * before its own end, so a minute can be closed as soon as its ledger is complete.
 *
 * Minimum charge: each run is billed at least MINIMUM_CHARGE_CFU_MS (1 CFU-minute). The minute a run
 * ends in carries `minimumTopUpMs = 60000 - runTotal` when the run's exact integral `runTotal` < 60000.
 * A run still open at the end of a minute gets nothing yet: it is decided in the minute it ends.
 *
 * Why the window is enough. To close minute M = [m, m + 60000) the caller passes, per statement, the
 * latest entry with validFromMs <= W (W = ledgerWindowStartMs(m) = m - 60000), if any, and every entry
 * with W < validFromMs < m + 60000. Then:
 *  1. cfuMs of M needs the cfu in effect at m and every change inside M: all in the window.
 *  2. A run with a top-up that ends in M has runTotal < 60000 and, since cfu >= 1 while it runs,
 *     lasts end - start <= runTotal < 60000 ms. With end >= m: start > end - 60000 >= m - 60000 = W.
 *     So the whole run, start included, lies strictly after W: each of its entries is in the window, and
 *     so is the 0 holding just before its start (an entry in (W, start), or else the one in effect at W).
 *     Its total is therefore computed exactly. Such a run touches at most minutes M-1 and M.
 *  3. A run ending in M that was already running at W lasts at least end - W >= m - W = 60000 ms, so its
 *     total is >= 60000 and it needs no top-up. Measuring it from the window's first entry (at or before
 *     W) under-counts it but still gives >= 60000, so the answer is the same as with the full ledger.
 * In SQL, per statement: `valid_from > W AND valid_from < m + 60000`, plus
 * `DISTINCT ON (statement_uid) ... WHERE valid_from <= W ORDER BY statement_uid, valid_from DESC, seq DESC`.
 * Passing more entries (older ones, or ones at or after m + 60000, which are ignored) changes nothing.
 *
 * Exactness: all values are integer milliseconds and integer CFUs. The loop works in numbers (a minute's
 * cfuMs is at most MAX_LEDGER_CFU * 60000 < 2^53, so every step is exact) and results are bigint, ready
 * to be summed into days and priced (cost-lines.ts) or stored as Postgres bigint.
 */

export const MINUTE_MS = 60_000;
/** every run is billed at least one CFU-minute */
export const MINIMUM_CHARGE_CFU_MS = 60_000;
/** keeps each minute's cfuMs an exact JavaScript number */
export const MAX_LEDGER_CFU = 1_000_000_000;

export interface LedgerEntry {
  readonly statementUid: string;
  /** monotonic across the ledger; breaks ties between entries with the same validFromMs (last wins) */
  readonly seq: number;
  /** whole CFUs allocated from validFromMs on; 0 ends a run */
  readonly cfu: number;
  /** epoch milliseconds, integer */
  readonly validFromMs: number;
}

export interface MinuteUsage {
  /** exact ∫ cfu dt over the minute, in CFU-milliseconds */
  readonly cfuMs: bigint;
  /** the minimum-charge top-ups of the runs that ended in this minute, in CFU-milliseconds */
  readonly minimumTopUpMs: bigint;
}

export interface UsageMinute extends MinuteUsage {
  readonly statementUid: string;
  readonly minuteStartMs: number;
  /** cfuMs + minimumTopUpMs: what is charged for this minute */
  readonly billedCfuMs: bigint;
}

export type LedgerByStatement = ReadonlyMap<string, readonly LedgerEntry[]>;

/** The earliest validFromMs the caller must cover (see the window proof at the top of this file). */
export function ledgerWindowStartMs(minuteStartMs: number): number {
  assertMinute(minuteStartMs);
  return minuteStartMs - MINUTE_MS;
}

/** `2026-11-22T05:04Z`: the minute part of usage-record keys and CloudEvent ids. */
export function minuteKey(minuteStartMs: number): string {
  assertMinute(minuteStartMs);
  return `${new Date(minuteStartMs).toISOString().slice(0, 16)}Z`;
}

/**
 * Usage of one statement in the minute starting at minuteStartMs. `entries` are that statement's ledger
 * entries covering at least the window described above; any order (sorted input is fastest).
 */
export function usageForMinute(entries: readonly LedgerEntry[], minuteStartMs: number): MinuteUsage {
  assertMinute(minuteStartMs);
  if (entries.length > 0)
    measureStatement(entries, 0, entries.length, entries[0]!.statementUid, minuteStartMs);
  else scratch.cfuMs = scratch.minimumTopUpMs = 0;
  return { cfuMs: BigInt(scratch.cfuMs), minimumTopUpMs: BigInt(scratch.minimumTopUpMs) };
}

/**
 * Closes one minute for many statements: one UsageMinute per statement with cfuMs > 0 or a top-up,
 * ordered by statementUid. Accepts entries grouped by statement, or one flat list of all statements'
 * entries (fastest when ordered by statementUid, validFromMs, seq — the natural ORDER BY of the query).
 */
export function closeMinute(
  ledger: LedgerByStatement | readonly LedgerEntry[],
  minuteStartMs: number,
): UsageMinute[] {
  assertMinute(minuteStartMs);
  const records: UsageMinute[] = [];
  if (isEntryList(ledger)) {
    const entries = groupedByStatement(ledger) ? ledger : [...ledger].sort(byStatementThenTime);
    for (let from = 0; from < entries.length;) {
      const statementUid = entries[from]!.statementUid;
      let to = from + 1;
      while (to < entries.length && entries[to]!.statementUid === statementUid) to++;
      measureStatement(entries, from, to, statementUid, minuteStartMs);
      pushRecord(records, statementUid, minuteStartMs);
      from = to;
    }
    return records;
  }
  let ordered = true;
  ledger.forEach((entries, statementUid) => {
    if (entries.length === 0) return;
    measureStatement(entries, 0, entries.length, statementUid, minuteStartMs);
    const last = records.length;
    if (pushRecord(records, statementUid, minuteStartMs) && last > 0) {
      ordered &&= records[last - 1]!.statementUid < statementUid;
    }
  });
  if (!ordered) records.sort((a, b) => compareStrings(a.statementUid, b.statementUid));
  return records;
}

/** Results of the last measureStatement call: module-level so the hot loop allocates nothing. */
const scratch = { cfuMs: 0, minimumTopUpMs: 0 };

function pushRecord(records: UsageMinute[], statementUid: string, minuteStartMs: number): boolean {
  const { cfuMs, minimumTopUpMs } = scratch;
  if (cfuMs === 0 && minimumTopUpMs === 0) return false;
  records.push({
    statementUid,
    minuteStartMs,
    cfuMs: BigInt(cfuMs),
    minimumTopUpMs: BigInt(minimumTopUpMs),
    billedCfuMs: BigInt(cfuMs + minimumTopUpMs),
  });
  return true;
}

function measureStatement(
  entries: readonly LedgerEntry[],
  from: number,
  to: number,
  statementUid: string,
  minuteStartMs: number,
): void {
  if (measureSorted(entries, from, to, statementUid, minuteStartMs)) return;
  const sorted = entries.slice(from, to).sort(byTime);
  if (!measureSorted(sorted, 0, sorted.length, statementUid, minuteStartMs)) {
    // only a non-integer validFromMs or seq can defeat the sort
    const culprit = sorted.find((e) => !Number.isSafeInteger(e.validFromMs) || !Number.isSafeInteger(e.seq));
    throw invalidEntry(culprit ?? sorted[0]!, statementUid);
  }
}

/**
 * One pass over entries[from, to) of one statement, ordered by (validFromMs, seq); returns false, having
 * written nothing, when they are not in that order. Writes the minute's cfuMs and top-up to `scratch`.
 */
function measureSorted(
  entries: readonly LedgerEntry[],
  from: number,
  to: number,
  statementUid: string,
  minuteStartMs: number,
): boolean {
  const minuteEndMs = minuteStartMs + MINUTE_MS;
  let cfuMs = 0;
  let minimumTopUpMs = 0;
  let cfu = 0; // in effect since `since`
  let since = 0;
  let runCfuMs = 0; // integral of the current run so far, capped once it reaches the minimum charge
  let previousMs = -Infinity;
  let previousSeq = -Infinity;
  for (let i = from; i < to; i++) {
    const entry = entries[i]!;
    const at = entry.validFromMs;
    const next = entry.cfu;
    if (
      entry.statementUid !== statementUid ||
      !Number.isSafeInteger(at) ||
      !Number.isSafeInteger(entry.seq) ||
      !Number.isInteger(next) ||
      next < 0 ||
      next > MAX_LEDGER_CFU
    ) {
      throw invalidEntry(entry, statementUid);
    }
    if (at < previousMs || (at === previousMs && entry.seq < previousSeq)) return false;
    previousMs = at;
    previousSeq = entry.seq;
    // entries from the minute's end on do not affect it; an entry followed by one at the same instant
    // never took effect
    if (at >= minuteEndMs || (i + 1 < to && entries[i + 1]!.validFromMs === at)) continue;
    if (cfu > 0) {
      const overlapFrom = since > minuteStartMs ? since : minuteStartMs;
      if (at > overlapFrom) cfuMs += cfu * (at - overlapFrom);
      if (runCfuMs < MINIMUM_CHARGE_CFU_MS) runCfuMs += cfu * (at - since);
      if (next === 0) {
        if (at >= minuteStartMs && runCfuMs < MINIMUM_CHARGE_CFU_MS) {
          minimumTopUpMs += MINIMUM_CHARGE_CFU_MS - runCfuMs;
        }
        runCfuMs = 0;
      }
    }
    cfu = next;
    since = at;
  }
  if (cfu > 0) cfuMs += cfu * (minuteEndMs - (since > minuteStartMs ? since : minuteStartMs));
  scratch.cfuMs = cfuMs;
  scratch.minimumTopUpMs = minimumTopUpMs;
  return true;
}

function assertMinute(minuteStartMs: number): void {
  if (!Number.isSafeInteger(minuteStartMs) || minuteStartMs % MINUTE_MS !== 0) {
    throw new RiffleError(
      'INVALID_MINUTE',
      'invalid',
      `minuteStartMs must be the start of a UTC minute in epoch milliseconds (a multiple of ${MINUTE_MS}), ` +
        `not ${String(minuteStartMs)}.`,
    );
  }
}

function invalidEntry(entry: LedgerEntry, statementUid: string): RiffleError {
  return new RiffleError(
    'INVALID_LEDGER_ENTRY',
    'internal',
    `Ledger entry seq ${String(entry.seq)} cannot be metered with statement ${statementUid}: it needs ` +
      `that statementUid, whole-millisecond validFromMs and seq, and a whole cfu from 0 to ${MAX_LEDGER_CFU}.`,
    { statementUid, seq: entry.seq },
  );
}

function isEntryList(ledger: LedgerByStatement | readonly LedgerEntry[]): ledger is readonly LedgerEntry[] {
  return Array.isArray(ledger);
}

/** each statement's entries are contiguous and statements come in ascending order */
function groupedByStatement(entries: readonly LedgerEntry[]): boolean {
  for (let i = 1; i < entries.length; i++) {
    if (entries[i]!.statementUid < entries[i - 1]!.statementUid) return false;
  }
  return true;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function byTime(a: LedgerEntry, b: LedgerEntry): number {
  return a.validFromMs - b.validFromMs || a.seq - b.seq;
}

function byStatementThenTime(a: LedgerEntry, b: LedgerEntry): number {
  return compareStrings(a.statementUid, b.statementUid) || byTime(a, b);
}
