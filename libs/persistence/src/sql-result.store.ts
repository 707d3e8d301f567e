import {
  type FetchedPage,
  ResultStore,
  type ResultStream,
  type ResultRow,
  type StatementScope,
} from '@riffle/application';
import type { ResultTruncation } from '@riffle/domain';
import type { DataSource } from 'typeorm';

interface StreamRow {
  statement_uid: string;
  organization_id: string;
  environment_id: string;
  cell_id: string | null;
  gateway_ref: unknown;
  job_id: string | null;
  next_token: string;
  next_page: number;
  rows: string;
  bytes: string;
  state: ResultStream['state'];
  truncation: ResultTruncation | null;
  opened_at: Date;
  last_rows_at: Date;
  ended_at: Date | null;
}

const toStream = (r: StreamRow): ResultStream => ({
  statementUid: r.statement_uid,
  organizationId: r.organization_id,
  environmentId: r.environment_id,
  cellId: r.cell_id,
  gatewayRef: r.gateway_ref,
  jobId: r.job_id,
  nextToken: Number(r.next_token),
  nextPage: r.next_page,
  rows: Number(r.rows),
  bytes: Number(r.bytes),
  state: r.state,
  truncation: r.truncation,
  openedAt: r.opened_at,
  lastRowsAt: r.last_rows_at,
  endedAt: r.ended_at,
});

/** Postgres' answer to a row whose statement was deleted meanwhile (the page's foreign key) */
const statementGone = (error: unknown) => (error as { code?: string }).code === '23503';

/**
 * Result streams and their pages in Postgres. A page and its stream's move to the next token are one
 * statement, conditional on the token the caller read: two steps of one stream (a replica thought dead,
 * and its successor) can never both store a page.
 */
export class SqlResultStore extends ResultStore {
  constructor(private readonly db: DataSource) {
    super();
  }

  async open(stream: {
    statementUid: string;
    scope: StatementScope;
    cellId: string | null;
    gatewayRef: unknown;
    jobId: string | null;
  }): Promise<void> {
    await this.db.query(
      `INSERT INTO result_streams (statement_uid, organization_id, environment_id, cell_id, gateway_ref, job_id)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (statement_uid) DO NOTHING`,
      [
        stream.statementUid,
        stream.scope.organizationId,
        stream.scope.environmentId,
        stream.cellId,
        JSON.stringify(stream.gatewayRef),
        stream.jobId,
      ],
    );
  }

  async find(statementUid: string): Promise<ResultStream | undefined> {
    const rows: StreamRow[] = await this.db.query('SELECT * FROM result_streams WHERE statement_uid = $1', [
      statementUid,
    ]);
    return rows[0] && toStream(rows[0]);
  }

  async append(statementUid: string, token: number, page: FetchedPage, nextToken: number): Promise<boolean> {
    const keepsPage = page.rows.length > 0 || page.last;
    try {
      const [row]: { moved: string }[] = await this.db.query(
        `WITH moved AS (
           UPDATE result_streams SET next_token = $3,
             next_page = next_page + $4::int, rows = rows + $5::bigint, bytes = bytes + $6::bigint,
             last_rows_at = CASE WHEN $5::bigint > 0 THEN now() ELSE last_rows_at END
           WHERE statement_uid = $1 AND next_token = $2 AND state = 'OPEN'
           RETURNING next_page - $4::int AS page),
         stored AS (
           INSERT INTO statement_result_pages (statement_uid, page, rows, last, bytes)
           SELECT $1::uuid, page, $7::jsonb, $8::boolean, $6::int FROM moved WHERE $4::int = 1
           RETURNING page)
         SELECT count(*) AS moved FROM moved`,
        [
          statementUid,
          token,
          nextToken,
          keepsPage ? 1 : 0,
          page.rows.length,
          page.bytes,
          JSON.stringify(page.rows),
          page.last,
        ],
      );
      return Number(row?.moved) === 1;
    } catch (error) {
      if (statementGone(error)) return false;
      throw error;
    }
  }

  async end(statementUid: string, truncation?: ResultTruncation): Promise<boolean> {
    try {
      // the last page marks the end for readers: an empty one, unless the stream stored its last already
      const [row]: { ended: string }[] = await this.db.query(
        `WITH ended AS (
           UPDATE result_streams SET state = 'ENDED', ended_at = now(), truncation = $2, gateway_ref = NULL,
             next_page = next_page + 1
           WHERE statement_uid = $1 AND state = 'OPEN'
           RETURNING next_page - 1 AS page),
         marked AS (
           INSERT INTO statement_result_pages (statement_uid, page, rows, last)
           SELECT $1::uuid, page, '[]'::jsonb, true FROM ended
           WHERE NOT EXISTS (SELECT 1 FROM statement_result_pages WHERE statement_uid = $1 AND last)
           RETURNING page)
         SELECT count(*) AS ended FROM ended`,
        [statementUid, truncation ?? null],
      );
      return Number(row?.ended) === 1;
    } catch (error) {
      if (statementGone(error)) return false;
      throw error;
    }
  }

  async writeAll(statementUid: string, scope: StatementScope, pages: FetchedPage[]): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO result_streams (statement_uid, organization_id, environment_id, next_page, rows, bytes,
           state, ended_at, last_rows_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'ENDED', now(), now()) ON CONFLICT (statement_uid) DO NOTHING`,
        [
          statementUid,
          scope.organizationId,
          scope.environmentId,
          pages.length,
          pages.reduce((n, p) => n + p.rows.length, 0),
          pages.reduce((n, p) => n + p.bytes, 0),
        ],
      );
      for (const [index, page] of pages.entries())
        await tx.query(
          `INSERT INTO statement_result_pages (statement_uid, page, rows, last, bytes) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (statement_uid, page) DO NOTHING`,
          [statementUid, index, JSON.stringify(page.rows), page.last, page.bytes],
        );
    });
  }

  async page(statementUid: string, page: number): Promise<{ rows: ResultRow[]; last: boolean } | undefined> {
    const rows: { rows: ResultRow[]; last: boolean }[] = await this.db.query(
      'SELECT rows, last FROM statement_result_pages WHERE statement_uid = $1 AND page = $2',
      [statementUid, page],
    );
    return rows[0];
  }

  async environmentBytes(scope: StatementScope): Promise<number> {
    const [row]: { bytes: string }[] = await this.db.query(
      `SELECT coalesce(sum(bytes), 0) AS bytes FROM result_streams
       WHERE organization_id = $1 AND environment_id = $2 AND state <> 'EXPIRED'`,
      [scope.organizationId, scope.environmentId],
    );
    return Number(row?.bytes ?? 0);
  }

  async expire(endedBefore: Date, limit: number): Promise<number> {
    return this.db.transaction(async (tx) => {
      // TypeORM answers UPDATE … RETURNING with [rows, affected]
      const [expired]: [{ statement_uid: string }[], number] = await tx.query(
        `UPDATE result_streams SET state = 'EXPIRED', bytes = 0, gateway_ref = NULL
         WHERE statement_uid IN (
           SELECT statement_uid FROM result_streams WHERE state = 'ENDED' AND ended_at < $1
           ORDER BY ended_at LIMIT $2 FOR UPDATE SKIP LOCKED)
         RETURNING statement_uid`,
        [endedBefore, limit],
      );
      if (expired.length)
        await tx.query('DELETE FROM statement_result_pages WHERE statement_uid = ANY($1::uuid[])', [
          expired.map((e) => e.statement_uid),
        ]);
      return expired.length;
    });
  }
}
