import { JobManagerClient } from '@riffle/flink';
import { eventually, referenceUsage } from '@riffle/testing';
import type { DataSource } from 'typeorm';
import type { InvariantCheck } from './report';

/**
 * The invariants every fault scenario ends with (issue #9): no acknowledged statement lost, at most one
 * Flink job per statement, exactly-once output, usage equal to the ledger. Each returns a check with a
 * detail a reader of the report can act on; none throws on a broken invariant.
 */

/** every statement the API answered 201 for is still stored (deleted ones excepted by the caller) */
export async function noAcknowledgedStatementLost(
  db: DataSource,
  organizationId: string,
  acknowledged: string[],
): Promise<InvariantCheck> {
  const rows: { name: string }[] = await db.query('SELECT name FROM statements WHERE organization_id = $1', [
    organizationId,
  ]);
  const stored = new Set(rows.map((r) => r.name));
  const lost = acknowledged.filter((name) => !stored.has(name));
  return {
    name: 'no acknowledged statement lost',
    ok: lost.length === 0,
    detail: lost.length
      ? `${lost.length} of ${acknowledged.length} missing: ${lost.slice(0, 5).join(', ')}`
      : `${acknowledged.length} acknowledged, all stored`,
  };
}

const ACTIVE = new Set([
  'INITIALIZING',
  'CREATED',
  'RUNNING',
  'RESTARTING',
  'CANCELLING',
  'FAILING',
  'RECONCILING',
]);

/**
 * No statement runs twice: across the given JobManagers, at most one job per statement (jobs are named
 * by the statement's uid) is not in a terminal state, and a running statement's one job is the job it
 * recorded. With `strict`, terminal jobs count too (for scenarios where no statement was ever restored).
 */
export async function atMostOneFlinkJobPerStatement(
  db: DataSource,
  organizationId: string,
  flinkRestUrls: string[],
  { strict = false } = {},
): Promise<InvariantCheck> {
  const jobs = (
    await Promise.all(flinkRestUrls.map((url) => new JobManagerClient(url, 5_000).jobsOverview()))
  ).flat();
  const statements: { uid: string; name: string; phase: string; job_id: string | null }[] = await db.query(
    'SELECT uid, name, phase, job_id FROM statements WHERE organization_id = $1',
    [organizationId],
  );
  const problems: string[] = [];
  for (const s of statements) {
    const mine = jobs.filter((j) => j.name === s.uid);
    const counted = strict ? mine : mine.filter((j) => ACTIVE.has(j.state));
    if (counted.length > 1)
      problems.push(
        `${s.name}: ${counted.length} jobs (${counted.map((j) => `${j.jid} ${j.state}`).join(', ')})`,
      );
    else if (s.phase === 'RUNNING' && counted.length === 1 && s.job_id && counted[0]!.jid !== s.job_id)
      problems.push(`${s.name}: runs job ${counted[0]!.jid} but recorded ${s.job_id}`);
  }
  return {
    name: strict ? 'exactly one Flink job per statement, ever' : 'at most one live Flink job per statement',
    ok: problems.length === 0,
    detail: problems.length ? problems.slice(0, 5).join('; ') : `${statements.length} statements checked`,
  };
}

/** an exactly-once sink holds ids 1..expected, each once */
export function exactlyOnceOutput(topic: string, ids: number[], expected: number): InvariantCheck {
  const seen = new Map<number, number>();
  for (const id of ids) seen.set(id, (seen.get(id) ?? 0) + 1);
  const duplicates = [...seen].filter(([, n]) => n > 1).map(([id]) => id);
  const missing: number[] = [];
  for (let id = 1; id <= expected; id++) if (!seen.has(id)) missing.push(id);
  return {
    name: `output ${topic} exactly once`,
    ok: duplicates.length === 0 && missing.length === 0 && ids.length === expected,
    detail:
      `${ids.length} records for ${expected} ids` +
      (missing.length ? `, ${missing.length} missing (first ${missing.slice(0, 5).join(', ')})` : '') +
      (duplicates.length
        ? `, ${duplicates.length} duplicated (first ${duplicates.slice(0, 5).join(', ')})`
        : ''),
  };
}

