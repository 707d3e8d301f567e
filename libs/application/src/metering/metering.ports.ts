import type { LedgerEntry, UsageMinute } from '@riffle/domain';

/** whose usage a record is: copied from the ledger so deleted statements stay billable */
export interface UsageAccount {
  statementUid: string;
  statementName: string;
  organizationId: string;
  environmentId: string;
  computePoolId: string | null;
}

export type AccountedUsageMinute = UsageMinute & UsageAccount;

/** Kafka partition → next offset to read */
export type PartitionOffsets = Record<string, string>;

export interface EventsProgress {
  /** start of the last minute whose events are on Kafka */
  throughMs: number;
  offsets: PartitionOffsets;
}

/** Usage minutes and the closer's progress, in Postgres. */
export abstract class UsageMinuteStore {
  /**
   * In one transaction: lock the closer's progress, load the ledger window of the next minute that ended
   * at least `graceMs` ago, store the records `close` computes and advance. Resolves with the closed
   * minute, or undefined when no minute is closable yet (or another replica is closing one).
   */
  abstract closeNextMinute(
    graceMs: number,
    close: (minuteStartMs: number, ledger: Map<string, LedgerEntry[]>) => UsageMinute[],
  ): Promise<number | undefined>;
  /** start of the last closed minute; undefined before the first close */
  abstract closedThroughMs(): Promise<number | undefined>;
  /** the records of minutes in [fromMs, toMs], by minute then statement, at most `limit` whole minutes' worth */
  abstract minuteRecords(fromMs: number, toMs: number, limit: number): Promise<AccountedUsageMinute[]>;
  /**
   * Runs `work` holding the events publisher's lock (skipped when another replica holds it). The
   * progress row starts where usage closing started, at `initialOffsets` (what the topic held then).
   */
  abstract withEventsProgress<T>(
    initialOffsets: PartitionOffsets,
    work: (progress: EventsProgress, save: (progress: EventsProgress) => Promise<void>) => Promise<T>,
  ): Promise<T | undefined>;
  /** one statement's usage minutes in [fromMs, toMs), oldest first */
  abstract statementMinutes(
    organizationId: string,
    statementUid: string,
    fromMs: number,
    toMs: number,
  ): Promise<AccountedUsageMinute[]>;
}

/** The CloudEvents topic: each publish is one Kafka transaction (all of a minute's events, or none). */
export abstract class UsageEventLog {
  abstract endOffsets(): Promise<PartitionOffsets>;
  /** publishes atomically; resolves with the end offsets after the commit */
  abstract publish(events: { key: string; event: object }[]): Promise<PartitionOffsets>;
  /** the newest usage minute found on the topic after `from` (a publish Postgres did not record) */
  abstract lastMinuteSince(from: PartitionOffsets, to: PartitionOffsets): Promise<number | undefined>;
}

export interface CostGroup {
  /** YYYY-MM-DD, UTC */
  day: string;
  organizationId: string;
  environmentId: string;
  computePoolId: string | null;
  statementUid?: string;
  statementName?: string;
  cfuMs: bigint;
  billedCfuMs: bigint;
}

export type CostGranularity = 'pool' | 'statement';

export interface CostQuery {
  organizationId: string;
  startDate: string;
  endDate: string;
  granularity: CostGranularity;
}

/** Daily usage sums, the raw material of cost lines. */
export abstract class CostReader {
  /** one page in key order (day, environment, pool[, statement]); `after` is the previous page's last key */
  abstract page(query: CostQuery, pageSize: number, after?: string[]): Promise<CostGroup[]>;
  /** every group of the range, streamed (constant memory) */
  abstract stream(query: CostQuery): AsyncIterable<CostGroup>;
}

export type ExportFormat = 'csv' | 'jsonl';
export type ExportPhase = 'PENDING' | 'RUNNING' | 'COMPLETED' | 'FAILED';

export interface BillingExport {
  id: string;
  organizationId: string;
  startDate: string;
  endDate: string;
  format: ExportFormat;
  granularity: CostGranularity;
  phase: ExportPhase;
  detail: string;
  location: string | null;
  lines: number | null;
  bytes: number | null;
  sha256: string | null;
  createdAt: Date;
  completedAt: Date | null;
}

export abstract class BillingExportRepository {
  abstract insert(
    e: Pick<BillingExport, 'id' | 'organizationId' | 'startDate' | 'endDate' | 'format' | 'granularity'>,
  ): Promise<BillingExport>;
  abstract find(organizationId: string, id: string): Promise<BillingExport | undefined>;
  abstract findById(id: string): Promise<BillingExport | undefined>;
  abstract list(organizationId: string, limit: number): Promise<BillingExport[]>;
  abstract update(
    id: string,
    patch: Partial<Pick<BillingExport, 'phase' | 'detail' | 'location' | 'lines' | 'bytes' | 'sha256'>> & {
      completed?: boolean;
    },
  ): Promise<void>;
}

/** Where export files go (a local directory by default; object storage in production). */
export abstract class ExportSink {
  /** writes the chunks to `name`, atomically (visible only when complete) */
  abstract write(
    name: string,
    chunks: AsyncIterable<string>,
  ): Promise<{ location: string; bytes: number; sha256: string }>;
  abstract open(location: string): NodeJS.ReadableStream;
}

export abstract class BillingExportQueue {
  abstract enqueueExport(exportId: string): Promise<void>;
}
