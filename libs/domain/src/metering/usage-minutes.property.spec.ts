import fc from 'fast-check';
import {
  closeMinute,
  type LedgerEntry,
  ledgerWindowStartMs,
  MINIMUM_CHARGE_CFU_MS,
  MINUTE_MS,
  type UsageMinute,
} from './usage-minutes';

/**
 * Property tests against a deliberately naive reference: resolve the ledger into a timeline, integrate
 * with bigint segment by segment, find runs, top up each closed run in the minute its stop lands in.
 */

const DAY_MS = 86_400_000;
const EPOCH = Date.UTC(2026, 2, 28); // spans the (irrelevant, UTC) DST weekend

interface Segment {
  from: number;
  to: number;
  cfu: number;
}
interface Run {
  start: number;
  end: number | null;
  integral: bigint;
}

/** effective [from, to) pieces with cfu > 0, the last one open-ended (to = horizon) */
function timeline(entries: readonly LedgerEntry[], horizon: number): Segment[] {
  const winner = new Map<number, LedgerEntry>();
  for (const e of entries) {
    const seen = winner.get(e.validFromMs);
    if (!seen || seen.seq < e.seq) winner.set(e.validFromMs, e);
  }
  const points = [...winner.values()].sort((x, y) => x.validFromMs - y.validFromMs);
  return points
    .map((p, i) => ({ from: p.validFromMs, to: points[i + 1]?.validFromMs ?? horizon, cfu: p.cfu }))
    .filter((s) => s.cfu > 0 && s.to > s.from);
}

function integral(segments: readonly Segment[], from: number, to: number): bigint {
  let sum = 0n;
  for (const s of segments) {
    const lo = Math.max(s.from, from);
    const hi = Math.min(s.to, to);
    if (hi > lo) sum += BigInt(s.cfu) * BigInt(hi - lo);
  }
  return sum;
}

function runs(segments: readonly Segment[], horizon: number): Run[] {
  const found: Run[] = [];
  for (const s of segments) {
    const last = found.at(-1);
    if (last && last.end === s.from) {
      last.end = s.to;
      last.integral += BigInt(s.cfu) * BigInt(s.to - s.from);
    } else found.push({ start: s.from, end: s.to, integral: BigInt(s.cfu) * BigInt(s.to - s.from) });
  }
  for (const r of found) if (r.end === horizon) r.end = null; // still running
  return found;
}

const floorMinute = (ms: number) => Math.floor(ms / MINUTE_MS) * MINUTE_MS;
const minCharge = BigInt(MINIMUM_CHARGE_CFU_MS);

/** the reference records of one statement, by minute */
function referenceMinutes(statementUid: string, entries: readonly LedgerEntry[], horizon: number) {
  const segments = timeline(entries, horizon);
  const records = new Map<number, { cfuMs: bigint; minimumTopUpMs: bigint }>();
  const at = (m: number) => records.get(m) ?? records.set(m, { cfuMs: 0n, minimumTopUpMs: 0n }).get(m)!;
  for (const s of segments) {
    for (let m = floorMinute(s.from); m < s.to; m += MINUTE_MS)
      at(m).cfuMs += integral([s], m, m + MINUTE_MS);
  }
  for (const r of runs(segments, horizon)) {
    if (r.end !== null && r.integral < minCharge)
      at(floorMinute(r.end)).minimumTopUpMs += minCharge - r.integral;
  }
  return [...records].map(([minuteStartMs, u]) => ({
    statementUid,
    minuteStartMs,
    ...u,
    billedCfuMs: u.cfuMs + u.minimumTopUpMs,
  }));
}

