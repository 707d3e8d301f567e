import { RiffleError } from '../riffle-error';
import { avroToFlinkColumns, avroToFlinkColumnsForFormat, isAvroRecordSchema } from './avro-to-flink';
import { type FlinkColumn, schemaUnsupportedError } from './flink-columns';
import { isJsonSchemaObject, jsonSchemaToFlinkColumns } from './json-schema-to-flink';
import { protobufToFlinkColumns } from './protobuf-to-flink';

/**
 * A topic as a table (DESIGN §4): from the topic's registry subjects (`<topic>-key`, `<topic>-value`) and
 * its cleanup policy to the table's columns, key, changelog mode and watermark. Pure; `table-ddl.ts`
 * renders the result as the DDL Flink runs, SHOW CREATE TABLE and DESCRIBE.
 *
 * Key and value:
 * - A side without a schema is one raw column, `key BYTES` / `val BYTES` (format `raw`). DESIGN's
 *   "VARBINARY" means `VARBINARY(2147483647)`, which Flink calls BYTES; a bare `VARBINARY` is VARBINARY(1).
 * - A record (object, message) schema gives one column per field; any other schema one column, `key` or
 *   `val` (for the Avro key `"string"`, the column `key STRING NOT NULL`).
 * - If every field of a record key is also a value field of exactly the same type, the value carries
 *   them: the columns are the value's, `value.fields-include` is ALL and `key.fields` names them.
 * - Otherwise the key columns come first and `value.fields-include` is EXCEPT_KEY. If a key column's name
 *   is also a value column's, *all* key columns are prefixed `key_` (`key.fields-prefix`): Flink's prefix
 *   applies to every key field, so "only the clashing ones" is not expressible (`key__` if `key_` clashes
 *   too). A raw or single-value key is never carried: its column is not a field of the value.
 *
 * Compacted topic → `changelogMode: 'upsert'` with the key columns as PRIMARY KEY (NOT ENFORCED; Flink
 * makes primary-key columns NOT NULL) and the `upsert-kafka` connector; otherwise append and `kafka`.
 *
 * System and metadata columns, always present, all `METADATA … VIRTUAL` and `hidden`:
 * `$rowtime TIMESTAMP_LTZ(3)` (the record timestamp, metadata key `timestamp`, with the default watermark
 * `$rowtime - INTERVAL '5' SECOND`), `$partition INT`, `$offset BIGINT`, `$headers MAP<STRING, BYTES>`.
 * Flink has no hidden columns as such; what hides them from `SELECT *` is the session option
 * `table.column-expansion-strategy` (see `HIDDEN_COLUMNS_SESSION_CONFIG`), which leaves out virtual
 * metadata columns unless named. DESCRIBE shows them only when EXTENDED. The watermark is an expression, not
 * `SOURCE_WATERMARK()`: the Kafka source does not implement SupportsSourceWatermark.
 */
export type SchemaFormat = 'AVRO' | 'JSON' | 'PROTOBUF';
/** `RAW`: no schema, the bytes as they are */
export type TableFormat = SchemaFormat | 'RAW';

export interface SchemaReference {
  name: string;
  subject: string;
  version: number;
}

export interface RegistrySchema {
  format: SchemaFormat;
  schema: string;
  /** the registry's global id of this version, when known: what records written with it name */
  id?: number;
  /** kept for the renderer; referenced schemas are not resolved (only well-known Protobuf types are) */
  references?: readonly SchemaReference[];
}

export interface InferTableInput {
  topic: string;
  keySchema?: RegistrySchema;
  valueSchema?: RegistrySchema;
  /** cleanup.policy includes compact */
  compacted: boolean;
  partitions: number;
}

export type ColumnOrigin = 'key' | 'value' | 'metadata' | 'system' | 'computed';

