import { RiffleError } from '../riffle-error';
import type { SqlResolvedTable, SqlStatementShape } from '../sql/analysis';
import type { StoredColumn } from './alter-table';
import type { FlinkColumn } from './flink-columns';
import { parseFlinkType, renderFlinkType } from './flink-type';
import { SYSTEM_COLUMNS, type TableWatermark } from './table-schema';

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
  /**
   * what only Flink can resolve (computed or metadata columns, a watermark, LIKE): the table is then made
   * from Flink's resolution of the statement (resolvedCreateTable)
   */
  resolvedByFlink?: boolean;
}

/** what CREATE TABLE keeps with the table beyond its topic and schemas (TableSettings) */
export interface CreateTableExtras {
  columns: StoredColumn[];
  watermark?: TableWatermark;
}

export const notSupportedYet = (what: string, details: Record<string, unknown> = {}) =>
  new RiffleError('NOT_SUPPORTED_YET', 'invalid', `${what} is not supported yet.`, {
    construct: what,
    ...details,
  });

/** writable Kafka metadata that Riffle's hidden system columns read, and Riffle's sinks set themselves */
const WRITTEN_BY_RIFFLE = new Set(['timestamp', 'headers']);

const invalidTable = (why: string) =>
  new RiffleError('INVALID_CATALOG_STATEMENT', 'invalid', `Riffle cannot create this table: ${why}.`);

/** CREATE TABLE [AS] from its analysis; `text` is the statement the analysis' offsets point into */
export function createTableOf(shape: SqlStatementShape, text: string): ParsedCreateTable {
  const table = shape.table;
  if (!table || !shape.kind.startsWith('CREATE TABLE')) throw new Error(`not a CREATE TABLE: ${shape.kind}`);
  if (table.temporary) throw notSupportedYet('CREATE TEMPORARY TABLE');
  const columns: FlinkColumn[] = [];
  let primaryKey: string[] | undefined;
  let resolvedByFlink = table.like !== undefined || table.watermark !== undefined;
  for (const column of table.columns ?? []) {
    if (column.kind !== 'physical') {
      const key = column.metadataKey ?? column.name;
      if (column.kind === 'metadata' && column.virtual !== true && WRITTEN_BY_RIFFLE.has(key))
        throw notSupportedYet(
          `Writing the Kafka record's ${key} through a metadata column (\`${column.name}\` METADATA without VIRTUAL)`,
          { column: column.name, hint: `Declare it VIRTUAL to read the ${key}.` },
        );
      if (shape.kind === 'CREATE TABLE AS')
        throw notSupportedYet(`The ${column.kind} column \`${column.name}\` of CREATE TABLE … AS`, {
          column: column.name,
        });
      resolvedByFlink = true;
      continue;
    }
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
    ...(resolvedByFlink ? { resolvedByFlink } : {}),
  };
  if (parsed.columns.length === 0 && parsed.query === undefined && !resolvedByFlink)
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
    table.query === undefined && !table.resolvedByFlink ? list?.find((name) => !names.has(name)) : undefined;
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

/**
 * CREATE TABLE as Flink resolved it (the SQL analyzer ran it in a session of its own and described the
 * table: the LIKE source's columns merged in, computed columns typed, the watermark resolved): the physical
 * columns, key and distribution become the topic and its schemas, the computed and metadata columns and
 * the watermark are kept with the table. Riffle's own hidden columns ($rowtime …) and the default watermark,
 * which a LIKE source brings along, stay Riffle's; the options are the statement's own (a LIKE source's are
 * the connector's, which Riffle sets).
 */
export function resolvedCreateTable(
  parsed: ParsedCreateTable,
  resolved: SqlResolvedTable,
): { table: ParsedCreateTable; extras: CreateTableExtras } {
  const system = new Set(SYSTEM_COLUMNS.map((c) => c.name));
  const canonical = (type: string, nullable: boolean) =>
    renderFlinkType({ ...parseFlinkType(type), nullable: true }) + (nullable ? '' : ' NOT NULL');
  const columns: FlinkColumn[] = [];
  const extras: StoredColumn[] = [];
  for (const column of resolved.columns ?? []) {
    if (system.has(column.name)) continue;
    if (column.kind === 'physical') {
      columns.push({ name: column.name, type: canonical(column.type, column.nullable) });
      continue;
    }
    extras.push({
      name: column.name,
      kind: column.kind,
      type: canonical(column.type, true),
      nullable: column.nullable,
      ...(column.expression !== undefined ? { expression: column.expression } : {}),
      ...(column.kind === 'metadata'
        ? { metadataKey: column.metadataKey ?? column.name, virtual: column.virtual !== false }
        : {}),
    });
  }
  const watermark = resolved.watermarks?.find((w) => !system.has(w.column));
  const primaryKey = resolved.primaryKey?.columns ?? parsed.primaryKey;
  const distributionKey = resolved.distribution?.columns.length
    ? resolved.distribution.columns
    : parsed.distributionKey;
  const buckets = resolved.distribution?.buckets ?? parsed.buckets;
  const table: ParsedCreateTable = {
    ...parsed,
    columns,
    ...(primaryKey ? { primaryKey } : {}),
    ...(distributionKey ? { distributionKey } : {}),
    ...(buckets !== undefined ? { buckets } : {}),
  };
  delete table.resolvedByFlink;
  if (table.columns.length === 0)
    throw new RiffleError('TABLE_WITHOUT_COLUMNS', 'invalid', 'A table needs at least one physical column.');
  checkColumnNames(table);
  return {
    table,
    extras: {
      columns: extras,
      ...(watermark ? { watermark: { column: watermark.column, expression: watermark.expression } } : {}),
    },
  };
}
