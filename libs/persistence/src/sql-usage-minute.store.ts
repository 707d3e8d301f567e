import {
  type AccountedUsageMinute,
  type EventsProgress,
  type PartitionOffsets,
  type UsageAccount,
  UsageMinuteStore,
} from '@riffle/application';
import { type LedgerEntry, ledgerWindowStartMs, type UsageMinute } from '@riffle/domain';
import type { DataSource, EntityManager } from 'typeorm';

interface AccountRow {
  statement_uid: string;
  statement_name: string;
  organization_id: string;
  environment_id: string;
  compute_pool_id: string | null;
}

interface UsageRow extends AccountRow {
  minute: Date;
  cfu_ms: string;
  minimum_top_up_ms: string;
  billed_cfu_ms: string;
}

const account = (r: AccountRow): UsageAccount => ({
  statementUid: r.statement_uid,
  statementName: r.statement_name,
  organizationId: r.organization_id,
  environmentId: r.environment_id,
  computePoolId: r.compute_pool_id,
});

const toUsage = (r: UsageRow): AccountedUsageMinute => ({
  ...account(r),
  minuteStartMs: r.minute.getTime(),
  cfuMs: BigInt(r.cfu_ms),
  minimumTopUpMs: BigInt(r.minimum_top_up_ms),
  billedCfuMs: BigInt(r.billed_cfu_ms),
});

const USAGE = 'usage';
const EVENTS = 'events';

export class SqlUsageMinuteStore extends UsageMinuteStore {
  constructor(private readonly db: DataSource) {
    super();
  }

  closeNextMinute(
    graceMs: number,
    close: (minuteStartMs: number, ledger: Map<string, LedgerEntry[]>) => UsageMinute[],
  ): Promise<number | undefined> {
    return this.db.transaction(async (tx) => {
      // closing starts at the ledger's first minute
      await tx.query(
        `INSERT INTO metering_progress (name, through)
         SELECT $1, date_trunc('minute', min(valid_from)) - interval '1 minute' FROM allocation_ledger
         HAVING count(*) > 0 ON CONFLICT (name) DO NOTHING`,
        [USAGE],
      );
      const [progress]: { through: Date; closable: boolean }[] = await tx.query(
        `SELECT through, through + interval '2 minutes' + $2 * interval '1 millisecond' <= now() AS closable
         FROM metering_progress WHERE name = $1 FOR UPDATE SKIP LOCKED`,
        [USAGE, graceMs],
      );
      if (!progress?.closable) return undefined;
      const minute = progress.through.getTime() + 60_000;
      const { ledger, accounts } = await this.window(tx, minute);
      const records = close(minute, ledger);
      await this.insertRecords(tx, minute, records, ledger, accounts);
      await tx.query(`UPDATE metering_progress SET through = $2, updated_at = now() WHERE name = $1`, [
        USAGE,
        new Date(minute),
      ]);
      return minute;
    });
  }

  /**
   * The ledger as the pure closer needs it: the CFUs held when the window starts (the end of the
   * minute before the previous one, from its usage records) plus every entry up to the minute's end.
   */
  private async window(tx: EntityManager, minute: number) {
    const windowStart = ledgerWindowStartMs(minute);
    const ledger = new Map<string, LedgerEntry[]>();
    const accounts = new Map<string, UsageAccount>();
    const held: (AccountRow & { end_cfu: number })[] = await tx.query(
      `SELECT statement_uid, statement_name, organization_id, environment_id, compute_pool_id, end_cfu
       FROM usage_minutes WHERE minute = $1 AND end_cfu > 0`,
      [new Date(windowStart - 60_000)],
    );
    for (const r of held) {
      ledger.set(r.statement_uid, [
        { statementUid: r.statement_uid, seq: 0, cfu: r.end_cfu, validFromMs: windowStart },
      ]);
      accounts.set(r.statement_uid, account(r));
    }
    const entries: (AccountRow & { seq: string; cfu: number; valid_from: Date })[] = await tx.query(
      `SELECT seq, statement_uid, statement_name, organization_id, environment_id, compute_pool_id, cfu, valid_from
       FROM allocation_ledger WHERE valid_from >= $1 AND valid_from < $2 ORDER BY statement_uid, valid_from, seq`,
      [new Date(windowStart), new Date(minute + 60_000)],
    );
    for (const r of entries) {
      const entry = {
        statementUid: r.statement_uid,
        seq: Number(r.seq),
        cfu: r.cfu,
        validFromMs: r.valid_from.getTime(),
      };
      const list = ledger.get(r.statement_uid);
      if (list) list.push(entry);
      else ledger.set(r.statement_uid, [entry]);
      accounts.set(r.statement_uid, account(r));
    }
    return { ledger, accounts };
  }

