import { RiffleError } from '../riffle-error';
import { avroToFlinkDerivedColumns, FLINK_DERIVED_GENERAL_UNION, isAvroRecordSchema } from './avro-to-flink';
import { quoteIdentifier } from './flink-columns';
import { isJsonSchemaObject, jsonSchemaFormatLimits } from './json-schema-to-flink';
import { protobufWirePlan } from './protobuf-wire-plan';
import type { RegistrySchema, TableColumn, TableDefinition, TableFormat } from './table-schema';

/**
 * A {@link TableDefinition} as text: the DDL Riffle runs on Flink, the DDL users see, and DESCRIBE rows.
 *
 * Executing (Apache Flink 2.2, flink-connector-kafka 5.0): the connector is `kafka` (append) or
 * `upsert-kafka` (upsert, key fields = PRIMARY KEY; it takes no `key.fields` and no `scan.startup.*`, it
 * always reads the compacted topic from the start, so the renderer leaves the caller's `scan.startup.*`
 * out). Formats: Avro is `avro-confluent`, schemaless is `raw`; JSON Schema and Protobuf are Riffle's own
 * formats (deploy/flink-formats, on every cell's classpath), which check the registry's 5-byte header:
 * - `json-registry` reads the rest with flink-json (ISO-8601 timestamps, `…T…Z`); writing frames each record
 *   with `json-registry.schema-id`, the id of the subject's latest version, which the table carries
 *   (`RegistrySchema.id`). flink-json reads JSON objects only, so a JSON side must be an object schema, and
 *   only values that are JSON text of the column's type (`jsonSchemaFormatLimits`: not unions of several
 *   types, nor Kafka Connect's integer dates and non-string-keyed maps); the rest is
 *   SCHEMA_FORMAT_NOT_SUPPORTED.
 * - `protobuf-registry` skips the message indexes (records must hold the file's first message) and decodes
 *   the message with `protobuf-registry.plan`, the field numbers and proto types behind each column
 *   (protobuf-wire-plan.ts); writing encodes by the same plan and frames each record with
 *   `protobuf-registry.schema-id` and the first message's index.
 * Flink cannot read a key that is not a record (avro-confluent reads records only; an Avro `"string"` key
 * fails schema resolution): an append table then runs without its key columns (a statement naming them
 * fails in Flink's validation), an upsert table cannot run (SCHEMA_FORMAT_NOT_SUPPORTED). Avro unions of
 * several types (ROW of branches in the catalog) are SCHEMA_FORMAT_NOT_SUPPORTED too: Flink derives RAW for
 * them.
 *
 * `<side>.avro-confluent.schema` (read and write with the registered schema, so writes reuse its id) is set
 * only when the declared columns equal what Flink derives from that schema — the format refuses anything
 * else. It is left out for time-micros and local timestamps (declared BIGINT / TIMESTAMP, derived TIME(6) /
 * BIGINT) and for nullable key fields made NOT NULL by a PRIMARY KEY; then Flink reads with a reader schema
 * derived from the columns (resolution works) and a write registers that derived schema.
 *
 * No DISTRIBUTED BY in the executed DDL: the Kafka connector does not implement SupportsBucketing.
 */
export interface CreateTableOptions {
  catalog: string;
  database: string;
  /** the Kafka topic, when it is not the table's name (a logical cluster's topics carry its prefix) */
  topic?: string;
  /**
   * Kafka connector options Riffle injects (bootstrap servers, group id, startup mode, sink guarantees,
   * `properties.*` credentials …); rendered after `connector` and `topic`. They may not set the options this
   * renderer owns (connector, topic, key.*, value.*).
   */
  connectorOptions: Readonly<Record<string, string>>;
  /** `avro-confluent` options without prefix (`url`, `basic-auth.user-info` …), set for each Avro side */
  formatOptions?: Readonly<Record<string, string>>;
}

/**
 * Session configuration that makes the hidden columns hidden: `SELECT *` leaves out `METADATA … VIRTUAL`
 * columns (both `FROM 'key'` and plain), so `$rowtime` and friends appear only when named, and
 * `INSERT INTO t SELECT * FROM s` never sees them. Flink lists are `;`-separated.
 */