/** the minimal window: the winning entry at or before W, and everything in (W, minute end) */
function window(entries: readonly LedgerEntry[], minute: number): LedgerEntry[] {
  const start = ledgerWindowStartMs(minute);
  const before = entries.filter((e) => e.validFromMs <= start);
  const latest = before.reduce<LedgerEntry | undefined>(
    (best, e) =>
      !best || e.validFromMs > best.validFromMs || (e.validFromMs === best.validFromMs && e.seq > best.seq)
        ? e
        : best,
    undefined,
  );
  return [
    ...(latest ? [latest] : []),
    ...entries.filter((e) => e.validFromMs > start && e.validFromMs < minute + MINUTE_MS),
  ];
}

const step = fc.record({
  gap: fc.oneof(
    fc.integer({ min: 0, max: 3 }),
    fc.integer({ min: 0, max: 90_000 }),
    fc.integer({ min: 0, max: 3 * 3_600_000 }),
  ),
  cfu: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 8 })),
});
/**
 * Up to 4 statements starting within 2 hours of each other, somewhere in a 3-day span. A statement "on
 * the grid" starts on a minute and moves in 5 s steps, so its runs often start and end on minute
 * boundaries; the others move at arbitrary milliseconds.
 */
const ledgers = fc.record({
  start: fc.integer({ min: 0, max: 2 * 1_440 }).map((n) => n * MINUTE_MS),
  statements: fc.array(
    fc.record({
      onGrid: fc.boolean(),
      offset: fc.integer({ min: 0, max: 2 * 3_600_000 }),
      steps: fc.array(step, { minLength: 1, maxLength: 12 }),
    }),
    { minLength: 1, maxLength: 4 },
  ),
});
type Generated = typeof ledgers extends fc.Arbitrary<infer T> ? T : never;

interface Scenario {
  byStatement: Map<string, LedgerEntry[]>;
  all: LedgerEntry[];
  minutes: number[];
  horizon: number;
}

function scenario({ start, statements }: Generated): Scenario {
  let seq = 0;
  const byStatement = new Map<string, LedgerEntry[]>();
  statements.forEach(({ onGrid, offset, steps }, k) => {
    const grid = onGrid ? 5_000 : 1;
    let t = EPOCH + start + (onGrid ? offset - (offset % MINUTE_MS) : offset);
    const statementUid = `stmt-${k}`;
    byStatement.set(
      statementUid,
      steps.map(({ gap, cfu }) => ({
        statementUid,
        seq: ++seq,
        cfu,
        validFromMs: (t += gap - (gap % grid)),
      })),
    );
  });
  const all = [...byStatement.values()].flat();
  const times = all.map((e) => e.validFromMs);
  const first = floorMinute(Math.min(...times)) - MINUTE_MS;
  const horizon = floorMinute(Math.max(...times)) + 2 * MINUTE_MS;
  const minutes: number[] = [];
  for (let m = first; m < horizon; m += MINUTE_MS) minutes.push(m);
  return { byStatement, all, minutes, horizon };
}

const closeAll = (s: Scenario) => s.minutes.flatMap((m) => closeMinute(s.all, m));
const ofStatement = (records: UsageMinute[], uid: string) => records.filter((r) => r.statementUid === uid);
const sum = (values: bigint[]) => values.reduce((x, y) => x + y, 0n);
/** a fast exact rendering for comparing long record lists (jest's deep equality is slow on thousands) */
const text = (records: UsageMinute[]) =>
  records
    .map((r) => `${r.statementUid} ${r.minuteStartMs} ${r.cfuMs}n ${r.minimumTopUpMs}n ${r.billedCfuMs}n`)
    .join('\n');