  private async insertRecords(
    tx: EntityManager,
    minute: number,
    records: UsageMinute[],
    ledger: Map<string, LedgerEntry[]>,
    accounts: Map<string, UsageAccount>,
  ): Promise<void> {
    const end = minute + 60_000;
    for (let i = 0; i < records.length; i += 5_000) {
      const chunk = records.slice(i, i + 5_000);
      const columns: unknown[][] = [[], [], [], [], [], [], [], [], []];
      for (const r of chunk) {
        const a = accounts.get(r.statementUid)!;
        const entries = ledger.get(r.statementUid) ?? [];
        const endCfu = entries.filter((e) => e.validFromMs < end).at(-1)?.cfu ?? 0;
        [
          r.statementUid,
          a.statementName,
          a.organizationId,
          a.environmentId,
          a.computePoolId,
          String(r.cfuMs),
          String(r.minimumTopUpMs),
          String(r.billedCfuMs),
          endCfu,
        ].forEach((v, c) => columns[c]!.push(v));
      }
      await tx.query(
        `INSERT INTO usage_minutes (minute, statement_uid, statement_name, organization_id, environment_id,
           compute_pool_id, cfu_ms, minimum_top_up_ms, billed_cfu_ms, end_cfu)
         SELECT $1, * FROM unnest($2::uuid[], $3::text[], $4::uuid[], $5::text[], $6::text[], $7::bigint[],
           $8::bigint[], $9::bigint[], $10::int[])
         ON CONFLICT (statement_uid, minute) DO NOTHING`,
        [new Date(minute), ...columns],
      );
    }
  }

  async closedThroughMs(): Promise<number | undefined> {
    const [row]: { through: Date }[] = await this.db.query(
      'SELECT through FROM metering_progress WHERE name = $1',
      [USAGE],
    );
    return row?.through.getTime();
  }

  async minuteRecords(fromMs: number, toMs: number, limit: number): Promise<AccountedUsageMinute[]> {
    // whole minutes only: the last minute that fits under the limit ends the batch
    const rows: UsageRow[] = await this.db.query(
      `WITH counts AS (
         SELECT minute, sum(count(*)) OVER (ORDER BY minute) AS running FROM usage_minutes
         WHERE minute >= $1 AND minute <= $2 GROUP BY minute)
       SELECT u.* FROM usage_minutes u
       WHERE u.minute >= $1 AND u.minute <= coalesce(
         (SELECT max(minute) FROM counts WHERE running <= $3), (SELECT min(minute) FROM counts))
       ORDER BY u.minute, u.statement_uid`,
      [new Date(fromMs), new Date(toMs), limit],
    );
    return rows.map(toUsage);
  }

  withEventsProgress<T>(
    initialOffsets: PartitionOffsets,
    work: (progress: EventsProgress, save: (progress: EventsProgress) => Promise<void>) => Promise<T>,
  ): Promise<T | undefined> {
    return this.db.transaction(async (tx) => {
      // events start where usage closing started, after whatever the topic already held
      await tx.query(
        `INSERT INTO metering_progress (name, through, kafka_offsets)
         SELECT $1, date_trunc('minute', min(valid_from)) - interval '1 minute', $2 FROM allocation_ledger
         HAVING count(*) > 0 ON CONFLICT (name) DO NOTHING`,
        [EVENTS, JSON.stringify(initialOffsets)],
      );
      const [row]: { through: Date; kafka_offsets: PartitionOffsets }[] = await tx.query(
        'SELECT through, kafka_offsets FROM metering_progress WHERE name = $1 FOR UPDATE SKIP LOCKED',
        [EVENTS],
      );
      if (!row) return undefined;
      const save = async (p: EventsProgress) => {
        await tx.query(
          'UPDATE metering_progress SET through = $2, kafka_offsets = $3, updated_at = now() WHERE name = $1',
          [EVENTS, new Date(p.throughMs), JSON.stringify(p.offsets)],
        );
      };
      return work({ throughMs: row.through.getTime(), offsets: row.kafka_offsets }, save);
    });
  }

  async statementMinutes(
    organizationId: string,
    statementUid: string,
    fromMs: number,
    toMs: number,
  ): Promise<AccountedUsageMinute[]> {
    const rows: UsageRow[] = await this.db.query(
      `SELECT * FROM usage_minutes WHERE organization_id = $1 AND statement_uid = $2 AND minute >= $3 AND minute < $4
       ORDER BY minute`,
      [organizationId, statementUid, new Date(fromMs), new Date(toMs)],
    );
    return rows.map(toUsage);
  }
}