export interface TableColumn {
  /** unquoted */
  name: string;
  /** Flink SQL type without the top-level NOT NULL, as DESCRIBE's `type` column shows it */
  type: string;
  nullable: boolean;
  /** `value` also for key fields the value carries (see `keyFields`) */
  origin: ColumnOrigin;
  /** left out of `SELECT *` and of DESCRIBE without EXTENDED */
  hidden?: boolean;
  /** the Kafka connector's metadata key of a metadata or system column */
  metadataKey?: string;
  /** the type the executed DDL declares when it is not `type` (Avro timestamps and fixed, see avro-to-flink) */
  formatType?: string;
  /** a computed column's expression (Flink SQL): `price * 2` */
  expression?: string;
  /** a metadata column the connector does not write (the system columns all are) */
  virtual?: boolean;
}

export interface TableWatermark {
  /** `$rowtime` unless ALTER TABLE MODIFY WATERMARK put it on another TIMESTAMP(3)/TIMESTAMP_LTZ(3) column */
  column: string;
  /** Flink SQL, e.g. "`$rowtime` - INTERVAL '5' SECOND" */
  expression: string;
}

export interface TableDefinition {
  /** the topic */
  name: string;
  /** key columns (EXCEPT_KEY only), value columns, then the hidden system and metadata columns */
  columns: TableColumn[];
  /** upsert tables only: the key fields */
  primaryKey?: string[];
  changelogMode: 'append' | 'upsert';
  watermark: TableWatermark;
  /** the topic's partitions: `DISTRIBUTED BY … INTO n BUCKETS` */
  partitions: number;
  keyFormat: TableFormat;
  valueFormat: TableFormat;
  /** the columns the key format reads, in the key schema's order (prefixed names) */
  keyFields: string[];
  keyFieldsPrefix?: string;
  valueFieldsInclude: 'ALL' | 'EXCEPT_KEY';
  keySchema?: RegistrySchema;
  valueSchema?: RegistrySchema;
  /** `scan.*` options stored with the table by ALTER TABLE SET (applyTableSettings) */
  options?: Record<string, string>;
}

export const ROWTIME_COLUMN = '$rowtime';
export const DEFAULT_WATERMARK_EXPRESSION = "`$rowtime` - INTERVAL '5' SECOND";
export const KEY_FIELDS_PREFIX = 'key_';

/** Types as the Kafka connector declares these metadata keys (readable; only timestamp/headers writable). */
export const SYSTEM_COLUMNS: readonly TableColumn[] = [
  system(ROWTIME_COLUMN, 'TIMESTAMP_LTZ(3)', 'timestamp', 'system'),
  system('$partition', 'INT', 'partition', 'metadata'),
  system('$offset', 'BIGINT', 'offset', 'metadata'),
  system('$headers', 'MAP<STRING, BYTES>', 'headers', 'metadata'),
];

function system(name: string, type: string, metadataKey: string, origin: ColumnOrigin): TableColumn {
  return { name, type, nullable: false, origin, hidden: true, metadataKey };
}

const FORMAT_NAMES: Readonly<Record<SchemaFormat, string>> = {
  AVRO: 'Avro',
  JSON: 'JSON Schema',
  PROTOBUF: 'Protobuf',
};

