import { RiffleError } from '../riffle-error';
import { CLEANUP_POLICIES, durationMs, messageBytes, retentionBytes } from './plan-create-table';
import { quoteIdentifier } from './flink-columns';
import type { SqlStatementShape, SqlWatermarkDefinition } from '../sql/analysis';
import { notSupportedYet } from './create-table-statement';
import { STORED_TABLE_OPTIONS } from './stored-table-options';
import type { TableColumn, TableDefinition, TableWatermark } from './table-schema';

/**
 * The ALTER TABLE forms Riffle runs (DESIGN §4), read from Flink's analysis of statements the policy accepted:
 * - `ALTER TABLE [IF EXISTS] table SET ('key' = 'value', …)` and `… RESET ('key', …)`;
 * - `ALTER TABLE [IF EXISTS] table MODIFY WATERMARK FOR column AS expression`, and
 *   `ALTER TABLE [IF EXISTS] table DROP WATERMARK`, which goes back to the default watermark.
 */
export type ParsedAlterTable =
  | {
      kind: 'options';
      /** the table path as written, unquoted */
      path: string[];
      ifExists: boolean;
      /** SET: option → value; RESET: option → null */
      changes: Record<string, string | null>;
    }
  | {
      kind: 'watermark';
      path: string[];
      ifExists: boolean;
      /** null: DROP WATERMARK, back to the default */
      watermark: TableWatermark | null;
    };

/**
 * What Riffle keeps with a table beyond its topic and subjects: a watermark other than the default, and
 * the `scan.*` options its statements read it with (they apply under each statement's OPTIONS hints).
 */
export interface TableSettings {
  watermark?: TableWatermark;
  options: Record<string, string>;
  /** computed and metadata columns declared by CREATE TABLE or ALTER TABLE, after the topic's own */
  columns?: StoredColumn[];
}

/**
 * A column that is not in the topic's schemas: computed (`doubled AS price * 2`) or metadata (`ts
 * TIMESTAMP_LTZ(3) METADATA FROM 'timestamp'`), as Flink resolved it when the table was created or altered
 * (the type of a computed column is Flink's, the expression Flink's own serialization).
 */
export interface StoredColumn {
  name: string;
  kind: 'computed' | 'metadata';
  type: string;
  nullable: boolean;
  expression?: string;
  metadataKey?: string;
  virtual?: boolean;
}

/** ALTER TABLE from Flink's analysis of it; forms Riffle does not run are NOT_SUPPORTED_YET */
export function alterTableOf(shape: SqlStatementShape): ParsedAlterTable {
  const table = shape.table;
  if (!table || !shape.kind.startsWith('ALTER TABLE')) throw new Error(`not an ALTER TABLE: ${shape.kind}`);
  const path = table.path;
  const ifExists = table.ifExists === true;
  switch (shape.kind) {
    case 'ALTER TABLE SET': {
      const changes: Record<string, string | null> = { ...(table.options ?? {}) };
      return { kind: 'options', path, ifExists, changes };
    }
    case 'ALTER TABLE RESET': {
      const changes: Record<string, string | null> = {};
      for (const key of table.resetKeys ?? []) {
        if (key in changes) throw badOption(key, 'is named twice.');
        changes[key] = null;
      }
      return { kind: 'options', path, ifExists, changes };
    }
    case 'ALTER TABLE DROP WATERMARK':
      return { kind: 'watermark', path, ifExists, watermark: null };
    case 'ALTER TABLE MODIFY':
    case 'ALTER TABLE ADD':
      if (table.watermark && !table.columns?.length && !table.constraints?.length && !table.distribution)
        return { kind: 'watermark', path, ifExists, watermark: watermarkStrategy(table.watermark) };
  }
  throw notSupportedYet(`${shape.kind} of columns`);
}