export const HIDDEN_COLUMNS_SESSION_CONFIG: Readonly<Record<string, string>> = {
  'table.column-expansion-strategy':
    'EXCLUDE_ALIASED_VIRTUAL_METADATA_COLUMNS;EXCLUDE_DEFAULT_VIRTUAL_METADATA_COLUMNS',
};

const FLINK_FORMATS: Readonly<Partial<Record<TableFormat, string>>> = {
  AVRO: 'avro-confluent',
  JSON: 'json-registry',
  PROTOBUF: 'protobuf-registry',
  RAW: 'raw',
};

/** The user-facing format names (SHOW CREATE TABLE, and what users may write in WITH). */
export const USER_FORMATS: Readonly<Record<TableFormat, string>> = {
  AVRO: 'avro-registry',
  JSON: 'json-registry',
  // the name the SQL policy accepts in WITH (ALLOWED_FORMATS), as managed Flink SQL services spell it
  PROTOBUF: 'proto-registry',
  RAW: 'raw',
};

/** Caller options `upsert-kafka` does not accept; left out for upsert tables (see the module doc). */
const NOT_FOR_UPSERT = /^(scan\.startup\.|sink\.partitioner$)/;

export function renderCreateTable(def: TableDefinition, options: CreateTableOptions): string {
  const upsert = def.changelogMode === 'upsert';
  const valueProblem = unreadable('value', def.valueFormat, def.valueSchema);
  if (valueProblem) throw notSupported(def, 'value', valueProblem);
  const keyProblem = unreadable('key', def.keyFormat, def.keySchema);
  const keyReadable = keyProblem === undefined;
  if (keyProblem && upsert) throw notSupported(def, 'key', keyProblem);
  const columns = def.columns.filter((column) => keyReadable || column.origin !== 'key');
  const physical = columns.filter(
    (column) => column.metadataKey === undefined && column.expression === undefined,
  );
  const keyColumns = def.keyFields.flatMap((name) => physical.filter((column) => column.name === name));
  const valueColumns =
    def.valueFieldsInclude === 'ALL'
      ? physical
      : physical.filter((column) => !def.keyFields.includes(column.name));

  const rendered: Record<string, string> = {
    connector: upsert ? 'upsert-kafka' : 'kafka',
    topic: options.topic ?? def.name,
  };
  for (const [key, value] of Object.entries(options.connectorOptions)) {
    if (key === 'connector' || key === 'topic' || /^(key|value)\./.test(key)) {
      throw new RiffleError(
        'CONNECTOR_OPTION_CONFLICT',
        'internal',
        `The option '${key}' is set by the table renderer.`,
      );
    }
    if (!(upsert && NOT_FOR_UPSERT.test(key))) rendered[key] = value;
  }
  if (keyReadable) {
    rendered['key.format'] = FLINK_FORMATS[def.keyFormat]!;
    if (!upsert) rendered['key.fields'] = def.keyFields.join(';');
    if (def.keyFieldsPrefix) rendered['key.fields-prefix'] = def.keyFieldsPrefix;
    Object.assign(rendered, formatOptions(def, 'key', keyColumns, options));
  }
  rendered['value.format'] = FLINK_FORMATS[def.valueFormat]!;
  rendered['value.fields-include'] = keyReadable ? def.valueFieldsInclude : 'ALL';
  Object.assign(rendered, formatOptions(def, 'value', valueColumns, options));

  const table = [options.catalog, options.database, def.name].map(quoteIdentifier).join('.');
  const withClause = Object.entries(rendered).map(([key, value]) => `  ${literal(key)} = ${literal(value)}`);
  return `CREATE TABLE ${table} (\n${tableElements(def, columns, 'execution').join(',\n')}\n) WITH (\n${withClause.join(',\n')}\n)`;
}

