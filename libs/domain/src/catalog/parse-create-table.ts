import { RiffleError } from '../riffle-error';
import type { FlinkColumn } from './flink-columns';
import { parseFlinkType, renderFlinkType } from './flink-type';
import { invalidCatalogSql, type SqlToken, SqlTokens } from './sql-tokens';

/**
 * `CREATE TABLE` as Riffle runs it (DESIGN §4): the parts that become a topic and its schemas.
 *
 * ```
 * CREATE TABLE [IF NOT EXISTS] [catalog.][database.]name (
 *   column type [NOT NULL] [PRIMARY KEY NOT ENFORCED] [COMMENT '…'], …
 *   [, [CONSTRAINT c] PRIMARY KEY (column, …) NOT ENFORCED]
 * )
 * [COMMENT '…']
 * [DISTRIBUTED BY [HASH] (column, …) [INTO n BUCKETS] | DISTRIBUTED INTO n BUCKETS]
 * [PARTITIONED BY (column, …)]
 * [WITH ('key' = 'value', …)]
 * [AS query]
 * ```
 *
 * Clauses are accepted in any order. Column types are checked and canonicalised with `parseFlinkType`
 * (`INTEGER` → `INT`, `VARCHAR(2147483647)` → `STRING` …). Computed and metadata columns, custom watermarks,
 * `LIKE` and temporary tables are NOT_SUPPORTED_YET: every Riffle table already has `$rowtime` with a
 * watermark and the metadata columns. `PARTITIONED BY` is read as the distribution key (older spelling of
 * `DISTRIBUTED BY`, which dt-sql-parser 4.5's grammar does not know yet).
 */
export interface ParsedCreateTable {
  /** the table path as written, unquoted: `[t]`, `[db, t]`, `[cat, db, t]` */
  path: string[];
  ifNotExists: boolean;
  columns: FlinkColumn[];
  primaryKey?: string[];
  /** the key columns of `DISTRIBUTED BY (…)` / `PARTITIONED BY (…)` */
  distributionKey?: string[];
  /** `INTO n BUCKETS` */
  buckets?: number;
  options: Record<string, string>;
  comment?: string;
  /** CREATE TABLE … AS: the query text */
  query?: string;
}

export const notSupportedYet = (what: string, details: Record<string, unknown> = {}) =>
  new RiffleError('NOT_SUPPORTED_YET', 'invalid', `${what} is not supported yet.`, details);

export function parseCreateTable(sql: string): ParsedCreateTable {
  const tokens = new SqlTokens(sql);
  tokens.expectWords('CREATE');
  if (tokens.isWords('TEMPORARY')) throw notSupportedYet('CREATE TEMPORARY TABLE');
  tokens.expectWords('TABLE');
  const ifNotExists = tokens.acceptWords('IF', 'NOT', 'EXISTS');
  const path = tokens.path();
  const table: ParsedCreateTable = { path, ifNotExists, columns: [], options: {} };
  if (tokens.isSymbol('(')) tableElements(tokens, table);
  while (!tokens.atEnd()) {
    if (tokens.acceptWords('COMMENT')) table.comment = tokens.string();
    else if (tokens.acceptWords('DISTRIBUTED')) distribution(tokens, table);
    else if (tokens.acceptWords('PARTITIONED', 'BY')) table.distributionKey = tokens.identifierList();
    else if (tokens.acceptWords('WITH')) table.options = options(tokens);
    else if (tokens.isWords('LIKE')) throw notSupportedYet('CREATE TABLE … LIKE');
    else if (tokens.acceptWords('AS')) {
      table.query = tokens.rest();
      tokens.skipToEnd();
    } else throw tokens.unexpected('COMMENT, DISTRIBUTED BY, PARTITIONED BY, WITH or AS');
  }
  if (table.columns.length === 0 && table.query === undefined) {
    throw new RiffleError('TABLE_WITHOUT_COLUMNS', 'invalid', 'A table needs at least one column.');
  }
  checkColumnNames(table);
  return table;
}

function tableElements(tokens: SqlTokens, table: ParsedCreateTable): void {
  tokens.expectSymbol('(');
  if (tokens.acceptSymbol(')')) return;
  do {
    if (tokens.isWords('WATERMARK')) {
      throw notSupportedYet(
        "A custom watermark (every table has `$rowtime` with the watermark `$rowtime` - INTERVAL '5' SECOND)",
      );
    }
    if (tokens.isWords('PRIMARY', 'KEY') || tokens.isWords('CONSTRAINT')) {
      if (tokens.acceptWords('CONSTRAINT')) tokens.identifier('a constraint name');
      tokens.expectWords('PRIMARY', 'KEY');
      setPrimaryKey(table, tokens.identifierList());
      notEnforced(tokens);
    } else column(tokens, table);
  } while (tokens.acceptSymbol(','));
  tokens.expectSymbol(')');
}