const WATERMARK_FORM =
  /^(`(?:[^`]|``)+`|[A-Za-z_$][\w$]*)(?:\s*-\s*INTERVAL\s*'(\d{1,9}(?:\.\d{1,3})?)'\s*(SECOND|MINUTE|HOUR|DAY))?$/i;

/**
 * The watermark expressions Riffle stores: `column` (ascending timestamps) or `column - INTERVAL 'n' unit`
 * (bounded out-of-orderness), in Flink's canonical spelling. A stored watermark is part of every statement
 * that reads the table, so only expressions that cannot fail there are taken; anything else is
 * INVALID_WATERMARK with the forms that are.
 */
function watermarkStrategy(watermark: SqlWatermarkDefinition): TableWatermark {
  const column = watermark.eventTimeColumn;
  const refuse = () =>
    new RiffleError(
      'INVALID_WATERMARK',
      'invalid',
      `Riffle stores watermarks of the forms FOR c AS c and FOR c AS c - INTERVAL 'n' SECOND|MINUTE|HOUR|DAY (bounded out-of-orderness), with the column c on both sides; got AS ${watermark.expression}.`,
      { column },
    );
  const match = WATERMARK_FORM.exec(watermark.expression.trim());
  if (!match) throw refuse();
  const source = match[1]!.startsWith('`') ? match[1]!.slice(1, -1).replaceAll('``', '`') : match[1]!;
  if (source !== column) throw refuse();
  const quoted = quoteIdentifier(column);
  if (match[2] === undefined) return { column, expression: quoted };
  return { column, expression: `${quoted} - INTERVAL '${match[2]}' ${match[3]!.toUpperCase()}` };
}

/** Flink's rowtime attributes are TIMESTAMP(3) or TIMESTAMP_LTZ(3) columns */
const ROWTIME_TYPES = /^TIMESTAMP(_LTZ)?\(3\)$/;

/**
 * The table as its statements see it with `settings` applied: the stored watermark (checked against the
 * table's columns now, since the topic's schema may have changed since) and the stored `scan.*` options.
 * A watermark whose column is gone or no longer a timestamp falls back to the default, so a schema change
 * made outside Riffle never makes a table unusable; ALTER TABLE checks with `checkWatermark` first.
 */
export function applyTableSettings(
  def: TableDefinition,
  settings: TableSettings | undefined,
): TableDefinition {
  if (!settings) return def;
  const withColumns = settings.columns?.length
    ? { ...def, columns: withStoredColumns(def, settings.columns) }
    : def;
  const usable = settings.watermark && watermarkProblem(withColumns, settings.watermark) === undefined;
  return {
    ...withColumns,
    ...(usable ? { watermark: { ...settings.watermark! } } : {}),
    ...(Object.keys(settings.options).length ? { options: { ...settings.options } } : {}),
  };
}

/**
 * The stored computed and metadata columns after the topic's own columns, before the hidden system ones;
 * one whose name the topic's schema now uses itself (changed outside Riffle) is left out.
 */
function withStoredColumns(def: TableDefinition, stored: readonly StoredColumn[]): TableColumn[] {
  const visible = def.columns.filter((c) => !c.hidden);
  const hidden = def.columns.filter((c) => c.hidden);
  const taken = new Set(def.columns.map((c) => c.name));
  const extra = stored
    .filter((c) => !taken.has(c.name))
    .map((c): TableColumn => {
      // Flink reads each metadata key into one column: a key Riffle's system columns read already
      // (`timestamp` for $rowtime …) is the system column's value, as a computed column; cast even to the
      // same type, so that an alias of $rowtime is a plain timestamp, not a second time attribute (Flink's
      // planner fails on arithmetic with one)
      const system = c.kind === 'metadata' ? hidden.find((h) => h.metadataKey === c.metadataKey) : undefined;
      if (system) {
        return {
          name: c.name,
          type: c.type,
          nullable: c.nullable,
          origin: 'computed',
          expression: `CAST(${quoteIdentifier(system.name)} AS ${c.type})`,
        };
      }
      return {
        name: c.name,
        type: c.type,
        nullable: c.nullable,
        origin: c.kind === 'computed' ? 'computed' : 'metadata',
        ...(c.expression !== undefined ? { expression: c.expression } : {}),
        ...(c.metadataKey !== undefined ? { metadataKey: c.metadataKey } : {}),
        ...(c.kind === 'metadata' ? { virtual: c.virtual !== false } : {}),
      };
    });
  // a computed column sees only the columns declared before it: the aliases of system columns go last
  const aliases = extra.filter(
    (c) => c.origin === 'computed' && hidden.some((h) => c.expression?.includes(quoteIdentifier(h.name))),
  );
  return [...visible, ...extra.filter((c) => !aliases.includes(c)), ...hidden, ...aliases];
}

/** throws INVALID_WATERMARK when the column is not a TIMESTAMP(3)/TIMESTAMP_LTZ(3) column of the table */
export function checkWatermark(def: TableDefinition, watermark: TableWatermark): void {
  const problem = watermarkProblem(def, watermark);
  if (problem)
    throw new RiffleError('INVALID_WATERMARK', 'invalid', `The watermark of ${def.name} ${problem}`, {
      column: watermark.column,
    });
}

function watermarkProblem(def: TableDefinition, watermark: TableWatermark): string | undefined {
  const column = def.columns.find((c) => c.name === watermark.column);
  if (!column)
    return `names the column ${watermark.column}, which the table does not have (its columns: ${def.columns
      .map((c) => c.name)
      .join(', ')}).`;
  if (!ROWTIME_TYPES.test(column.type.replace(/ \*ROWTIME\*$/, '')))
    return `must be on a TIMESTAMP(3) or TIMESTAMP_LTZ(3) column; ${column.name} is ${column.type}.`;
  return undefined;
}

/** What an ALTER TABLE SET/RESET changes: topic configs, and options Riffle stores with the table. */
export interface AlterTablePlan {
  /** Kafka topic configs to set (a string) or reset to the broker's default (null) */
  topicConfig: Record<string, string | null>;
  /** `scan.*` options to store (a string) or remove (null) */
  tableOptions: Record<string, string | null>;
}

/**
 * What an ALTER TABLE does. The table options a topic carries:
 * - `kafka.retention.time` → `retention.ms`, `kafka.retention.size` → `retention.bytes`,
 *   `kafka.max-message-size` → `max.message.bytes`, `kafka.cleanup-policy` → `cleanup.policy`;
 * - `changelog.mode`: a topic's changelog mode is its compaction (DESIGN §4), so `upsert` compacts the
 *   topic (`cleanup.policy` `compact`) and `append` makes it a deleting one; RESET goes back to the default.
 * The `scan.*` options are stored with the table (see `mergeTableOptions`). Refused, with the reason: the
 * partitions and formats of an existing table (INVALID_TABLE_OPTION). Unknown keys never get here: the
 * SQL policy refuses them.
 */
export function planAlterTable(changes: Readonly<Record<string, string | null>>): AlterTablePlan {
  const topicConfig: Record<string, string | null> = {};
  const tableOptions: Record<string, string | null> = {};
  const set = (config: string, value: string | null, option: string) => {
    if (config in topicConfig && topicConfig[config] !== value)
      throw badOption(option, `contradicts another option that sets ${config}.`);
    topicConfig[config] = value;
  };
  for (const [key, value] of Object.entries(changes)) {
    switch (key) {
      case 'kafka.retention.time':
        set('retention.ms', value === null ? null : String(durationMs(key, value)), key);
        break;
      case 'kafka.retention.size':
        set('retention.bytes', value === null ? null : String(retentionBytes(key, value)), key);
        break;
      case 'kafka.max-message-size':
        set('max.message.bytes', value === null ? null : String(messageBytes(key, value)), key);
        break;
      case 'kafka.cleanup-policy': {
        const policy = value === null ? null : CLEANUP_POLICIES[value];
        if (policy === undefined) throw badOption(key, "must be 'delete', 'compact' or 'delete-compact'.");
        set('cleanup.policy', policy, key);
        break;
      }
      case 'changelog.mode':
        if (value !== null && value !== 'append' && value !== 'upsert')
          throw badOption(
            key,
            "must be 'append' or 'upsert' (a topic is an upsert table when it is compacted).",
          );
        set('cleanup.policy', value === 'upsert' ? 'compact' : value === 'append' ? 'delete' : null, key);
        break;
      case 'kafka.partitions':
        throw badOption(
          key,
          'cannot change on an existing table: records with the same key would land in other partitions. Create a new table with the partitions (DISTRIBUTED INTO n BUCKETS) and INSERT INTO it.',
        );
      case 'key.format':
      case 'value.format':
      case 'value.fields-include':
        throw badOption(
          key,
          "is fixed by the table's registry subjects (<topic>-key, <topic>-value) and cannot be altered.",
        );
      default:
        if (!(STORED_TABLE_OPTIONS as readonly string[]).includes(key))
          throw badOption(key, 'cannot be set on a table.');
        tableOptions[key] = value;
    }
  }
  return { topicConfig, tableOptions };
}

const badOption = (key: string, why: string) =>
  new RiffleError('INVALID_TABLE_OPTION', 'invalid', `Table option '${key}' ${why}`, { option: key });
