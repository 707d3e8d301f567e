import type { SqlStatementContext } from 'dt-sql-parser/dist/lib/flink/FlinkSqlParser';
import type { ExecutionMode } from '../statements/statement';
import { PredictionBudgetExceeded } from './bounded-prediction';
import { findLexicalProblems } from './flink-lexical-checks';
import { bridgeGrammarGaps, type GrammarBridge } from './grammar-bridge';
import { type LexedToken, type ParsedFlinkSql, parseFlinkSql, parseTreeDepth } from './parse-flink-sql';
import { scanSqlText, type SqlTextScan } from './scan-sql-text';
import {
  sqlEmptyError,
  sqlMultipleStatementsError,
  sqlSyntaxError,
  sqlTooComplexError,
  sqlTooLargeError,
} from './sql-errors';
import {
  MAX_FULL_CONTEXT_CONFIGS,
  MAX_LL_RETRY_TOKENS,
  MAX_PARSE_TREE_DEPTH,
  MAX_PREDICTION_CLOSURES,
  MAX_PREDICTION_STEPS,
  MAX_SQL_NESTING,
  MAX_SQL_TOKENS,
  MAX_STATEMENT_BYTES,
} from './sql-limits';
import { hintsOf, isHint, propertiesOf, type SqlProperty } from './statement-properties';
import { EXECUTION_MODE_BY_KIND, type SqlKind, sqlKindOf } from './statement-kind';
import { tableReferencesOf } from './table-references';

const PARSE_LIMITS = {
  prediction: {
    steps: MAX_PREDICTION_STEPS,
    closures: MAX_PREDICTION_CLOSURES,
    fullContextConfigs: MAX_FULL_CONTEXT_CONFIGS,
  },
  maxLlRetryTokens: MAX_LL_RETRY_TOKENS,
};

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
  /** Flink syntax the grammar does not know that was recognised and bridged (grammar-bridge.ts) */
  bridge?: GrammarBridge;
}

/**
 * Checks that `sql` is exactly one Flink SQL statement that dt-sql-parser's Flink grammar accepts, and says
 * what kind it is, which tables it touches and what it sets. Throws RiffleError: SQL_TOO_LARGE, SQL_EMPTY,
 * SQL_TOO_COMPLEX, SQL_SYNTAX_ERROR, SQL_MULTIPLE_STATEMENTS. Whether the statement is *allowed* is for the
 * security policy (policy/check-statement-policy.ts) to decide.
 */
export function classifyStatement(sql: string): StatementClassification {
  return analyzeStatement(sql).classification;
}

/** A classification with the parse it came from, for the security policy. */
export interface AnalyzedStatement {
  classification: StatementClassification;
  statement: SqlStatementContext;
  /** the statement's tokens, comments included */
  tokens: readonly LexedToken[];
  scan: SqlTextScan;
}

/**
 * classifyStatement, keeping the parse tree and the text scan; `beforeParse` may refuse the text from its
 * scan before the parser sees it.
 */
export function analyzeStatement(sql: string, beforeParse?: (scan: SqlTextScan) => void): AnalyzedStatement {
  const sizeBytes = Buffer.byteLength(sql, 'utf8');
  if (sizeBytes > MAX_STATEMENT_BYTES) throw sqlTooLargeError(sizeBytes);
  if (sql.trim() === '') throw sqlEmptyError();
  const scan = scanSqlText(sql);
  beforeParse?.(scan);
  if (scan.maxNesting > MAX_SQL_NESTING) {
    throw sqlTooComplexError({ measure: 'nesting', limit: MAX_SQL_NESTING, actual: scan.maxNesting });
  }
  if (scan.tokenCount > MAX_SQL_TOKENS) {
    throw sqlTooComplexError({ measure: 'tokens', limit: MAX_SQL_TOKENS, actual: scan.tokenCount });
  }

  const bridged = bridgeGrammarGaps(sql, scan.leadingWords);
  try {
    const parsed = parseFlinkSql(bridged.text, PARSE_LIMITS);
    const lexicalProblems = findLexicalProblems(parsed.tokens, bridged.text);
    // a lexical problem is the root cause; the parser's complaints about the same spot only confuse
    const problems = lexicalProblems.length > 0 ? lexicalProblems : parsed.parserProblems;
    if (problems.length > 0) throw sqlSyntaxError(problems);
    const statement = onlyStatementOf(parsed);
    if (parseTreeDepth(statement) > MAX_PARSE_TREE_DEPTH) {
      throw sqlTooComplexError({ measure: 'parse_tree_depth', limit: MAX_PARSE_TREE_DEPTH });
    }
    const tokens = tokensOfStatement(parsed.tokens, statement);
    const classification = describeStatement(statement, tokens, parsed, sql, bridged.bridge);
    return { classification, statement, tokens, scan };
  } catch (error) {
    if (error instanceof PredictionBudgetExceeded) {
      const closures = error.exceeded === 'closures';
      throw sqlTooComplexError({
        measure: closures ? 'lookahead_work' : 'prediction_steps',
        limit: closures ? MAX_PREDICTION_CLOSURES : MAX_PREDICTION_STEPS,
      });
    }
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

function describeStatement(
  statement: SqlStatementContext,
  tokens: readonly LexedToken[],
  parsed: ParsedFlinkSql,
  original: string,
  bridge: GrammarBridge | undefined,
): StatementClassification {
  if (bridge?.kind === 'alter-table-watermark') {
    // the grammar saw the expression as a SELECT (grammar-bridge.ts); the statement alters the table
    const [first, last] = [tokens[0], tokens.at(-1)];
    return {
      sqlKind: 'ALTER_TABLE',
      mode: EXECUTION_MODE_BY_KIND.ALTER_TABLE,
      tablesRead: [],
      tablesWritten: [bridge.table],
      normalized: first && last ? [...original].slice(first.start, last.stop + 1).join('') : '',
      properties: [],
      hints: hintsOf(tokens),
      bridge,
    };
  }
  const sqlKind = sqlKindOf(statement);
  const [first, last] = [tokens[0], tokens.at(-1)];
  const properties = propertiesOf(statement);
  let normalized = first === undefined || last === undefined ? '' : parsed.sourceBetween(first, last);
  if (bridge && first !== undefined && last !== undefined) {
    // the bridged text has the original's offsets (in code points): keep what the user wrote
    normalized = [...original].slice(first.start, last.stop + 1).join('');
  }
  return {
    sqlKind,
    mode: EXECUTION_MODE_BY_KIND[sqlKind],
    ...tableReferencesOf(statement, sqlKind),
    normalized,
    properties:
      bridge?.kind === 'alter-table-reset'
        ? properties.map((p) => (p.source === 'OPTIONS' ? { ...p, source: 'RESET_OPTIONS' as const } : p))
        : properties,
    hints: hintsOf(tokens),
    ...(bridge ? { bridge } : {}),
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
