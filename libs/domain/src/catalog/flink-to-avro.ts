import { RiffleError } from '../riffle-error';
import type { FlinkColumn, JsonObject } from './flink-columns';
import { type FlinkType, parseFlinkType, renderFlinkType } from './flink-type';

/**
 * Flink SQL columns → Avro schema, the write side of DESIGN §4: `CREATE TABLE` registers the schemas this
 * produces under `<topic>-key` and `<topic>-value`. It is the inverse of `avroToFlinkColumns` (catalog
 * view): for BOOLEAN, INT, BIGINT, FLOAT, DOUBLE, STRING, BYTES, BINARY(n), DECIMAL(p, s), DATE, TIME(3),
 * TIMESTAMP(3|6), TIMESTAMP_LTZ(3|6), ARRAY, MAP<STRING NOT NULL, …> and ROW, at any nesting and
 * nullability, Flink → Avro → Flink gives the same type back. Other types widen to the nearest one Avro
 * keeps: VARCHAR(n)/CHAR(n) → STRING, VARBINARY(n) → BYTES, TINYINT/SMALLINT → INT (tagged with Kafka
 * Connect's `connect.type` int8/int16, as Confluent's converters write them), TIME(0–2) → TIME(3),
 * TIMESTAMP(0–2) → TIMESTAMP(3), TIMESTAMP(4–5) → TIMESTAMP(6) (likewise TIMESTAMP_LTZ), and a MAP's
 * STRING key becomes NOT NULL.
 *
 * - A nullable type is `["null", T]`; a nullable record field also gets `"default": null`, so readers of
 *   older data resolve it.
 * - Records are named after the table (`orders_value`, nested `orders_value_address`), `fixed` types after
 *   their field; names are made valid Avro names and unique within the schema.
 * - MAP keys other than strings, MULTISET, INTERVAL, TIME above millisecond or TIMESTAMP above microsecond
 *   precision, and types Flink cannot store (RAW, NULL, TIMESTAMP WITH TIME ZONE) are UNSUPPORTED_COLUMN_TYPE,
 *   naming the column. Column and ROW field names must be Avro names ([A-Za-z_][A-Za-z0-9_]*).
 */
export interface AvroRecordOptions {
  /** the top-level record's name (made a valid Avro name) */
  recordName: string;
  namespace?: string;
}

const AVRO_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function flinkColumnsToAvroSchema(
  columns: readonly FlinkColumn[],
  options: AvroRecordOptions,
): JsonObject {
  if (columns.length === 0) {
    throw new RiffleError('TABLE_WITHOUT_COLUMNS', 'invalid', 'A table needs at least one column.');
  }
  const writer = new AvroWriter();
  const fields = columns.map((column) => ({ name: column.name, type: parseColumnType(column) }));
  const record = writer.record(avroName(options.recordName), fields, '');
  return options.namespace ? { ...record, namespace: options.namespace } : record;
}

/**
 * The schemas `CREATE TABLE` registers: the value carries every column (so reading the topic back gives
 * the same columns in the same order, the key fields carried by the value), the key is a record of the
 * key columns (PRIMARY KEY or DISTRIBUTED BY) — always a record, as Flink's `avro-confluent` format reads
 * only record keys. No key columns, no key schema.
 */
export function tableAvroSchemas(input: {
  table: string;
  columns: readonly FlinkColumn[];
  keyColumns?: readonly string[];
}): { key?: JsonObject; value: JsonObject } {
  const value = flinkColumnsToAvroSchema(input.columns, { recordName: avroRecordName(input.table, 'value') });
  const keyColumns = (input.keyColumns ?? []).map((name) => {
    const column = input.columns.find((candidate) => candidate.name === name);
    if (!column)
      throw new RiffleError(
        'UNKNOWN_KEY_COLUMN',
        'invalid',
        `The key column \`${name}\` is not a column of the table.`,
      );
    return column;
  });
  if (keyColumns.length === 0) return { value };
  return {
    key: flinkColumnsToAvroSchema(keyColumns, { recordName: avroRecordName(input.table, 'key') }),
    value,
  };
}

/** `orders` → `orders_value`; characters Avro names do not allow become `_`. */
export function avroRecordName(table: string, side: 'key' | 'value'): string {
  return avroName(`${table}_${side}`);
}

function avroName(text: string): string {
  const name = text.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[A-Za-z_]/.test(name) ? name : `_${name}`;
}

