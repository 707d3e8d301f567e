import {
  type FlinkColumn,
  isObject,
  type JsonObject,
  parseSchemaJson,
  rowType,
  schemaInvalidError,
  schemaUnsupportedError,
  withNullability,
} from './flink-columns';

/**
 * Avro → Flink SQL columns, the read side of DESIGN §4.
 *
 * Three views of the same schema, one table row per logical type (`LOGICAL_TYPES`):
 * - {@link avroToFlinkColumns} is the catalog view (DESCRIBE, SHOW CREATE TABLE): Avro
 *   `timestamp-millis/-micros` are instants, so they map to `TIMESTAMP_LTZ(3/6)` as DESIGN says.
 * - {@link avroToFlinkColumnsForFormat} is what the execution path declares when it generates a table for
 *   Flink's `avro-confluent` format. Flink 2.2 derives the Avro *reader* schema from the table's columns and,
 *   with its default (legacy, not configurable for avro-confluent) timestamp mapping, cannot derive one for
 *   `TIMESTAMP_LTZ` ("Unsupported to derive Schema for type: TIMESTAMP_LTZ(3)"); it reads
 *   `timestamp-millis/-micros` as `TIMESTAMP(3/6)`. A `fixed` must be declared `VARBINARY(n)`: a reader
 *   `bytes` derived from `BINARY(n)` cannot read a writer `fixed`, so only the registered schema (the
 *   format's `schema` option, which demands `VARBINARY(n)`) reads it.
 * - {@link avroToFlinkDerivedColumns} is exactly what Flink's `AvroSchemaConverter.convertToDataType` (legacy
 *   mapping) derives. The `avro-confluent` format accepts its `schema` option only when the declared columns
 *   equal this view ("Schema provided for 'avro-confluent' format does not match the table schema"); it
 *   differs from the execution view for `time-micros` (TIME(6), which the planner rejects), local
 *   timestamps (BIGINT) and general unions (RAW, which no Flink format reads).
 *
 * `time-micros` is BIGINT (microseconds of the day) in the catalog: Flink SQL's TIME holds at most
 * millisecond precision ("TIME precision is not supported: 6"), and BIGINT keeps every digit.
 *
 * Nullability: a type is nullable only as a `["null", T]` union; everything else is `NOT NULL`, including
 * array elements and map values. Map keys are `STRING NOT NULL` (Avro map keys are never null).
 * Logical types that are not in the table below, or are invalid (e.g. a decimal whose scale exceeds its
 * precision), are ignored and the underlying type is used, as the Avro specification requires.
 */
export interface AvroMappingOptions {
  /** the column a non-record schema (e.g. a plain `"string"` key) becomes; default `val` */
  singleColumnName?: string;
}

type AvroView = 'catalog' | 'avro-confluent-format' | 'flink-derived';

const FORMAT = 'Avro';
const invalid = (message: string, path: string) => schemaInvalidError(FORMAT, message, path);
const unsupported = (message: string, path: string) => schemaUnsupportedError(FORMAT, message, path);
const DEFAULT_SINGLE_COLUMN = 'val';
/** Flink's DECIMAL holds at most 38 digits. */
const MAX_DECIMAL_PRECISION = 38;

const PRIMITIVE_TYPES: Readonly<Record<string, string>> = {
  int: 'INT',
  long: 'BIGINT',
  float: 'FLOAT',
  double: 'DOUBLE',
  boolean: 'BOOLEAN',
  string: 'STRING',
  bytes: 'BYTES',
};

/** Logical types on a primitive (decimal is computed, see `decimalType`). Key: `logicalType/underlying`. */
const LOGICAL_TYPES: Readonly<Record<string, Readonly<Record<AvroView, string>>>> = {
  'date/int': { catalog: 'DATE', 'avro-confluent-format': 'DATE', 'flink-derived': 'DATE' },
  'time-millis/int': { catalog: 'TIME(3)', 'avro-confluent-format': 'TIME(3)', 'flink-derived': 'TIME(3)' },
  'time-micros/long': { catalog: 'BIGINT', 'avro-confluent-format': 'BIGINT', 'flink-derived': 'TIME(6)' },
  'timestamp-millis/long': {
    catalog: 'TIMESTAMP_LTZ(3)',
    'avro-confluent-format': 'TIMESTAMP(3)',
    'flink-derived': 'TIMESTAMP(3)',
  },
  'timestamp-micros/long': {
    catalog: 'TIMESTAMP_LTZ(6)',
    'avro-confluent-format': 'TIMESTAMP(6)',
    'flink-derived': 'TIMESTAMP(6)',
  },
  'local-timestamp-millis/long': {
    catalog: 'TIMESTAMP(3)',
    'avro-confluent-format': 'TIMESTAMP(3)',
    'flink-derived': 'BIGINT',
  },
  'local-timestamp-micros/long': {
    catalog: 'TIMESTAMP(6)',
    'avro-confluent-format': 'TIMESTAMP(6)',
    'flink-derived': 'BIGINT',
  },
  'uuid/string': { catalog: 'STRING', 'avro-confluent-format': 'STRING', 'flink-derived': 'STRING' },
};

