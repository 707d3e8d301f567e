import {
  type ResultTruncation,
  RiffleError,
  STATEMENT_PHASES,
  type StatementPhase,
  TERMINAL_PHASES,
} from '@riffle/domain';
import type { IdentityRepository } from '../identity/identity.ports';
import type { Principal } from '../identity/principal';
import type { ResultStore } from '../results/result-store.port';
import { resolveScope, statementNotFound } from './statement-scope';
import type {
  ResultRow,
  StatementCursor,
  StatementReader,
  StatementRecord,
  StatementRepository,
} from './statement.ports';

const invalidToken = () =>
  new RiffleError('INVALID_PAGE_TOKEN', 'invalid', 'page_token is not one this API issued.');

function encodeCursor(cursor: StatementCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt, cursor.uid])).toString('base64url');
}

function decodeCursor(token: string): StatementCursor {
  try {
    const [createdAt, uid] = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown[];
    if (typeof createdAt !== 'string' || Number.isNaN(Date.parse(createdAt))) throw invalidToken();
    if (typeof uid !== 'string' || !/^[0-9a-f-]{36}$/.test(uid)) throw invalidToken();
    return { createdAt, uid };
  } catch {
    throw invalidToken();
  }
}

export interface ListStatementsQuery {
  page_size?: string;
  page_token?: string;
  compute_pool_id?: string;
  phase?: string;
  label_selector?: string;
}

/**
 * The API's busiest read. Its reader may be a cache (the API gives it StatementReadCache); the use cases
 * that go on to act on the statement read Postgres themselves.
 */
export class GetStatement {
  constructor(
    private readonly identities: IdentityRepository,
    private readonly statements: StatementReader,
  ) {}

  async execute(principal: Principal, org: string, env: string, name: string): Promise<StatementRecord> {
    const scope = await resolveScope(this.identities, principal, org, env);
    const statement = await this.statements.find(scope, name);
    if (!statement) throw statementNotFound(name);
    return statement;
  }
}

export class ListStatements {
  constructor(
    private readonly identities: IdentityRepository,
    private readonly statements: StatementRepository,
  ) {}

  async execute(
    principal: Principal,
    org: string,
    env: string,
    query: ListStatementsQuery,
  ): Promise<{ data: StatementRecord[]; next: string | null }> {
    const scope = await resolveScope(this.identities, principal, org, env);
    const pageSize = query.page_size === undefined ? 20 : Number(query.page_size);
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100) {
      throw new RiffleError(
        'INVALID_PAGE_SIZE',
        'invalid',
        'page_size must be a whole number from 1 to 100.',
      );
    }
    if (query.phase !== undefined && !STATEMENT_PHASES.includes(query.phase as StatementPhase)) {
      throw new RiffleError(
        'INVALID_PHASE',
        'invalid',
        `phase must be one of ${STATEMENT_PHASES.join(', ')}.`,
      );
    }
    if (query.compute_pool_id !== undefined && typeof query.compute_pool_id !== 'string') {
      throw new RiffleError('INVALID_FIELD', 'invalid', 'compute_pool_id may be given once.');
    }
    const labels: Record<string, string> = {};
    for (const pair of query.label_selector ? String(query.label_selector).split(',') : []) {
      const match = /^([^=,\s]{1,256})=([^=,]{0,4096})$/.exec(pair.trim());
      if (!match)
        throw new RiffleError(
          'INVALID_LABEL_SELECTOR',
          'invalid',
          'label_selector must look like key=value,key2=value2.',
        );
      labels[match[1]!] = match[2]!;
    }
    const after = query.page_token ? decodeCursor(String(query.page_token)) : undefined;
    const rows = await this.statements.list(
      scope,
      { computePoolId: query.compute_pool_id, phase: query.phase as StatementPhase | undefined, labels },
      pageSize + 1,
      after,
    );
    const data = rows.slice(0, pageSize);
    const last = data.at(-1);
    const next =
      rows.length > pageSize && last
        ? encodeCursor({ createdAt: last.createdAt.toISOString(), uid: last.uid })
        : null;
    return { data, next };
  }
}

export class ListStatementExceptions {
  constructor(
    private readonly identities: IdentityRepository,
    private readonly statements: StatementRepository,
  ) {}

  async execute(principal: Principal, org: string, env: string, name: string) {
    const statement = await new GetStatement(this.identities, this.statements).execute(
      principal,
      org,
      env,
      name,
    );
    return this.statements.exceptions(statement.uid, 10);
  }
}

/**
 * Result pages are numbered from 0 and immutable once written, so a page token always returns the
 * same rows. `next` is null at the end of a bounded result. Results are kept for a retention after their
 * query ends (RESULTS_EXPIRED after it); a stream a cap stopped says so (`truncation`).
 */
export class ReadStatementResults {
  constructor(
    private readonly identities: IdentityRepository,
    private readonly statements: StatementRepository,
    private readonly results: ResultStore,
    private readonly retention: { resultsRetentionMs: number },
  ) {}

  async execute(
    principal: Principal,
    org: string,
    env: string,
    name: string,
    pageToken: string | undefined,
  ): Promise<{
    rows: ResultRow[];
    next: string | null;
    statement: StatementRecord;
    truncation: ResultTruncation | null;
  }> {
    const statement = await new GetStatement(this.identities, this.statements).execute(
      principal,
      org,
      env,
      name,
    );
    if (pageToken !== undefined && !/^\d{1,9}$/.test(pageToken)) throw invalidToken();
    const page = pageToken === undefined ? 0 : Number(pageToken);
    const [, found, stream] = await Promise.all([
      this.statements.touchRead(statement.uid),
      this.results.page(statement.uid, page),
      this.results.find(statement.uid),
    ]);
    if (stream?.state === 'EXPIRED') {
      const hours = Math.round(this.retention.resultsRetentionMs / 3_600_000);
      throw new RiffleError(
        'RESULTS_EXPIRED',
        'gone',
        `The statement's results were deleted ${hours >= 1 ? `${hours} h` : 'a while'} after it ended (the results retention); run it again to see them.`,
      );
    }
    const truncation = stream?.truncation ?? null;
    if (found) return { rows: found.rows, next: found.last ? null : String(page + 1), statement, truncation };
    const finished = TERMINAL_PHASES.includes(statement.phase) || statement.phase === 'DELETING';
    if (finished) return { rows: [], next: null, statement, truncation };
    if (page === 0) {
      throw new RiffleError(
        'RESULTS_NOT_READY',
        'conflict',
        'The statement has no results yet; retry shortly.',
        {
          phase: statement.phase,
        },
      );
    }
    // more rows may still come: the caller polls the same token
    return { rows: [], next: String(page), statement, truncation };
  }
}