describe('closeMinute over random ledgers', () => {
  const params = { numRuns: 100 };

  it('matches the reference minute by minute', () => {
    fc.assert(
      fc.property(ledgers, (generated) => {
        const s = scenario(generated);
        const expected = [...s.byStatement].flatMap(([uid, entries]) =>
          referenceMinutes(uid, entries, s.horizon),
        );
        const key = (r: UsageMinute) => `${r.minuteStartMs}:${r.statementUid}`;
        const sorted = (list: UsageMinute[]) => [...list].sort((x, y) => (key(x) < key(y) ? -1 : 1));
        expect(text(sorted(closeAll(s)))).toBe(text(sorted(expected)));
      }),
      params,
    );
  });

  it('bills Σ cfuMs = ∫ cfu dt exactly, per statement and per UTC day', () => {
    fc.assert(
      fc.property(ledgers, (generated) => {
        const s = scenario(generated);
        const records = closeAll(s);
        for (const [uid, entries] of s.byStatement) {
          const segments = timeline(entries, s.horizon);
          const mine = ofStatement(records, uid);
          expect(sum(mine.map((r) => r.cfuMs))).toBe(integral(segments, -Infinity, s.horizon));
          for (let day = Math.floor(s.minutes[0]! / DAY_MS) * DAY_MS; day < s.horizon; day += DAY_MS) {
            const inDay = mine.filter((r) => r.minuteStartMs >= day && r.minuteStartMs < day + DAY_MS);
            expect(sum(inDay.map((r) => r.cfuMs))).toBe(integral(segments, day, day + DAY_MS));
          }
        }
      }),
      params,
    );
  });

  it('bills each finished run max(∫, 1 CFU-minute), and a run under it spans at most two minutes', () => {
    fc.assert(
      fc.property(ledgers, (generated) => {
        const s = scenario(generated);
        const records = closeAll(s);
        for (const [uid, entries] of s.byStatement) {
          const all = runs(timeline(entries, s.horizon), s.horizon);
          const billed = ofStatement(records, uid);
          const expectedTotal = sum(
            all.map((r) => (r.end === null || r.integral > minCharge ? r.integral : minCharge)),
          );
          expect(sum(billed.map((r) => r.billedCfuMs))).toBe(expectedTotal);
          all.forEach((run, i) => {
            if (run.end === null) return;
            const endMinute = floorMinute(run.end);
            if (run.integral < minCharge) expect(run.start).toBeGreaterThan(ledgerWindowStartMs(endMinute));
            // a run sharing no minute with its neighbours can be checked on its own
            const first = floorMinute(run.start);
            const touches = (r: Run | undefined) =>
              r !== undefined && r.end !== null && floorMinute(r.end) >= first;
            const after = all[i + 1];
            if (touches(all[i - 1]) || (after && floorMinute(after.start) <= endMinute)) return;
            const own = billed.filter((r) => r.minuteStartMs >= first && r.minuteStartMs <= endMinute);
            expect(sum(own.map((r) => r.billedCfuMs))).toBe(
              run.integral > minCharge ? run.integral : minCharge,
            );
          });
        }
      }),
      params,
    );
  });

  it('needs only the window, and any input shape, order or repetition gives the same records', () => {
    fc.assert(
      fc.property(ledgers, fc.nat(), (generated, seed) => {
        const s = scenario(generated);
        const inOrder = closeAll(s);
        const reversedEntries = [...s.all].reverse();
        const [fromWindow, fromList, fromMap]: UsageMinute[][] = [[], [], []];
        for (const m of shuffle(s.minutes, seed)) {
          const windowed = new Map([...s.byStatement].map(([uid, entries]) => [uid, window(entries, m)]));
          fromWindow.push(...closeMinute(windowed, m));
          fromList.push(...closeMinute(reversedEntries, m));
          fromMap.push(...closeMinute(s.byStatement, m));
        }
        expect(text(fromList)).toBe(text(fromWindow));
        expect(text(fromMap)).toBe(text(fromWindow));
        // a stable sort by minute restores closing order: each minute's records are ordered by statement
        expect(text(fromWindow.sort((x, y) => x.minuteStartMs - y.minuteStartMs))).toBe(text(inOrder));
        expect(text(closeAll(s))).toBe(text(inOrder));
      }),
      params,
    );
  });
});

/** deterministic Fisher-Yates from a seed */
function shuffle<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed || 1;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
