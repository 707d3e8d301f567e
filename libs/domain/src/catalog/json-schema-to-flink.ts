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
 * JSON Schema → Flink SQL columns, the read side of DESIGN §4 for JSON_SR subjects (catalog view).
 *
 * - `integer` is BIGINT unless Kafka Connect's `connect.type` narrows it (int8/16/32/64 → TINYINT/SMALLINT/
 *   INT/BIGINT); `number` is DOUBLE (`connect.type: float32` → FLOAT); `string` with `format` date /
 *   date-time / time → DATE / TIMESTAMP_LTZ(3) / TIME(3), with `connect.type: bytes` → BYTES.
 * - Kafka Connect's logical types, which Confluent's JSON Schema converter writes as a `title`:
 *   `org.apache.kafka.connect.data.Date` / `Time` / `Timestamp` (integers: days, ms of the day, epoch ms) →
 *   DATE / TIME(3) / TIMESTAMP_LTZ(3), and `…Decimal` (a number) → DECIMAL(p, s) with s from
 *   `connect.parameters.scale` (default 0) and p from `connect.parameters["connect.decimal.precision"]`
 *   (default 38, Flink's maximum).
 * - `object` with `properties` → ROW (columns at the top level); an object with only a schema in
 *   `additionalProperties` (or `connect.type: map`) → MAP<STRING NOT NULL, V>; Connect's encoding of a map
 *   with non-string keys (an array with `connect.type: map` of `{key, value}` objects) → MAP<K, V>.
 * - Nullability: `type: ["null", X]` or `oneOf`/`anyOf` with a `{"type": "null"}` branch make X nullable, and
 *   so does leaving a property out of `required` (it may be absent). Everything else is NOT NULL.
 * - Other unions (`type: [X, Y]`, `oneOf`/`anyOf` of several) → ROW of nullable branches named after the
 *   branch's `title`, its `$ref` name, or its type.
 * - `$ref` within the document (`#/definitions/…`, `#/$defs/…`) resolves; recursion and refs to other
 *   documents are SCHEMA_UNSUPPORTED, as are schemas that accept any JSON value (`{}`, `true`).
 */
export interface JsonSchemaMappingOptions {
  /** the column a non-object schema (e.g. a plain string key) becomes; default `val` */
  singleColumnName?: string;
}

const FORMAT = 'JSON Schema';
const invalid = (message: string, path: string) => schemaInvalidError(FORMAT, message, path);
const unsupported = (message: string, path: string) => schemaUnsupportedError(FORMAT, message, path);

interface ScalarRule {
  type: string;
  /** Kafka Connect logical types (the schema's `title`) */
  byTitle?: Readonly<Record<string, (schema: JsonObject, path: string) => string>>;
  byConnectType?: Readonly<Record<string, string>>;
  byFormat?: Readonly<Record<string, string>>;
}

const CONNECT = 'org.apache.kafka.connect.data';
/** Flink's DECIMAL holds at most 38 digits. */
const MAX_DECIMAL_PRECISION = 38;

const SCALARS: Readonly<Record<string, ScalarRule>> = {
  integer: {
    type: 'BIGINT',
    byTitle: {
      [`${CONNECT}.Date`]: () => 'DATE',
      [`${CONNECT}.Time`]: () => 'TIME(3)',
      [`${CONNECT}.Timestamp`]: () => 'TIMESTAMP_LTZ(3)',
    },
    byConnectType: { int8: 'TINYINT', int16: 'SMALLINT', int32: 'INT', int64: 'BIGINT' },
  },
  number: {
    type: 'DOUBLE',
    byTitle: { [`${CONNECT}.Decimal`]: connectDecimal },
    byConnectType: { float32: 'FLOAT', float64: 'DOUBLE' },
  },
  boolean: { type: 'BOOLEAN' },
  string: {
    type: 'STRING',
    byConnectType: { bytes: 'BYTES' },
    byFormat: { date: 'DATE', 'date-time': 'TIMESTAMP_LTZ(3)', time: 'TIME(3)' },
  },
};

interface MappedType {
  /** without nullability */
  type: string;
  nullable: boolean;
}

export function jsonSchemaToFlinkColumns(
  input: string | object,
  options: JsonSchemaMappingOptions = {},
): FlinkColumn[] {
  const root = parseSchemaJson(FORMAT, input);
  const mapper = new JsonSchemaTypeMapper(root);
  const object = mapper.topLevelObject(root);
  if (object) return mapper.properties(object, '');
  const mapped = mapper.map(root, '');
  return [{ name: options.singleColumnName ?? 'val', type: withNullability(mapped.type, mapped.nullable) }];
}

/** An object with properties (possibly nullable or behind `$ref`): its properties become columns. */
export function isJsonSchemaObject(input: string | object): boolean {
  const root = parseSchemaJson(FORMAT, input);
  return new JsonSchemaTypeMapper(root).topLevelObject(root) !== undefined;
}

/**
 * What the `json-registry` format (flink-json underneath) cannot read although the catalog maps it: values
 * that are not JSON text of the column's type — unions of several types (a ROW of branches), Kafka Connect's
 * maps with non-string keys (arrays of entries) and its integer-encoded Date/Time/Timestamp. One entry per
 * place, `path: what`; empty when every column reads.
 */
export function jsonSchemaFormatLimits(input: string | object): string[] {
  const root = parseSchemaJson(FORMAT, input);
  const mapper = new JsonSchemaTypeMapper(root);
  const object = mapper.topLevelObject(root);
  if (object) mapper.properties(object, '');
  else mapper.map(root, '');
  return mapper.notJsonText;
}

function isNullSchema(schema: unknown): boolean {
  return isObject(schema) && schema['type'] === 'null';
}

function child(path: string, name: string): string {
  return path ? `${path}.${name}` : name;
}

class JsonSchemaTypeMapper {
  /** `$ref`s being expanded: meeting one again is recursion */
  private readonly refsInProgress = new Set<string>();
  /** see jsonSchemaFormatLimits */
  readonly notJsonText: string[] = [];

  constructor(private readonly root: unknown) {}

  /** An object with properties, possibly behind `$ref` or a nullable `oneOf`, exposes them as columns. */
  topLevelObject(schema: unknown, refsSeen: ReadonlySet<string> = new Set()): JsonObject | undefined {
    if (!isObject(schema)) return undefined;
    const ref = schema['$ref'];
    if (typeof ref === 'string') {
      if (refsSeen.has(ref)) return undefined; // map() reports the recursion
      return this.topLevelObject(this.dereference(ref, ''), new Set([...refsSeen, ref]));
    }
    const branches = schema['oneOf'] ?? schema['anyOf'];
    if (Array.isArray(branches)) {
      const nonNull = branches.filter((branch) => !isNullSchema(branch));
      return nonNull.length === 1 ? this.topLevelObject(nonNull[0], refsSeen) : undefined;
    }
    const type = schema['type'];
    const isObjectType = type === 'object' || (type === undefined && 'properties' in schema);
    return isObjectType && isObject(schema['properties']) ? schema : undefined;
  }

  map(schema: unknown, path: string): MappedType {
    if (typeof schema === 'boolean') throw unsupported('a boolean schema has no Flink type', path);
    if (!isObject(schema)) throw invalid(`expected a schema object, got ${JSON.stringify(schema)}`, path);
    const ref = schema['$ref'];
    if (typeof ref === 'string') {
      if (this.refsInProgress.has(ref)) {
        throw unsupported(`"${ref}" refers to itself; Flink SQL has no recursive types`, path);
      }
      this.refsInProgress.add(ref);
      const mapped = this.map(this.dereference(ref, path), path);
      this.refsInProgress.delete(ref);
      return mapped;
    }
    const branches = schema['oneOf'] ?? schema['anyOf'];
    if (branches !== undefined) {
      if (!Array.isArray(branches)) throw invalid('"oneOf"/"anyOf" must be an array', path);
      return this.union(branches, path);
    }
    const allOf = schema['allOf'];
    if (Array.isArray(allOf) && allOf.length === 1) return this.map(allOf[0], path);
    if (allOf !== undefined) throw unsupported('"allOf" of several schemas is not mapped', path);
    const type = schema['type'] ?? inferType(schema);
    if (type === undefined) throw unsupported('the schema accepts any JSON value', path);
    if (Array.isArray(type)) {
      return this.union(
        type.map((each: unknown) => ({ ...schema, type: each })),
        path,
      );
    }
    return { type: this.single(schema, type, path), nullable: false };
  }

  properties(schema: JsonObject, path: string): FlinkColumn[] {
    const properties = schema['properties'];
    if (!isObject(properties)) throw invalid('"properties" must be an object', path);
    const names = Object.keys(properties);
    if (names.length === 0) throw unsupported('an object without properties has no Flink ROW', path);
    const required = Array.isArray(schema['required']) ? schema['required'] : [];
    return names.map((name) => {
      const mapped = this.map(properties[name], child(path, name));
      return { name, type: withNullability(mapped.type, mapped.nullable || !required.includes(name)) };
    });
  }

  private single(schema: JsonObject, type: unknown, path: string): string {
    if (type === 'object') return this.object(schema, path);
    if (type === 'array' && schema['connect.type'] === 'map') return this.connectMap(schema, path);
    if (type === 'array') {
      const items = schema['items'];
      if (items === undefined || Array.isArray(items)) {
        throw unsupported('an array needs one "items" schema (tuples are not mapped)', path);
      }
      const element = this.map(items, `${path}[]`);
      return `ARRAY<${withNullability(element.type, element.nullable)}>`;
    }
    if (type === 'null') throw unsupported('a value that is always null has no Flink type', path);
    const rule = typeof type === 'string' ? SCALARS[type] : undefined;
    if (!rule) throw invalid(`unknown type ${JSON.stringify(type)}`, path);
    const title = schema['title'];
    const logical = typeof title === 'string' ? rule.byTitle?.[title] : undefined;
    if (logical && type === 'integer')
      this.notJsonText.push(`${path}: Kafka Connect's integer-encoded ${String(title).split('.').at(-1)}`);
    if (logical) return logical(schema, path);
    return (
      rule.byConnectType?.[String(schema['connect.type'])] ??
      rule.byFormat?.[String(schema['format'])] ??
      rule.type
    );
  }

  private object(schema: JsonObject, path: string): string {
    if (isObject(schema['properties']) && Object.keys(schema['properties']).length > 0) {
      return rowType(this.properties(schema, path));
    }
    const values = schema['additionalProperties'];
    if (isObject(values)) {
      const value = this.map(values, `${path}{}`);
      return `MAP<STRING NOT NULL, ${withNullability(value.type, value.nullable)}>`;
    }
    throw unsupported('an object without properties or an "additionalProperties" schema', path);
  }

  /** Connect writes `Map<K, V>` with non-string keys as `[{"key": K, "value": V}, …]`. */
  private connectMap(schema: JsonObject, path: string): string {
    this.notJsonText.push(`${path}: Kafka Connect's map with non-string keys`);
    const entry = this.topLevelObject(schema['items']);
    const properties = entry?.['properties'];
    if (!entry || !isObject(properties) || !('key' in properties) || !('value' in properties)) {
      throw invalid('a "connect.type": "map" array needs items with "key" and "value" properties', path);
    }
    const [key, value] = this.properties(
      { ...entry, properties: { key: properties['key'], value: properties['value'] } },
      `${path}{}`,
    );
    return `MAP<${key!.type}, ${value!.type}>`;
  }

  /** Null branches make the rest nullable; one other branch is that type, several are a ROW of branches. */
  private union(branches: unknown[], path: string): MappedType {
    const nullable = branches.some(isNullSchema);
    const nonNull = branches.filter((branch) => !isNullSchema(branch));
    if (nonNull.length === 0) throw unsupported('a value that is always null has no Flink type', path);
    if (nonNull.length === 1) {
      const only = this.map(nonNull[0], path);
      return { type: only.type, nullable: nullable || only.nullable };
    }
    this.notJsonText.push(`${path || 'the value'}: a union of several types`);
    const used = new Set<string>();
    const fields = nonNull.map((branch, index) => {
      let name = branchName(branch) ?? `option_${index}`;
      if (used.has(name)) name = `${name}_${index}`;
      used.add(name);
      return { name, type: this.map(branch, child(path, name)).type };
    });
    return { type: rowType(fields), nullable };
  }

  private dereference(ref: string, path: string): unknown {
    if (!ref.startsWith('#')) throw unsupported(`"${ref}" points outside this schema`, path);
    let target: unknown = this.root;
    for (const raw of ref.slice(1).split('/').slice(1)) {
      const key = decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~');
      target = isObject(target) ? target[key] : Array.isArray(target) ? target[Number(key)] : undefined;
      if (target === undefined) throw invalid(`"${ref}" points at nothing`, path);
    }
    return target;
  }
}

function inferType(schema: JsonObject): string | undefined {
  if ('properties' in schema || 'additionalProperties' in schema) return 'object';
  if ('items' in schema) return 'array';
  const values = Array.isArray(schema['enum']) ? schema['enum'] : 'const' in schema ? [schema['const']] : [];
  return values.length > 0 && values.every((value) => typeof value === 'string') ? 'string' : undefined;
}

function branchName(branch: unknown): string | undefined {
  if (!isObject(branch)) return undefined;
  if (typeof branch['title'] === 'string') return branch['title'];
  if (typeof branch['$ref'] === 'string') return branch['$ref'].slice(branch['$ref'].lastIndexOf('/') + 1);
  return typeof branch['type'] === 'string' ? branch['type'] : undefined;
}

/** Connect's Decimal: `{"type": "number", "title": "…Decimal", "connect.parameters": {"scale": "2", …}}`. */
function connectDecimal(schema: JsonObject, path: string): string {
  const parameters = isObject(schema['connect.parameters']) ? schema['connect.parameters'] : {};
  const precision = Number(parameters['connect.decimal.precision'] ?? MAX_DECIMAL_PRECISION);
  const scale = Number(parameters['scale'] ?? 0);
  const valid = Number.isInteger(precision) && Number.isInteger(scale) && precision >= 1 && scale >= 0;
  if (!valid || scale > precision) {
    throw invalid(`a Connect Decimal needs 0 <= scale <= precision, got (${precision}, ${scale})`, path);
  }
  if (precision > MAX_DECIMAL_PRECISION) {
    throw unsupported(
      `decimal precision ${precision} exceeds Flink's maximum of ${MAX_DECIMAL_PRECISION}`,
      path,
    );
  }
  return `DECIMAL(${precision}, ${scale})`;
}