/** A `fixed` without a decimal logical type; Flink's own converter says VARBINARY(n). */
const FIXED_TYPES: Readonly<Record<AvroView, (size: number) => string>> = {
  catalog: (size) => `BINARY(${size})`,
  'avro-confluent-format': (size) => `VARBINARY(${size})`,
  'flink-derived': (size) => `VARBINARY(${size})`,
};

/** The type Flink derives for a union other than `["null", T]`: a Kryo-serialized RAW no format reads. */
export const FLINK_DERIVED_GENERAL_UNION = 'RAW';

/** Catalog view: the columns DESCRIBE shows for a registry subject's Avro schema. */
export function avroToFlinkColumns(schema: string | object, options: AvroMappingOptions = {}): FlinkColumn[] {
  return mapTopLevel(schema, 'catalog', options);
}

/** Execution view: columns for a generated table with `'format' = 'avro-confluent'` (see the module doc). */
export function avroToFlinkColumnsForFormat(
  schema: string | object,
  options: AvroMappingOptions = {},
): FlinkColumn[] {
  return mapTopLevel(schema, 'avro-confluent-format', options);
}

/** What Flink's own converter derives from the schema (see the module doc); general unions are `RAW`. */
export function avroToFlinkDerivedColumns(
  schema: string | object,
  options: AvroMappingOptions = {},
): FlinkColumn[] {
  return mapTopLevel(schema, 'flink-derived', options);
}

/** A record (or `["null", record]`): its fields become columns; anything else is one column. */
export function isAvroRecordSchema(schema: string | object): boolean {
  return topLevelRecord(parseSchemaJson(FORMAT, schema)) !== undefined;
}

interface MappedType {
  /** without nullability */
  type: string;
  nullable: boolean;
}

function isNull(schema: unknown): boolean {
  return schema === 'null' || (isObject(schema) && schema['type'] === 'null');
}

function isRecord(schema: unknown): schema is JsonObject {
  return isObject(schema) && (schema['type'] === 'record' || schema['type'] === 'error');
}

function mapTopLevel(input: string | object, view: AvroView, options: AvroMappingOptions): FlinkColumn[] {
  const schema = parseSchemaJson(FORMAT, input);
  const mapper = new AvroTypeMapper(view);
  const record = topLevelRecord(schema);
  if (record) return mapper.recordFields(record, '', '');
  const mapped = mapper.map(schema, '', '');
  return [{ name: options.singleColumnName ?? DEFAULT_SINGLE_COLUMN, type: render(mapped) }];
}

/** A record, or a nullable record (`["null", record]`: null is a tombstone), exposes the record's fields. */
function topLevelRecord(schema: unknown): JsonObject | undefined {
  if (isRecord(schema)) return schema;
  if (!Array.isArray(schema) || schema.length !== 2 || !schema.some(isNull)) return undefined;
  const other: unknown = schema.find((branch) => !isNull(branch));
  return isRecord(other) ? other : undefined;
}

function render(mapped: MappedType): string {
  return withNullability(mapped.type, mapped.nullable);
}

/** One instance per schema: it remembers the named types (record, enum, fixed) defined so far. */
class AvroTypeMapper {
  /** full name → Flink type of a named type whose definition is complete */
  private readonly named = new Map<string, string>();
  /** full names of records whose fields are being mapped: a reference to one of them is recursion */
  private readonly inProgress = new Set<string>();

  constructor(private readonly view: AvroView) {}

