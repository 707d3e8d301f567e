import { RiffleError } from '../riffle-error';
import { MAX_STATEMENT_BYTES } from './sql-limits';

export { MAX_STATEMENT_BYTES };

/** Enough to point at the cause; later errors are mostly consequences of the first. */
const MAX_REPORTED_SYNTAX_PROBLEMS = 10;

/** 1-based; columns count characters (UTF-16 code units, a tab as one), as Flink's parser does. */
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

/** What made a statement too complex to parse, and the bound it exceeded (see sql-limits.ts). */
export interface SqlComplexity {
  measure: 'nesting' | 'tokens' | 'depth' | 'parse_time' | 'stack';
  limit?: number;
  actual?: number;
}

const COMPLEXITY_ADVICE: Readonly<Record<SqlComplexity['measure'], string>> = {
  nesting: 'has too many parentheses or brackets inside one another',
  tokens: 'has too many words, numbers and symbols',
  depth: 'chains too many operators or UNIONs one after another, or nests too deeply',
  parse_time: 'takes too long to parse',
  stack: 'is nested too deeply to parse',
};

/** Refused before or while parsing, so that no statement can keep the parser busy for long. */
export function sqlTooComplexError(complexity: SqlComplexity = { measure: 'stack' }): RiffleError {
  const { limit, actual } = complexity;
  const bound =
    limit === undefined ? '' : actual === undefined ? ` (over ${limit})` : ` (${actual}; at most ${limit})`;
  return new RiffleError(
    'SQL_TOO_COMPLEX',
    'invalid',
    `spec.statement ${COMPLEXITY_ADVICE[complexity.measure]}${bound}; split it up or flatten it, for ` +
      'example with WITH clauses, views or shorter lists.',
    { ...complexity },
  );
}

/**
 * Flink's validator refused the statement (an unknown column, table or function, a type error, an invalid
 * join …): its message and, where Flink knows it, the span.
 */
export function sqlValidationError(
  message: string,
  position: Partial<SqlPosition & { endLine: number; endColumn: number }> = {},
): RiffleError {
  const at = position.line === undefined ? '' : ` at line ${position.line}, column ${position.column}`;
  return new RiffleError('SQL_VALIDATION_ERROR', 'invalid', `Flink refuses the statement${at}: ${message}`, {
    ...position,
    flink_message: message,
  });
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
