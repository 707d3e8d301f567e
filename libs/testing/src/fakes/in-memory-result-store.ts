import {
  type FetchedPage,
  ResultStore,
  type ResultStream,
  type ResultRow,
  type StatementScope,
} from '@riffle/application';
import type { ResultTruncation } from '@riffle/domain';

/** ResultStore in memory for unit tests: streams and pages with the SQL store's rules (one writer per token). */
export class InMemoryResultStore extends ResultStore {
  readonly streams = new Map<string, ResultStream>();
  readonly pages = new Map<string, { rows: ResultRow[]; last: boolean; bytes: number }[]>();

  async open(stream: {
    statementUid: string;
    scope: StatementScope;
    cellId: string | null;
    gatewayRef: unknown;
    jobId: string | null;
  }): Promise<void> {
    if (this.streams.has(stream.statementUid)) return;
    const now = new Date();
    this.streams.set(stream.statementUid, {
      statementUid: stream.statementUid,
      organizationId: stream.scope.organizationId,
      environmentId: stream.scope.environmentId,
      cellId: stream.cellId,
      gatewayRef: stream.gatewayRef,
      jobId: stream.jobId,
      nextToken: 0,
      nextPage: 0,
      rows: 0,
      bytes: 0,
      state: 'OPEN',
      truncation: null,
      openedAt: now,
      lastRowsAt: now,
      endedAt: null,
    });
  }

  async find(statementUid: string): Promise<ResultStream | undefined> {
    return this.streams.get(statementUid);
  }

  async append(statementUid: string, token: number, page: FetchedPage, nextToken: number): Promise<boolean> {
    const stream = this.streams.get(statementUid);
    if (!stream || stream.state !== 'OPEN' || stream.nextToken !== token) return false;
    const keeps = page.rows.length > 0 || page.last;
    if (keeps) this.pagesOf(statementUid).push({ rows: page.rows, last: page.last, bytes: page.bytes });
    this.streams.set(statementUid, {
      ...stream,
      nextToken,
      nextPage: stream.nextPage + (keeps ? 1 : 0),
      rows: stream.rows + page.rows.length,
      bytes: stream.bytes + page.bytes,
      lastRowsAt: page.rows.length ? new Date() : stream.lastRowsAt,
    });
    return true;
  }

  async end(statementUid: string, truncation?: ResultTruncation): Promise<boolean> {
    const stream = this.streams.get(statementUid);
    if (!stream || stream.state !== 'OPEN') return false;
    const pages = this.pagesOf(statementUid);
    if (!pages.some((p) => p.last)) pages.push({ rows: [], last: true, bytes: 0 });
    this.streams.set(statementUid, {
      ...stream,
      state: 'ENDED',
      endedAt: new Date(),
      truncation: truncation ?? null,
      gatewayRef: null,
      nextPage: stream.nextPage + 1,
    });
    return true;
  }

  async writeAll(statementUid: string, scope: StatementScope, pages: FetchedPage[]): Promise<void> {
    await this.open({ statementUid, scope, cellId: null, gatewayRef: null, jobId: null });
    for (const [i, page] of pages.entries()) await this.append(statementUid, i, page, i + 1);
    await this.end(statementUid);
  }

  async page(statementUid: string, page: number): Promise<{ rows: ResultRow[]; last: boolean } | undefined> {
    const found = this.pages.get(statementUid)?.[page];
    return found && { rows: found.rows, last: found.last };
  }

  async environmentBytes(scope: StatementScope): Promise<number> {
    return [...this.streams.values()]
      .filter((s) => s.organizationId === scope.organizationId && s.environmentId === scope.environmentId)
      .filter((s) => s.state !== 'EXPIRED')
      .reduce((n, s) => n + s.bytes, 0);
  }

  async expire(endedBefore: Date, limit: number): Promise<number> {
    const due = [...this.streams.values()]
      .filter((s) => s.state === 'ENDED' && s.endedAt! < endedBefore)
      .slice(0, limit);
    for (const s of due) {
      this.streams.set(s.statementUid, { ...s, state: 'EXPIRED', bytes: 0 });
      this.pages.delete(s.statementUid);
    }
    return due.length;
  }

  private pagesOf(uid: string) {
    let pages = this.pages.get(uid);
    if (!pages) this.pages.set(uid, (pages = []));
    return pages;
  }
}