/**
 * What SHOW CREATE TABLE answers: the catalog's column types, watermark, PRIMARY KEY, DISTRIBUTED BY the key
 * into as many buckets as the topic has partitions, and only user-visible options (changelog mode, cleanup
 * policy, the registry format names, plus `options` (the topic's configs) and the `scan.*` options stored
 * with the table by ALTER TABLE SET) — never connector
 * internals or credentials. Names are qualified when a catalog and database are given.
 */
export function renderShowCreateTable(
  def: TableDefinition,
  names: { catalog?: string; database?: string; options?: Readonly<Record<string, string>> } = {},
): string {
  const table = [names.catalog, names.database, def.name]
    .filter((part): part is string => part !== undefined)
    .map(quoteIdentifier)
    .join('.');
  const visible: Record<string, string> = {
    'changelog.mode': def.changelogMode,
    'kafka.cleanup-policy': def.changelogMode === 'upsert' ? 'compact' : 'delete',
    'key.format': USER_FORMATS[def.keyFormat],
    'value.format': USER_FORMATS[def.valueFormat],
    ...names.options,
    ...def.options,
  };
  const distribution =
    def.keyFields.length > 0
      ? `DISTRIBUTED BY HASH(${def.keyFields.map(quoteIdentifier).join(', ')}) INTO ${def.partitions} BUCKETS`
      : `DISTRIBUTED INTO ${def.partitions} BUCKETS`;
  const withClause = Object.entries(visible).map(([key, value]) => `  ${literal(key)} = ${literal(value)}`);
  return [
    `CREATE TABLE ${table} (\n${tableElements(def, def.columns, 'catalog').join(',\n')}\n)`,
    distribution,
    `WITH (\n${withClause.join(',\n')}\n)`,
  ].join('\n');
}

/** One row of DESCRIBE, with Flink's columns: name, type, null, key, extras, watermark. */
export interface DescribeRow {
  name: string;
  /** without the top-level NOT NULL; the rowtime column says `*ROWTIME*` as Flink does */
  type: string;
  null: boolean;
  /** `PRI(a, b)` on every primary-key column */
  key: string | null;
  /** `METADATA FROM 'timestamp' VIRTUAL` */
  extras: string | null;
  /** the watermark expression, on the rowtime column */
  watermark: string | null;
}

/** DESCRIBE rows as Flink produces them; hidden columns ($rowtime …) only for DESCRIBE EXTENDED. */
export function describeRows(def: TableDefinition, extended: boolean): DescribeRow[] {
  const primaryKey = def.primaryKey ? `PRI(${def.primaryKey.join(', ')})` : null;
  return def.columns
    .filter((column) => extended || !column.hidden)
    .map((column) => {
      const rowtime = column.name === def.watermark.column;
      return {
        name: column.name,
        type: rowtime ? `${column.type} *ROWTIME*` : column.type,
        null: column.nullable,
        key: primaryKey && def.primaryKey?.includes(column.name) ? primaryKey : null,
        extras:
          column.expression !== undefined
            ? `AS ${column.expression}`
            : column.metadataKey === undefined
              ? null
              : metadataExtras(column),
        watermark: rowtime ? def.watermark.expression : null,
      };
    });
}

function tableElements(
  def: TableDefinition,
  columns: readonly TableColumn[],
  view: 'execution' | 'catalog',
): string[] {
  const elements = columns.map((column) => {
    if (column.expression !== undefined) return `  ${quoteIdentifier(column.name)} AS ${column.expression}`;
    const type = view === 'execution' ? (column.formatType ?? column.type) : column.type;
    const nullability = column.nullable ? '' : ' NOT NULL';
    const metadata = column.metadataKey === undefined ? '' : ` ${metadataExtras(column)}`;
    return `  ${quoteIdentifier(column.name)} ${type}${nullability}${metadata}`;
  });
  elements.push(`  WATERMARK FOR ${quoteIdentifier(def.watermark.column)} AS ${def.watermark.expression}`);
  if (def.primaryKey) {
    elements.push(`  PRIMARY KEY (${def.primaryKey.map(quoteIdentifier).join(', ')}) NOT ENFORCED`);
  }
  return elements;
}

