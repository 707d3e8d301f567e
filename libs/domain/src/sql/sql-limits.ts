/**
 * How much SQL Riffle parses. dt-sql-parser 4.5's Flink grammar is slow on some shapes, so text is bounded
 * before parsing (counts from one linear pass, scan-sql-text.ts), while parsing (lookahead metered inside
 * the parser, bounded-prediction.ts) and after it (parse-tree depth, before any recursive walk).
 *
 * Measured with dt-sql-parser as shipped, on this 2-core machine (shared: load average 3–6 while measuring,
 * so expect about half on an idle one): 1 MiB of `SELECT a,b,c FROM t UNION ALL …` overflowed the stack
 * after 1.4 s; `f(1 + f(1 + …))` took 0.6 s at 5 levels, 12 s at 7, minutes at 20 (exponential); 20,000
 * select items 54 s (quadratic); 200 nested parentheses 0.4 s, 1,000 3.6 s; a 4 MiB string literal 2 s.
 * With bounded-prediction.ts, source-char-stream.ts and these bounds, the slowest statements accepted take
 * about 1 s there (3,300 CASE branches; 400,000 closures of new lookahead), refusals at most as long.
 * All bounds but MAX_PREDICTION_CLOSURES count only the text: a statement is accepted or refused the same way
 * on every machine and under any load.
 */

/** DESIGN §3: statement text is at most 4 MiB of UTF-8 (a 4 MiB comment or string takes ~0.25 s). */
export const MAX_STATEMENT_BYTES = 4 * 1024 * 1024;

/**
 * Words, numbers, quoted texts and punctuation characters; comments and whitespace are free. Building the
 * parse tree costs 10–40 µs a token: at this size the costliest linear shapes (a 10,000-value IN list,
 * 3,300 CASE branches, 2,400 `UPPER(c) AS u` items) take 0.3–0.9 s. Hand-written statements have hundreds.
 */
export const MAX_SQL_TOKENS = 20_000;

/** ( [ { inside one another; 200 levels are refused at once instead of parsed. */
export const MAX_SQL_NESTING = 12;

/**
 * Tokens the parser looks at while choosing between alternatives, summed over the statement (~150 ns each).
 * Ordinary statements need a few per token; the shapes the grammar predicts quadratically reach it first:
 * a chain of 1,800 `+` needs 3.2 M.
 */
export const MAX_PREDICTION_STEPS = 3_000_000;

/**
 * ATN closures: the work of building lookahead (DFA states) for shapes the process has not parsed before,
 * 2–4 µs each, about 1–1.5 s in all. The first complex statement of a fresh process needs ~200,000; an
 * expression nested 8 deep in a shape never seen 120,000–310,000, 10 deep more than this (so it is refused
 * until the process has seen similar ones: states built before a refusal are kept); a shape once seen needs
 * none. This is the one bound that depends on the process's history (never on the machine or its load).
 */
export const MAX_PREDICTION_CLOSURES = 400_000;

/**
 * Full-context (LL) lookahead of the second attempt at a statement the first (SLL) rejected
 * (parse-flink-sql.ts), in parser states carried (~20 µs each): one `price * ROUND(x, 2)` ending a select
 * item needs ~3,500.
 */
export const MAX_FULL_CONTEXT_CONFIGS = 30_000;

/** Statements of more tokens than this get no second (LL) attempt; SLL's syntax errors stand. */
export const MAX_LL_RETRY_TOKENS = 2_000;

/**
 * Levels of the parse tree. Left-recursive rules (UNION, AND, OR, +, ||) add one per operator and listeners
 * walk the tree recursively; at about 10,000 levels the stack runs out (3,000 ORs pass, 4,500 do not).
 */
export const MAX_PARSE_TREE_DEPTH = 4_000;
