import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';

/**
 * An independent, deliberately plain model of billing for tests: integrate a ledger segment by
 * segment, split at minute boundaries, and charge each run at least one CFU-minute in the minute of
 * its stop. Metering must agree with it exactly.
 */
export interface ReferenceEntry {
  statementUid: string;
  cfu: number;
  validFromMs: number;
}

export interface ReferenceMinute {
  cfuMs: bigint;
  topUpMs: bigint;
}

/** statement uid → minute start → usage, for every minute that ends at or before `untilMs` */
export function referenceUsage(
  entries: ReferenceEntry[],
  untilMs: number,
): Map<string, Map<number, ReferenceMinute>> {
  const byStatement = new Map<string, ReferenceEntry[]>();
  for (const e of entries) byStatement.set(e.statementUid, [...(byStatement.get(e.statementUid) ?? []), e]);
  const result = new Map<string, Map<number, ReferenceMinute>>();
  for (const [uid, list] of byStatement) {
    // entries at the same millisecond: only the last one takes effect
    const sorted = [...list]
      .sort((a, b) => a.validFromMs - b.validFromMs)
      .filter((e, i, all) => all[i + 1]?.validFromMs !== e.validFromMs);
    const minutes = new Map<number, ReferenceMinute>();
    const at = (minute: number) => {
      let m = minutes.get(minute);
      if (!m) minutes.set(minute, (m = { cfuMs: 0n, topUpMs: 0n }));
      return m;
    };
    let runTotal = 0n;
    for (let i = 0; i < sorted.length; i++) {
      const { cfu, validFromMs: from } = sorted[i]!;
      if (from >= untilMs) break;
      // a 0 entry ends the run: a run under one CFU-minute is topped up in the minute of the stop
      if (cfu === 0 && runTotal > 0n) {
        if (runTotal < 60_000n) at(from - (from % 60_000)).topUpMs += 60_000n - runTotal;
        runTotal = 0n;
      }
      const to = Math.min(sorted[i + 1]?.validFromMs ?? untilMs, untilMs);
      for (let t = from; t < to;) {
        const minute = t - (t % 60_000);
        const end = Math.min(to, minute + 60_000);
        if (cfu > 0) at(minute).cfuMs += BigInt(cfu * (end - t));
        t = end;
      }
      if (cfu > 0) runTotal += BigInt(cfu * (to - from));
    }
    for (const [minute, usage] of minutes)
      if (minute + 60_000 > untilMs || (usage.cfuMs === 0n && usage.topUpMs === 0n)) minutes.delete(minute);
    result.set(uid, minutes);
  }
  return result;
}

/**
 * A random but complete history for `statements` statements between `fromMs` and `toMs`: runs of
 * seconds to hours, rescales inside runs, every run stopped before `toMs`.
 */
export function randomLedger(statements: number, fromMs: number, toMs: number, seed = 1): ReferenceEntry[] {
  let state = seed;
  const random = () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
  const entries: ReferenceEntry[] = [];
  for (let s = 0; s < statements; s++) {
    const statementUid = randomUUID();
    let t = fromMs + Math.floor(random() * 600_000);
    while (t < toMs - 120_000) {
      const long = random() < 0.6;
      const duration = long ? 60_000 + Math.floor(random() * 5_400_000) : 1 + Math.floor(random() * 50_000);
      const end = Math.min(t + duration, toMs - 1);
      entries.push({ statementUid, cfu: 1 + Math.floor(random() * 4), validFromMs: t });
      for (
        let r = t + 1 + Math.floor(random() * duration);
        r < end && random() < 0.5;
        r += 1 + Math.floor(random() * 600_000)
      )
        entries.push({ statementUid, cfu: 1 + Math.floor(random() * 8), validFromMs: r });
      entries.push({ statementUid, cfu: 0, validFromMs: end });
      t = end + Math.floor(random() * 3_600_000);
    }
  }
  return entries;
}

/** appends entries to the real ledger (tests only: the scheduler writes it in production) */
export async function insertLedger(
  db: DataSource,
  organizationId: string,
  environmentId: string,
  entries: ReferenceEntry[],
) {
  for (let i = 0; i < entries.length; i += 2_000) {
    const chunk = entries.slice(i, i + 2_000);
    await db.query(
      `INSERT INTO allocation_ledger (statement_uid, statement_name, organization_id, environment_id, cfu, reason, valid_from)
       SELECT u, 'ledger-test', $1, $2, c, CASE WHEN c = 0 THEN 'stop' ELSE 'start' END, to_timestamp(v / 1000.0)
       FROM unnest($3::uuid[], $4::int[], $5::float8[]) AS t(u, c, v)`,
      [
        organizationId,
        environmentId,
        chunk.map((e) => e.statementUid),
        chunk.map((e) => e.cfu),
        chunk.map((e) => e.validFromMs),
      ],
    );
  }
}
