import { RiffleError } from '../riffle-error';

/** DESIGN §3: statement text is at most 4 MiB of UTF-8. */
export const MAX_STATEMENT_BYTES = 4 * 1024 * 1024;

/** Enough to point at the cause; later errors are mostly consequences of the first. */
const MAX_REPORTED_SYNTAX_PROBLEMS = 10;

/** 1-based; columns count Unicode code points, as the parser does. */
export interface SqlPosition {
  line: number;
  column: number;
}

/** One thing wrong with the SQL text. */
export interface SqlSyntaxProblem extends SqlPosition {
  message: string;
}

export function sqlEmptyError(): RiffleError {
  return new RiffleError(
    'SQL_EMPTY',
    'invalid',
    'spec.statement has no SQL in it, only whitespace or comments.',
  );
}

export function sqlTooLargeError(sizeBytes: number): RiffleError {
  return new RiffleError(
    'SQL_TOO_LARGE',
    'too_large',
    `spec.statement is ${sizeBytes} bytes of UTF-8; the limit is ${MAX_STATEMENT_BYTES} bytes (4 MiB).`,
    { size_bytes: sizeBytes, limit_bytes: MAX_STATEMENT_BYTES },
  );
}

/** `problems` must be non-empty; the earliest one names the error. */
export function sqlSyntaxError(problems: readonly SqlSyntaxProblem[]): RiffleError {
  const ordered = [...problems].sort((a, b) => a.line - b.line || a.column - b.column);
  const first = ordered[0];
  if (first === undefined) throw new Error('sqlSyntaxError needs at least one problem');
  return new RiffleError(
    'SQL_SYNTAX_ERROR',
    'invalid',
    `Syntax error at line ${first.line}, column ${first.column}: ${first.message}`,
    { line: first.line, column: first.column, errors: ordered.slice(0, MAX_REPORTED_SYNTAX_PROBLEMS) },
  );
}

/** dt-sql-parser recurses once per nesting level; very deep nesting exhausts the stack. */
export function sqlTooComplexError(): RiffleError {
  return new RiffleError(
    'SQL_TOO_COMPLEX',
    'invalid',
    'spec.statement is nested too deeply to parse (parentheses, subqueries, CASE or operators inside one ' +
      'another); flatten it, for example with a WITH clause.',
  );
}

export function sqlMultipleStatementsError(statementCount: number, secondStart: SqlPosition): RiffleError {
  return new RiffleError(
    'SQL_MULTIPLE_STATEMENTS',
    'invalid',
    `spec.statement holds ${statementCount} statements; send one per request (the second starts at line ` +
      `${secondStart.line}, column ${secondStart.column}). To run several INSERTs as one job, wrap them in ` +
      'EXECUTE STATEMENT SET BEGIN … END.',
    { statement_count: statementCount, line: secondStart.line, column: secondStart.column },
  );
}
