import type { SqlStatementContext } from 'dt-sql-parser/dist/lib/flink/FlinkSqlParser';
import type { ExecutionMode } from '../statements/statement';
import { findLexicalProblems } from './flink-lexical-checks';
import { type LexedToken, type ParsedFlinkSql, parseFlinkSql } from './parse-flink-sql';
import {
  MAX_STATEMENT_BYTES,
  sqlEmptyError,
  sqlMultipleStatementsError,
  sqlSyntaxError,
  sqlTooComplexError,
  sqlTooLargeError,
} from './sql-errors';
import { hintsOf, isHint, propertiesOf, type SqlProperty } from './statement-properties';
import { EXECUTION_MODE_BY_KIND, type SqlKind, sqlKindOf } from './statement-kind';
import { tableReferencesOf } from './table-references';

export interface StatementClassification {
  sqlKind: SqlKind;
  mode: ExecutionMode;
  /** tables read and written as written by the user, e.g. ["orders"], ["cat.db.t"] */
  tablesRead: string[];
  tablesWritten: string[];
  /** the statement without trailing semicolon/whitespace (and without comments before or after it) */
  normalized: string;
  /** keys set by SET/RESET and by WITH (…) options, for the security policy (DESIGN §7) */
  properties: SqlProperty[];
  /** `/*+ … *\/` hints as written, for the security policy; the grammar itself ignores them */
  hints: string[];
}

/**
 * Checks that `sql` is exactly one Flink SQL statement that dt-sql-parser's Flink grammar accepts, and says
 * what kind it is, which tables it touches and what it sets. Throws RiffleError: SQL_TOO_LARGE, SQL_EMPTY,
 * SQL_SYNTAX_ERROR, SQL_MULTIPLE_STATEMENTS, SQL_TOO_COMPLEX. Whether the statement is *allowed* is for the
 * security policy to decide from the classification.
 */
export function classifyStatement(sql: string): StatementClassification {
  const sizeBytes = Buffer.byteLength(sql, 'utf8');
  if (sizeBytes > MAX_STATEMENT_BYTES) throw sqlTooLargeError(sizeBytes);
  if (sql.trim() === '') throw sqlEmptyError();

  try {
    const parsed = parseFlinkSql(sql);
    const lexicalProblems = findLexicalProblems(parsed.tokens, sql);
    // a lexical problem is the root cause; the parser's complaints about the same spot only confuse
    const problems = lexicalProblems.length > 0 ? lexicalProblems : parsed.parserProblems;
    if (problems.length > 0) throw sqlSyntaxError(problems);
    return describeStatement(onlyStatementOf(parsed), parsed);
  } catch (error) {
    if (error instanceof RangeError) throw sqlTooComplexError();
    throw error;
  }
}

function onlyStatementOf(parsed: ParsedFlinkSql): SqlStatementContext {
  const statements = parsed.program
    .singleStatement()
    .map((single) => single.sqlStatement())
    .filter((statement) => statement !== null);
  const [first, second] = statements;
  if (first === undefined) throw sqlEmptyError();
  if (second !== undefined) {
    const column = (second.start?.column ?? 0) + 1;
    throw sqlMultipleStatementsError(statements.length, { line: second.start?.line ?? 1, column });
  }
  return first;
}

function describeStatement(statement: SqlStatementContext, parsed: ParsedFlinkSql): StatementClassification {
  const sqlKind = sqlKindOf(statement);
  const tokens = tokensOfStatement(parsed.tokens, statement);
  const [first, last] = [tokens[0], tokens.at(-1)];
  return {
    sqlKind,
    mode: EXECUTION_MODE_BY_KIND[sqlKind],
    ...tableReferencesOf(statement, sqlKind),
    normalized: first === undefined || last === undefined ? '' : parsed.sourceBetween(first, last),
    properties: propertiesOf(statement),
    hints: hintsOf(tokens),
  };
}

/**
 * From the statement's first token to its last, comments inside included, and on to a hint right after the
 * last token (`SELECT * FROM t /*+ OPTIONS(…) *\/`): the grammar leaves that outside the rule, Flink does not.
 */
function tokensOfStatement(
  tokens: readonly LexedToken[],
  statement: SqlStatementContext,
): readonly LexedToken[] {
  const first = statement.start?.tokenIndex ?? 0;
  let last = statement.stop?.tokenIndex ?? first;
  for (let next = last + 1; ; next += 1) {
    const token = tokens[next];
    if (token === undefined || !token.hidden) break;
    if (isHint(token)) last = next;
  }
  return tokens.slice(first, last + 1);
}