/** Flink's own wording (Column.MetadataColumn#explainExtras); the system columns are all virtual. */
function metadataExtras(column: TableColumn): string {
  const virtual = column.virtual === false ? '' : ' VIRTUAL';
  return `METADATA FROM ${literal(column.metadataKey ?? column.name)}${virtual}`;
}

/**
 * `key.avro-confluent.url` … and, when Flink accepts it, the registered schema; for JSON Schema the id
 * written records name (see the module doc).
 */
function formatOptions(
  def: TableDefinition,
  side: 'key' | 'value',
  declared: readonly TableColumn[],
  options: CreateTableOptions,
): Record<string, string> {
  const schema = side === 'key' ? def.keySchema : def.valueSchema;
  const format = side === 'key' ? def.keyFormat : def.valueFormat;
  if (format === 'JSON' && schema?.id !== undefined)
    return { [`${side}.json-registry.schema-id`]: String(schema.id) };
  if (format === 'PROTOBUF' && schema)
    return {
      [`${side}.protobuf-registry.plan`]: JSON.stringify(protobufWirePlan(schema.schema)),
      ...(schema.id === undefined ? {} : { [`${side}.protobuf-registry.schema-id`]: String(schema.id) }),
    };
  if (format !== 'AVRO' || !schema) return {};
  const prefix = `${side}.avro-confluent.`;
  const rendered: Record<string, string> = {};
  for (const [key, value] of Object.entries(options.formatOptions ?? {})) rendered[`${prefix}${key}`] = value;
  const derived = avroToFlinkDerivedColumns(schema.schema);
  const union = derived.find((column) =>
    withoutIdentifiers(column.type).includes(FLINK_DERIVED_GENERAL_UNION),
  );
  if (union) {
    throw notSupported(
      def,
      side,
      `its field "${union.name}" is an Avro union of several types, which Flink's avro-confluent format cannot read`,
    );
  }
  const stripPrefix = (name: string) =>
    side === 'key' && def.keyFieldsPrefix ? name.slice(def.keyFieldsPrefix.length) : name;
  const matches =
    derived.length === declared.length &&
    derived.every((column, i) => {
      const own = declared[i]!;
      const type = `${own.formatType ?? own.type}${own.nullable ? '' : ' NOT NULL'}`;
      return stripPrefix(own.name) === column.name && type === column.type;
    });
  if (matches) rendered[`${prefix}schema`] = schema.schema;
  return rendered;
}

/** A type's text with its quoted field names removed, so a field named `RAW` does not count. */
function withoutIdentifiers(type: string): string {
  return type.replace(/`(?:[^`]|``)*`/g, '``');
}

/** why Flink cannot read one side (format and schema), undefined when it can */
function unreadable(
  side: 'key' | 'value',
  format: TableFormat,
  schema: RegistrySchema | undefined,
): string | undefined {
  switch (format) {
    case 'RAW':
      return undefined;
    case 'AVRO':
      return side === 'value' || (schema && isAvroRecordSchema(schema.schema))
        ? undefined
        : 'it is not an Avro record, and Flink reads Avro keys only as records';
    case 'JSON': {
      if (!schema || !isJsonSchemaObject(schema.schema))
        return 'its JSON Schema is not an object, and the json-registry format reads JSON objects only';
      const limits = jsonSchemaFormatLimits(schema.schema);
      return limits.length > 0 ? `the json-registry format cannot read ${limits.join('; ')} yet` : undefined;
    }
    case 'PROTOBUF':
      return schema ? undefined : 'it has no Protobuf schema';
  }
}

function notSupported(def: TableDefinition, side: 'key' | 'value', why: string): RiffleError {
  return new RiffleError(
    'SCHEMA_FORMAT_NOT_SUPPORTED',
    'invalid',
    `Statements cannot read or write topic ${def.name} yet: its ${side} cannot be decoded by Flink (${why}). DESCRIBE and SHOW CREATE TABLE still work.`,
    { topic: def.name, part: side, format: side === 'key' ? def.keyFormat : def.valueFormat },
  );
}

function literal(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
