import type { ExecutionMode } from '../statements/statement';
import type { SqlAnalysis, SqlAnalysisAnswer, SqlAnalysisError, SqlReference } from './analysis';
import {
  sqlEmptyError,
  sqlMultipleStatementsError,
  sqlSyntaxError,
  sqlTooComplexError,
  sqlTooLargeError,
  type SqlComplexity,
} from './sql-errors';
import { MAX_STATEMENT_BYTES } from './sql-limits';
import { EXECUTION_MODE_BY_KIND, type SqlKind, sqlKindOf } from './statement-kind';

/** What Riffle stores about a statement it accepted, all of it from Flink's own reading (SqlAnalysis). */
export interface StatementClassification {
  sqlKind: SqlKind;
  mode: ExecutionMode;
  /** tables (and views) read, by their parts as written: [["orders"], ["cat", "db", "t"]], once each */
  tablesRead: string[][];
  /** tables (and views) created, changed, dropped or written */
  tablesWritten: string[][];
  /** the statement without comments, whitespace and semicolons around it */
  normalized: string;
  /** Flink's analysis of `normalized` (its offsets rebased onto it) */
  analysis: SqlAnalysis;
}

/** Refused before any parser reads it: more than 4 MiB of UTF-8, or nothing but whitespace. */
export function checkStatementText(sql: string): void {
  const sizeBytes = Buffer.byteLength(sql, 'utf8');
  if (sizeBytes > MAX_STATEMENT_BYTES) throw sqlTooLargeError(sizeBytes);
  if (sql.trim() === '') throw sqlEmptyError();
}

/**
 * The classification of one statement from the analyzer's answer; throws what Flink's parser refused it
 * for: SQL_EMPTY, SQL_SYNTAX_ERROR (line and column), SQL_MULTIPLE_STATEMENTS, SQL_TOO_COMPLEX. Whether the
 * statement is *allowed* is for the policy (policy/check-statement-policy.ts).
 */
export function classifyStatement(sql: string, answer: SqlAnalysisAnswer): StatementClassification {
  if (answer.error) throw parseError(answer.error);
  const analysis = answer.analysis;
  if (!analysis) throw sqlEmptyError();
  const sqlKind = sqlKindOf(analysis);
  return {
    sqlKind,
    mode: EXECUTION_MODE_BY_KIND[sqlKind],
    ...tablesOf(analysis),
    normalized: sql.slice(analysis.text.start, analysis.text.end),
    analysis: rebase(analysis),
  };
}

function parseError(error: SqlAnalysisError) {
  const position = { line: error.line ?? 1, column: error.column ?? 1 };
  switch (error.kind) {
    case 'empty':
      return sqlEmptyError();
    case 'multiple_statements':
      return sqlMultipleStatementsError(error.count ?? 2, position);
    case 'too_complex':
      return sqlTooComplexError({
        measure: (error.measure ?? 'stack') as SqlComplexity['measure'],
        ...(error.limit === undefined ? {} : { limit: error.limit }),
      });
    case 'syntax': {
      const expected = error.expected?.length ? ` (expected one of ${error.expected.join(', ')} …)` : '';
      return sqlSyntaxError([{ ...position, message: `${error.message}${expected}` }]);
    }
  }
}

const READS = new Set(['read', 'describe', 'like']);
const WRITES = new Set(['write', 'create', 'alter', 'drop']);

/**
 * Tables (and views) a statement reads and writes. EXPLAIN runs nothing: every table it names counts as
 * read. SHOW COLUMNS FROM t and DESCRIBE t read t.
 */
export function tablesOf(analysis: SqlAnalysis): { tablesRead: string[][]; tablesWritten: string[][] } {
  const tables = analysis.references.filter((r) => r.type === 'TABLE' || r.type === 'VIEW');
  const explain = analysis.kind === 'EXPLAIN';
  const read = tables.filter(
    (r) => READS.has(r.use) || (r.type === 'TABLE' && r.use === 'show') || (explain && r.use === 'write'),
  );
  const written = explain ? [] : tables.filter((r) => WRITES.has(r.use));
  return { tablesRead: distinct(read), tablesWritten: distinct(written) };
}

function distinct(references: readonly SqlReference[]): string[][] {
  const seen = new Map<string, string[]>();
  for (const { path } of references) seen.set(JSON.stringify(path), path);
  return [...seen.values()];
}

/** offsets relative to the statement's own text (what is stored), not to what was sent */
function rebase(analysis: SqlAnalysis): SqlAnalysis {
  const shift = analysis.text.start;
  const range = (r: { start: number; end: number }) => ({ start: r.start - shift, end: r.end - shift });
  return {
    ...analysis,
    text: range(analysis.text),
    ...(analysis.query ? { query: range(analysis.query) } : {}),
  };
}