  map(schema: unknown, namespace: string, path: string): MappedType {
    if (Array.isArray(schema)) return this.union(schema, namespace, path);
    if (typeof schema === 'string') return this.byName(schema, namespace, path);
    if (!isObject(schema)) throw invalid(`expected a type, got ${JSON.stringify(schema)}`, path);
    const type = schema['type'];
    if (typeof type !== 'string') throw invalid('a schema object needs a string "type"', path);
    switch (type) {
      case 'record':
      case 'error':
        return this.record(schema, namespace, path);
      case 'enum':
        return this.defineNamed(schema, namespace, path, () => this.enumType(schema, path));
      case 'fixed':
        return this.defineNamed(schema, namespace, path, () => this.fixedType(schema, path));
      case 'array':
        return {
          type: `ARRAY<${render(this.map(schema['items'], namespace, `${path}[]`))}>`,
          nullable: false,
        };
      case 'map':
        return {
          type: `MAP<STRING NOT NULL, ${render(this.map(schema['values'], namespace, `${path}{}`))}>`,
          nullable: false,
        };
      default:
        return { type: this.logicalOrPrimitive(schema, type, namespace, path), nullable: false };
    }
  }

  recordFields(schema: JsonObject, namespace: string, path: string): FlinkColumn[] {
    const fullName = this.fullNameOf(schema, namespace, path);
    if (this.named.has(fullName) || this.inProgress.has(fullName)) {
      throw invalid(`the name "${fullName}" is defined twice`, path);
    }
    const fields = schema['fields'];
    if (!Array.isArray(fields)) throw invalid(`record "${fullName}" needs a "fields" array`, path);
    if (fields.length === 0) {
      throw unsupported(`record "${fullName}" has no fields; Flink has no empty ROW`, path);
    }
    this.inProgress.add(fullName);
    const ownNamespace = namespaceOf(fullName);
    const seen = new Set<string>();
    const columns = fields.map((field: unknown, index): FlinkColumn => {
      const name = isObject(field) ? field['name'] : undefined;
      if (typeof name !== 'string' || name === '' || !isObject(field) || !('type' in field)) {
        throw invalid(`field ${index} of "${fullName}" needs a name and a type`, path);
      }
      if (seen.has(name)) throw invalid(`record "${fullName}" has two fields "${name}"`, path);
      seen.add(name);
      return { name, type: render(this.map(field['type'], ownNamespace, path ? `${path}.${name}` : name)) };
    });
    this.inProgress.delete(fullName);
    this.named.set(fullName, rowType(columns));
    return columns;
  }

  private record(schema: JsonObject, namespace: string, path: string): MappedType {
    return { type: rowType(this.recordFields(schema, namespace, path)), nullable: false };
  }

  /** `["null", T]` → nullable T; any other union → a ROW with one nullable field per non-null branch. */
  private union(branches: unknown[], namespace: string, path: string): MappedType {
    if (branches.length === 0) throw invalid('a union needs at least one branch', path);
    if (branches.some(Array.isArray)) throw invalid('a union cannot contain a union', path);
    const nulls = branches.filter(isNull).length;
    if (nulls > 1) throw invalid('a union lists "null" twice', path);
    const nonNull = branches.filter((branch) => !isNull(branch));
    if (nonNull.length === 0) throw unsupported('a union of only "null" has no Flink type', path);
    if (nonNull.length === 1) return { ...this.map(nonNull[0], namespace, path), nullable: nulls === 1 };
    const fields = nonNull.map((branch) => {
      const mapped = this.map(branch, namespace, path);
      return { ...this.branchNames(branch, namespace), type: mapped.type };
    });
    const shortNameCounts = new Map<string, number>();
    for (const { shortName } of fields) {
      shortNameCounts.set(shortName, (shortNameCounts.get(shortName) ?? 0) + 1);
    }
    const columns = fields.map(({ shortName, fullName, type }) => ({
      name: (shortNameCounts.get(shortName) ?? 0) > 1 ? fullName : shortName,
      type,
    }));
    if (new Set(columns.map((column) => column.name)).size < columns.length) {
      throw invalid('a union lists the same type twice', path);
    }
    const type = this.view === 'flink-derived' ? FLINK_DERIVED_GENERAL_UNION : rowType(columns);
    return { type, nullable: nulls === 1 };
  }

  /** Union ROW fields are named after the branch: `int`, `string`, `array`, or a named type's name. */
  private branchNames(branch: unknown, namespace: string): { shortName: string; fullName: string } {
    let name: string;
    if (typeof branch === 'string') {
      name = branch in PRIMITIVE_TYPES ? branch : (this.resolve(branch, namespace) ?? branch);
    } else if (isObject(branch) && ['record', 'error', 'enum', 'fixed'].includes(String(branch['type']))) {
      name = fullName(String(branch['name']), branch['namespace'], namespace);
    } else {
      name = isObject(branch) ? String(branch['type']) : String(branch);
    }
    return { shortName: name.slice(name.lastIndexOf('.') + 1), fullName: name };
  }

