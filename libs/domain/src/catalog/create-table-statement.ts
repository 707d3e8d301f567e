import { RiffleError } from '../riffle-error';
import type { SqlStatementShape } from '../sql/analysis';
import type { FlinkColumn } from './flink-columns';
import { parseFlinkType, renderFlinkType } from './flink-type';

/**
 * `CREATE TABLE` as Riffle runs it (DESIGN §4), read from Flink's own analysis of the statement: the parts
 * that become a topic and its schemas.
 *
 * ```
 * CREATE TABLE [IF NOT EXISTS] [catalog.][database.]name [(
 *   column type [NOT NULL] [PRIMARY KEY NOT ENFORCED] [COMMENT '…'], …
 *   [, [CONSTRAINT c] PRIMARY KEY (column, …) NOT ENFORCED]
 * )]
 * [COMMENT '…']
 * [DISTRIBUTED BY [HASH] (column, …) [INTO n BUCKETS] | DISTRIBUTED INTO n BUCKETS]
 * [PARTITIONED BY (column, …)]
 * [WITH ('key' = 'value', …)]
 * [AS query]
 * ```
 *
 * Column types are canonicalised with `parseFlinkType` (`INTEGER` → `INT`, `VARCHAR(2147483647)` →
 * `STRING` …). `PARTITIONED BY` is read as the distribution key (the older spelling of `DISTRIBUTED BY`).
 * What Riffle does not carry yet (tableDdlRefusal) is refused when the statement is submitted.
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
  new RiffleError('NOT_SUPPORTED_YET', 'invalid', `${what} is not supported yet.`, {
    construct: what,
    ...details,
  });

const invalidTable = (why: string) =>
  new RiffleError('INVALID_CATALOG_STATEMENT', 'invalid', `Riffle cannot create this table: ${why}.`);

/** CREATE TABLE [AS] from its analysis; `text` is the statement the analysis' offsets point into */
export function createTableOf(shape: SqlStatementShape, text: string): ParsedCreateTable {
  const table = shape.table;
  if (!table || !shape.kind.startsWith('CREATE TABLE')) throw new Error(`not a CREATE TABLE: ${shape.kind}`);
  if (table.temporary) throw notSupportedYet('CREATE TEMPORARY TABLE');
  if (table.like) throw notSupportedYet('CREATE TABLE … LIKE');
  if (table.watermark)
    throw notSupportedYet(
      "A custom watermark in CREATE TABLE (every table has `$rowtime` with the watermark `$rowtime` - INTERVAL '5' SECOND; set another with ALTER TABLE … MODIFY WATERMARK)",
    );
  const columns: FlinkColumn[] = [];
  let primaryKey: string[] | undefined;
  for (const column of table.columns ?? []) {
    if (column.kind === 'computed')
      throw notSupportedYet(`The computed column \`${column.name}\``, { column: column.name });
    if (column.kind === 'metadata')
      throw notSupportedYet(`The metadata column \`${column.name}\``, { column: column.name });
    const type = parseFlinkType(column.type ?? '');
    columns.push({
      name: column.name,
      type: renderFlinkType({ ...type, nullable: column.nullable !== false }),
    });
    if (column.primaryKey) primaryKey = [column.name];
  }
  for (const constraint of table.constraints ?? []) {
    if (!constraint.primaryKey) throw notSupportedYet('A UNIQUE constraint');
    if (constraint.enforced) throw invalidTable('Flink supports only PRIMARY KEY … NOT ENFORCED');
    if (primaryKey && constraint.columns.join() !== primaryKey.join())
      throw invalidTable('a table has at most one PRIMARY KEY');
    primaryKey = constraint.columns;
  }
  const distribution = table.distribution;
  if (distribution?.kind === 'RANGE')
    throw notSupportedYet('DISTRIBUTED BY RANGE (topics partition by hash)');
  const distributionKey = distribution?.columns.length
    ? distribution.columns
    : table.partitionedBy?.length
      ? table.partitionedBy
      : undefined;
  const parsed: ParsedCreateTable = {
    path: table.path,
    ifNotExists: table.ifNotExists === true,
    columns,
    options: { ...(table.options ?? {}) },
    ...(primaryKey ? { primaryKey } : {}),
    ...(distributionKey ? { distributionKey } : {}),
    ...(distribution?.buckets !== undefined ? { buckets: distribution.buckets } : {}),
    ...(table.comment !== undefined ? { comment: table.comment } : {}),
    ...(shape.query ? { query: text.slice(shape.query.start, shape.query.end) } : {}),
  };
  if (parsed.columns.length === 0 && parsed.query === undefined)
    throw new RiffleError('TABLE_WITHOUT_COLUMNS', 'invalid', 'A table needs at least one column.');
  checkColumnNames(parsed);
  return parsed;
}

function checkColumnNames(table: ParsedCreateTable): void {
  const names = new Set<string>();
  for (const { name } of table.columns) {
    if (names.has(name)) throw invalidTable(`the column \`${name}\` is declared twice`);
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
      { column: missing },
    );
  }
}