export function inferTable(input: InferTableInput): TableDefinition {
  if (!Number.isInteger(input.partitions) || input.partitions < 1) {
    throw new RiffleError(
      'INVALID_PARTITIONS',
      'invalid',
      `A topic has at least one partition, got ${input.partitions}.`,
    );
  }
  const key = mapSide('key', input.keySchema);
  const value = mapSide('value', input.valueSchema);
  const valueByName = new Map(value.columns.map((column) => [column.name, column]));
  const carried = key.record && key.columns.every((k) => sameColumnType(k, valueByName.get(k.name)));

  let physical: TableColumn[];
  let keyFields: string[];
  let prefix: string | undefined;
  if (carried) {
    physical = value.columns;
    keyFields = key.columns.map((column) => column.name);
  } else {
    prefix = key.columns.some((k) => valueByName.has(k.name))
      ? keyPrefix(key.columns, valueByName)
      : undefined;
    const keyColumns = key.columns.map((column) => ({ ...column, name: `${prefix ?? ''}${column.name}` }));
    physical = [...keyColumns, ...value.columns];
    keyFields = keyColumns.map((column) => column.name);
  }
  const reserved = physical.find((column) => SYSTEM_COLUMNS.some((s) => s.name === column.name));
  const reservedIn = reserved && (reserved.origin === 'key' ? key : value).schema;
  if (reserved && reservedIn) {
    throw schemaUnsupportedError(
      FORMAT_NAMES[reservedIn.format],
      `the field "${reserved.name}" has the name of a Riffle system column`,
      reserved.name,
    );
  }

  const upsert = input.compacted;
  const columns = physical.map((column) =>
    upsert && keyFields.includes(column.name) ? { ...column, nullable: false } : column,
  );
  return {
    name: input.topic,
    columns: [...columns, ...SYSTEM_COLUMNS.map((column) => ({ ...column }))],
    ...(upsert ? { primaryKey: keyFields } : {}),
    changelogMode: upsert ? 'upsert' : 'append',
    watermark: { column: ROWTIME_COLUMN, expression: DEFAULT_WATERMARK_EXPRESSION },
    partitions: input.partitions,
    keyFormat: key.schema?.format ?? 'RAW',
    valueFormat: value.schema?.format ?? 'RAW',
    keyFields,
    ...(prefix ? { keyFieldsPrefix: prefix } : {}),
    valueFieldsInclude: carried ? 'ALL' : 'EXCEPT_KEY',
    ...(input.keySchema ? { keySchema: input.keySchema } : {}),
    ...(input.valueSchema ? { valueSchema: input.valueSchema } : {}),
  };
}

interface Side {
  schema?: RegistrySchema;
  columns: TableColumn[];
  /** the schema is a record (object, message): its fields are the columns */
  record: boolean;
}

function mapSide(side: 'key' | 'value', schema: RegistrySchema | undefined): Side {
  const singleColumnName = side === 'key' ? 'key' : 'val';
  if (!schema) {
    return {
      columns: [{ name: singleColumnName, type: 'BYTES', nullable: true, origin: side }],
      record: false,
    };
  }
  const options = { singleColumnName };
  switch (schema.format) {
    case 'AVRO': {
      const forFormat = avroToFlinkColumnsForFormat(schema.schema, options);
      const columns = avroToFlinkColumns(schema.schema, options).map((column, i) =>
        tableColumn(column, side, forFormat[i]),
      );
      return { schema, columns, record: isAvroRecordSchema(schema.schema) };
    }
    case 'JSON': {
      const columns = jsonSchemaToFlinkColumns(schema.schema, options).map((c) => tableColumn(c, side));
      return { schema, columns, record: isJsonSchemaObject(schema.schema) };
    }
    case 'PROTOBUF':
      return {
        schema,
        columns: protobufToFlinkColumns(schema.schema).map((c) => tableColumn(c, side)),
        record: true,
      };
  }
}

/** Splits 'BIGINT NOT NULL' into type and nullability; a nested NOT NULL is inside <…>, never at the end. */
export function splitNullability(type: string): { type: string; nullable: boolean } {
  return type.endsWith(' NOT NULL')
    ? { type: type.slice(0, -' NOT NULL'.length), nullable: false }
    : { type, nullable: true };
}

function tableColumn(column: FlinkColumn, origin: 'key' | 'value', forFormat?: FlinkColumn): TableColumn {
  const { type, nullable } = splitNullability(column.type);
  const formatType = forFormat ? splitNullability(forFormat.type).type : type;
  return { name: column.name, type, nullable, origin, ...(formatType === type ? {} : { formatType }) };
}

function sameColumnType(key: TableColumn, value: TableColumn | undefined): boolean {
  return (
    value !== undefined &&
    value.type === key.type &&
    value.nullable === key.nullable &&
    value.formatType === key.formatType
  );
}

function keyPrefix(
  keyColumns: readonly TableColumn[],
  valueByName: ReadonlyMap<string, TableColumn>,
): string {
  let prefix = KEY_FIELDS_PREFIX;
  while (keyColumns.some((column) => valueByName.has(`${prefix}${column.name}`)))
    prefix = `${prefix.slice(0, -1)}__`;
  return prefix;
}