  private byName(name: string, namespace: string, path: string): MappedType {
    const primitive = PRIMITIVE_TYPES[name];
    if (primitive) return { type: primitive, nullable: false };
    if (name === 'null') throw unsupported('a field of type "null" has no Flink type', path);
    const resolved = this.resolve(name, namespace);
    if (resolved === undefined) throw invalid(`unknown type "${name}"`, path);
    const type = this.named.get(resolved);
    if (type === undefined) {
      throw unsupported(
        `"${resolved}" refers to itself; Flink SQL has no recursive types (flatten or bound the recursion)`,
        path,
      );
    }
    return { type, nullable: false };
  }

  /** The full name a reference means: in the enclosing namespace first, then in the null namespace. */
  private resolve(name: string, namespace: string): string | undefined {
    const candidates = name.includes('.') || namespace === '' ? [name] : [`${namespace}.${name}`, name];
    return candidates.find((candidate) => this.named.has(candidate) || this.inProgress.has(candidate));
  }

  private defineNamed(schema: JsonObject, namespace: string, path: string, typeOf: () => string): MappedType {
    const name = this.fullNameOf(schema, namespace, path);
    if (this.named.has(name) || this.inProgress.has(name)) {
      throw invalid(`the name "${name}" is defined twice`, path);
    }
    const type = typeOf();
    this.named.set(name, type);
    return { type, nullable: false };
  }

  private fullNameOf(schema: JsonObject, namespace: string, path: string): string {
    const name = schema['name'];
    if (typeof name !== 'string' || name === '') {
      throw invalid(`a ${String(schema['type'])} needs a "name"`, path);
    }
    return fullName(name, schema['namespace'], namespace);
  }

  private enumType(schema: JsonObject, path: string): string {
    if (!Array.isArray(schema['symbols'])) throw invalid('an enum needs a "symbols" array', path);
    return 'STRING';
  }

  private fixedType(schema: JsonObject, path: string): string {
    const size = schema['size'];
    if (typeof size !== 'number' || !Number.isInteger(size) || size < 0) {
      throw invalid('a fixed needs a non-negative integer "size"', path);
    }
    if (size === 0) throw unsupported('a fixed of size 0 has no Flink type (BINARY(0))', path);
    return decimalType(schema, maxDecimalPrecisionForFixed(size), path) ?? FIXED_TYPES[this.view](size);
  }

  private logicalOrPrimitive(schema: JsonObject, type: string, namespace: string, path: string): string {
    if (!(type in PRIMITIVE_TYPES)) return this.byName(type, namespace, path).type;
    const logical = schema['logicalType'];
    if (logical === 'decimal' && type === 'bytes') {
      return decimalType(schema, Number.POSITIVE_INFINITY, path) ?? 'BYTES';
    }
    return LOGICAL_TYPES[`${String(logical)}/${type}`]?.[this.view] ?? PRIMITIVE_TYPES[type] ?? type;
  }
}

function fullName(name: string, ownNamespace: unknown, enclosingNamespace: string): string {
  if (name.includes('.')) return name;
  const namespace = typeof ownNamespace === 'string' ? ownNamespace : enclosingNamespace;
  return namespace ? `${namespace}.${name}` : name;
}

function namespaceOf(fullName: string): string {
  return fullName.includes('.') ? fullName.slice(0, fullName.lastIndexOf('.')) : '';
}

/** The most decimal digits a two's-complement number of `size` bytes holds. */
function maxDecimalPrecisionForFixed(size: number): number {
  return Math.floor((8 * size - 1) * Math.log10(2));
}

/** `DECIMAL(p,s)`, or undefined when the schema is not a valid decimal (then the underlying type is used). */
function decimalType(schema: JsonObject, maxPrecision: number, path: string): string | undefined {
  if (schema['logicalType'] !== 'decimal') return undefined;
  const precision = schema['precision'];
  const scale = schema['scale'] ?? 0;
  if (typeof precision !== 'number' || !Number.isInteger(precision) || precision < 1) return undefined;
  if (typeof scale !== 'number' || !Number.isInteger(scale) || scale < 0 || scale > precision) {
    return undefined;
  }
  if (precision > maxPrecision) return undefined;
  if (precision > MAX_DECIMAL_PRECISION) {
    throw unsupported(
      `decimal precision ${precision} exceeds Flink's maximum of ${MAX_DECIMAL_PRECISION}`,
      path,
    );
  }
  return `DECIMAL(${precision}, ${scale})`;
}