const COLUMN_CLAUSES = new Set(['COMMENT', 'PRIMARY', 'CONSTRAINT', 'METADATA']);

function column(tokens: SqlTokens, table: ParsedCreateTable): void {
  const name = tokens.identifier('a column name');
  if (tokens.isWords('AS')) throw notSupportedYet(`The computed column \`${name}\``, { column: name });
  const typeTokens: SqlToken[] = [];
  let depth = 0;
  for (let token = tokens.peek(); token; token = tokens.peek()) {
    const symbol = token.kind === 'symbol' ? token.value : undefined;
    if (depth === 0 && (symbol === ',' || symbol === ')')) break;
    if (depth === 0 && token.kind === 'word' && COLUMN_CLAUSES.has(token.value)) break;
    if (symbol === '<' || symbol === '(') depth++;
    if (symbol === '>' || symbol === ')') depth--;
    typeTokens.push(tokens.next());
  }
  const first = typeTokens[0];
  const last = typeTokens.at(-1);
  if (!first || !last) throw tokens.unexpected(`the type of column \`${name}\``);
  const text = tokens.sql.slice(first.start, last.end);
  const type = renderFlinkType(parseFlinkType(text));
  for (;;) {
    if (tokens.isWords('METADATA'))
      throw notSupportedYet(`The metadata column \`${name}\``, { column: name });
    if (tokens.acceptWords('COMMENT')) tokens.string();
    else if (tokens.isWords('PRIMARY', 'KEY') || tokens.isWords('CONSTRAINT')) {
      if (tokens.acceptWords('CONSTRAINT')) tokens.identifier('a constraint name');
      tokens.expectWords('PRIMARY', 'KEY');
      setPrimaryKey(table, [name]);
      notEnforced(tokens);
    } else break;
  }
  table.columns.push({ name, type });
}

function notEnforced(tokens: SqlTokens): void {
  if (!tokens.acceptWords('NOT', 'ENFORCED')) {
    throw invalidCatalogSql('Flink supports only PRIMARY KEY … NOT ENFORCED');
  }
}

function setPrimaryKey(table: ParsedCreateTable, columns: string[]): void {
  if (table.primaryKey) throw invalidCatalogSql('a table has at most one PRIMARY KEY');
  table.primaryKey = columns;
}

function distribution(tokens: SqlTokens, table: ParsedCreateTable): void {
  if (tokens.acceptWords('BY')) {
    if (tokens.isWords('RANGE')) throw notSupportedYet('DISTRIBUTED BY RANGE (topics partition by hash)');
    tokens.acceptWords('HASH');
    table.distributionKey = tokens.identifierList();
    if (!tokens.acceptWords('INTO')) return;
  } else tokens.expectWords('INTO');
  const buckets = tokens.integer('a number of buckets');
  tokens.expectWords('BUCKETS');
  table.buckets = buckets;
}

function options(tokens: SqlTokens): Record<string, string> {
  const options: Record<string, string> = {};
  tokens.expectSymbol('(');
  if (tokens.acceptSymbol(')')) return options;
  do {
    const key = tokens.string('an option name in quotes');
    tokens.expectSymbol('=');
    if (key in options) throw invalidCatalogSql(`the option '${key}' is set twice`);
    options[key] = tokens.string(`the value of '${key}' in quotes`);
  } while (tokens.acceptSymbol(','));
  tokens.expectSymbol(')');
  return options;
}

function checkColumnNames(table: ParsedCreateTable): void {
  const names = new Set<string>();
  for (const { name } of table.columns) {
    if (names.has(name)) throw invalidCatalogSql(`the column \`${name}\` is declared twice`);
    names.add(name);
  }
  const unknown = (list: string[] | undefined) =>
    table.query === undefined ? list?.find((name) => !names.has(name)) : undefined;
  const missing = unknown(table.primaryKey) ?? unknown(table.distributionKey);
  if (missing !== undefined) {
    throw new RiffleError(
      'UNKNOWN_KEY_COLUMN',
      'invalid',
      `The key column \`${missing}\` is not a column of the table.`,
      {
        column: missing,
      },
    );
  }
}