function parseColumnType(column: FlinkColumn): FlinkType {
  try {
    return parseFlinkType(column.type);
  } catch (error) {
    if (!(error instanceof RiffleError)) throw error;
    throw new RiffleError(error.code, error.kind, `Column \`${column.name}\`: ${error.message}`, {
      ...error.details,
      column: column.name,
    });
  }
}

function unsupported(column: string, type: FlinkType, why: string): RiffleError {
  const text = renderFlinkType(type);
  return new RiffleError(
    'UNSUPPORTED_COLUMN_TYPE',
    'invalid',
    `Column \`${column}\` has type ${text}, which an Avro topic cannot hold: ${why}.`,
    { column, type: text },
  );
}

const TIMESTAMP_LOGICAL_TYPES = {
  TIMESTAMP: ['local-timestamp-millis', 'local-timestamp-micros'],
  TIMESTAMP_LTZ: ['timestamp-millis', 'timestamp-micros'],
} as const;

/** One instance per schema: it hands out unique names for records and fixed types. */
class AvroWriter {
  private readonly names = new Set<string>();

  record(name: string, fields: readonly { name: string; type: FlinkType }[], path: string): JsonObject {
    const recordName = this.uniqueName(name);
    return {
      type: 'record',
      name: recordName,
      fields: fields.map((field) => {
        const fieldPath = path ? `${path}.${field.name}` : field.name;
        if (!AVRO_NAME.test(field.name)) {
          throw new RiffleError(
            'UNSUPPORTED_COLUMN_NAME',
            'invalid',
            `Column \`${fieldPath}\` cannot be an Avro field: names must start with a letter or _ and contain only letters, digits and _.`,
            { column: fieldPath },
          );
        }
        const type = this.type(field.type, `${recordName}_${field.name}`, fieldPath);
        return field.type.nullable ? { name: field.name, type, default: null } : { name: field.name, type };
      }),
    };
  }

  /** `name` names a record or fixed this type needs; `path` names the column in errors. */
  private type(type: FlinkType, name: string, path: string): unknown {
    const avro = this.bare(type, name, path);
    return type.nullable ? ['null', avro] : avro;
  }

  private bare(type: FlinkType, name: string, path: string): unknown {
    switch (type.root) {
      case 'BOOLEAN':
        return 'boolean';
      case 'TINYINT':
        return { type: 'int', 'connect.type': 'int8' };
      case 'SMALLINT':
        return { type: 'int', 'connect.type': 'int16' };
      case 'INT':
        return 'int';
      case 'BIGINT':
        return 'long';
      case 'FLOAT':
        return 'float';
      case 'DOUBLE':
        return 'double';
      case 'CHAR':
      case 'VARCHAR':
        return 'string';
      case 'BINARY':
        return { type: 'fixed', name: this.uniqueName(name), size: type.length };
      case 'VARBINARY':
        return 'bytes';
      case 'DECIMAL':
        return { type: 'bytes', logicalType: 'decimal', precision: type.precision, scale: type.scale };
      case 'DATE':
        return { type: 'int', logicalType: 'date' };
      case 'TIME':
        if (type.precision > 3)
          throw unsupported(path, type, 'Flink SQL reads TIME with at most millisecond precision');
        return { type: 'int', logicalType: 'time-millis' };
      case 'TIMESTAMP':
      case 'TIMESTAMP_LTZ': {
        if (type.precision > 6) throw unsupported(path, type, 'Avro timestamps hold at most microseconds');
        const [millis, micros] = TIMESTAMP_LOGICAL_TYPES[type.root];
        return { type: 'long', logicalType: type.precision <= 3 ? millis : micros };
      }
      case 'ARRAY':
        return { type: 'array', items: this.type(type.element, name, `${path}[]`) };
      case 'MAP':
        if (type.key.root !== 'VARCHAR' && type.key.root !== 'CHAR') {
          throw unsupported(path, type, 'Avro map keys are strings (use MAP<STRING, …> or an ARRAY of ROWs)');
        }
        return { type: 'map', values: this.type(type.value, name, `${path}{}`) };
      case 'ROW':
        if (type.fields.length === 0) throw unsupported(path, type, 'a ROW needs at least one field');
        return this.record(name, type.fields, path);
      case 'MULTISET':
        throw unsupported(path, type, 'Avro has no multiset (use MAP<STRING, INT> or ARRAY)');
      case 'UNSUPPORTED':
        throw unsupported(path, type, 'Avro has no such type');
    }
  }

  private uniqueName(name: string): string {
    let candidate = name;
    for (let n = 2; this.names.has(candidate); n++) candidate = `${name}_${n}`;
    this.names.add(candidate);
    return candidate;
  }
}
