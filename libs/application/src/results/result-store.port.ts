import type { ResultTruncation } from '@riffle/domain';
import type { ResultRow, StatementScope } from '../statements/statement.ports';

export type ResultStreamState = 'OPEN' | 'ENDED' | 'EXPIRED';

/** Where one query's stream of result pages stands (one per statement that produces results). */
export interface ResultStream {
  statementUid: string;
  organizationId: string;
  environmentId: string;
  /** the cell whose SQL Gateway holds the query's operation (null: the first cell) */
  cellId: string | null;
  /** the gateway operation the rows come from (opaque to the application; null once it is closed) */
  gatewayRef: unknown;
  jobId: string | null;
  /** the gateway's result token the next fetch asks for */
  nextToken: number;
  /** the number the next page is stored under */
  nextPage: number;
  rows: number;
  bytes: number;
  state: ResultStreamState;
  /** why the stream stopped keeping rows before its query ended, if it did */
  truncation: ResultTruncation | null;
  openedAt: Date;
  /** when the stream last received rows (its opening, before any) */
  lastRowsAt: Date;
  endedAt: Date | null;
}

/** A page as fetched: its rows, their stored size, and whether the query has no more. */
export interface FetchedPage {
  rows: ResultRow[];
  bytes: number;
  last: boolean;
}

/**
 * Result pages and the streams that write them. Pages are numbered from 0 and immutable once written,
 * so a page token always returns the same rows. One writer per stream at a time: `append` moves a stream
 * only from the token it expects, so a step repeated after a crash cannot store a page twice.
 */
export abstract class ResultStore {
  /** a query's stream, opened once its gateway operation exists */
  abstract open(stream: {
    statementUid: string;
    scope: StatementScope;
    cellId: string | null;
    gatewayRef: unknown;
    jobId: string | null;
  }): Promise<void>;
  abstract find(statementUid: string): Promise<ResultStream | undefined>;
  /**
   * Stores `page` as the stream's next page and moves it to `nextToken`, if it still stands at `token`.
   * false: another step got there first (or the statement is gone), nothing was stored.
   */
  abstract append(
    statementUid: string,
    token: number,
    page: FetchedPage,
    nextToken: number,
  ): Promise<boolean>;
  /** ends an OPEN stream (its last page marked, the gateway reference dropped); false if it was not open */
  abstract end(statementUid: string, truncation?: ResultTruncation): Promise<boolean>;
  /** a statement answered at once (SHOW, DESCRIBE …): its whole result as an ended stream */
  abstract writeAll(statementUid: string, scope: StatementScope, pages: FetchedPage[]): Promise<void>;
  abstract page(
    statementUid: string,
    page: number,
  ): Promise<{ rows: ResultRow[]; last: boolean } | undefined>;
  /** bytes the environment's kept results hold */
  abstract environmentBytes(scope: StatementScope): Promise<number>;
  /** drops the pages of streams that ended before `endedBefore` (at most `limit`); answers how many */
  abstract expire(endedBefore: Date, limit: number): Promise<number>;
}

/** Hands a running query's stream to the results service. Idempotent: one queued step per stream. */
export abstract class ResultsQueue {
  /** `resumed`: a stream already running is looked after again (not charged as new work in the fair share) */
  abstract enqueueStep(
    statementUid: string,
    organizationId: string,
    options?: { delayMs?: number; resumed?: boolean },
  ): Promise<void>;
}