/**
 * Usage equals the ledger: once metering has closed ('usage' progress = the last closed minute) the minute
 * of the last ledger entry, the organization's
 * usage minutes equal an independent integration of its allocation ledger, minute by minute.
 */
export async function usageEqualsLedger(
  db: DataSource,
  organizationId: string,
  { timeoutMs = 150_000 } = {},
): Promise<InvariantCheck> {
  type LedgerRow = { statement_uid: string; cfu: number; valid_from: Date };
  const readLedger = (): Promise<LedgerRow[]> =>
    db.query(
      `SELECT statement_uid, cfu, valid_from FROM allocation_ledger
       WHERE organization_id = $1 ORDER BY statement_uid, valid_from, seq`,
      [organizationId],
    );
  let ledger: LedgerRow[] = [];
  try {
    // the ledger is read again on every look: a run recorded meanwhile moves the minute to wait for
    await eventually(
      'metering to close the last minute of the ledger',
      async () => {
        ledger = await readLedger();
        if (!ledger.length) return undefined;
        const lastMinute =
          Math.floor(Math.max(...ledger.map((e) => e.valid_from.getTime())) / 60_000) * 60_000;
        const [row]: { through: Date }[] = await db.query(
          "SELECT through FROM metering_progress WHERE name = 'usage'",
        );
        return row && row.through.getTime() >= lastMinute ? true : undefined;
      },
      { timeoutMs, intervalMs: 1_000 },
    );
  } catch (error) {
    return {
      name: 'usage equals the ledger',
      ok: false,
      detail: ledger.length ? (error as Error).message : 'the ledger is empty',
    };
  }
  const [progress]: { through: Date }[] = await db.query(
    "SELECT through FROM metering_progress WHERE name = 'usage'",
  );
  const expected = referenceUsage(
    ledger.map((e) => ({ statementUid: e.statement_uid, cfu: e.cfu, validFromMs: e.valid_from.getTime() })),
    progress!.through.getTime() + 60_000,
  );
  const rows: { statement_uid: string; minute: Date; cfu_ms: string; minimum_top_up_ms: string }[] =
    await db.query(
      'SELECT statement_uid, minute, cfu_ms, minimum_top_up_ms FROM usage_minutes WHERE organization_id = $1 AND minute <= $2',
      [organizationId, progress!.through],
    );
  const actual = new Map(
    rows.map((r) => [`${r.statement_uid}@${r.minute.toISOString()}`, `${r.cfu_ms}+${r.minimum_top_up_ms}`]),
  );
  const wanted = new Map<string, string>();
  for (const [uid, minutes] of expected)
    for (const [minute, u] of minutes)
      wanted.set(`${uid}@${new Date(minute).toISOString()}`, `${u.cfuMs}+${u.topUpMs}`);
  const differences: string[] = [];
  for (const [key, value] of wanted)
    if (actual.get(key) !== value)
      differences.push(`${key}: billed ${actual.get(key) ?? 'nothing'}, ledger ${value}`);
  for (const [key, value] of actual)
    if (!wanted.has(key)) differences.push(`${key}: billed ${value}, not in the ledger`);
  const cfuMinutes =
    [...wanted.values()].reduce((sum, v) => sum + Number(v.split('+')[0]) + Number(v.split('+')[1]), 0) /
    60_000;
  return {
    name: 'usage equals the ledger',
    ok: differences.length === 0,
    detail: differences.length
      ? `${differences.length} minutes differ: ${differences.slice(0, 3).join('; ')}; ledger of the first: ${ledger
          .filter((e) => differences[0]!.startsWith(e.statement_uid))
          .map((e) => `${e.valid_from.toISOString()} ${e.cfu}`)
          .join(', ')}`
      : `${wanted.size} statement-minutes, ${cfuMinutes.toFixed(2)} CFU-minutes, equal`,
  };
}
