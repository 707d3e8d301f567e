/**
 * How much SQL Riffle reads. The text is bounded by size here; everything else is measured by the SQL
 * analyzer with Flink's own lexer and parser (deploy/sql-analyzer), which applies these bounds when
 * Riffle asks: the lexer counts tokens and ( [ { nesting before the parser runs (a linear pass), the parse
 * has a deadline, and the walk of the parse tree a depth.
 *
 * Measured with the analyzer on this 2-core machine: a 10 KB statement parses in ~3 ms, 20,000 tokens of
 * dense SQL in ~30 ms, 1 MiB of it 0.1–0.5 s (so dense megabyte statements are refused by the token bound,
 * while a megabyte of string literals or comments is accepted). All bounds count only the text, so a
 * statement is accepted or refused the same way on every machine and under any load (but the deadline,
 * which no statement within the token bound comes near).
 */

/** DESIGN §3: statement text is at most 4 MiB of UTF-8. */
export const MAX_STATEMENT_BYTES = 4 * 1024 * 1024;

/** Words, numbers, quoted texts and punctuation; comments and whitespace are free. Hand-written statements have hundreds. */
export const MAX_SQL_TOKENS = 20_000;

/** ( [ { inside one another. */
export const MAX_SQL_NESTING = 12;

/**
 * Levels of the parse tree. Operator chains (`a OR b OR …`, `+`, `||`, UNION ALL) are left-deep trees, one
 * level per operator; Flink's validator and planner recurse through them too.
 */
export const MAX_SQL_DEPTH = 1_500;

/** What Riffle asks the analyzer to enforce. */
export const SQL_ANALYSIS_LIMITS = {
  maxTokens: MAX_SQL_TOKENS,
  maxNesting: MAX_SQL_NESTING,
  maxDepth: MAX_SQL_DEPTH,
} as const;
