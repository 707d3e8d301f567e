import {
  type FlinkColumn,
  rowType,
  schemaInvalidError,
  schemaUnsupportedError,
  withNullability,
} from './flink-columns';

/**
 * Protobuf (`.proto` text, as the registry stores it) → Flink SQL columns, the read side of DESIGN §4
 * (catalog view). The columns are those of the first message in the file (the registry's default message
 * index), or of `options.messageName`.
 *
 * - Scalars by proto type (table below); unsigned types map as Flink's `protobuf` format maps them
 *   (uint32/fixed32 → INT, uint64/fixed64 → BIGINT), so values above the signed maximum read negative.
 * - enum → STRING, message → ROW, `repeated T` → ARRAY<T NOT NULL>, `map<K, V>` → MAP<K NOT NULL, V NOT NULL>,
 *   `oneof o { … }` → a column `o` of type ROW with one nullable field per member.
 * - Nullability follows field presence: message fields and `optional` fields are nullable; proto3 scalars
 *   without `optional` and proto2 `required` fields are NOT NULL.
 * - `google.protobuf.Timestamp` → TIMESTAMP_LTZ(9), `google.type.Date` → DATE, `google.type.TimeOfDay` →
 *   TIME(3), the `google.protobuf.*Value` wrappers → their nullable scalar, and Confluent's
 *   `confluent.type.Decimal` → DECIMAL(p, s) from the field's `(confluent.field_meta).params` `precision` /
 *   `scale` (defaults 38 and 0, as Kafka Connect reads them). An `int32` whose field meta says
 *   `connect.type` int8 / int16 is TINYINT / SMALLINT (how Connect and Confluent write them). Other imported
 *   types are not resolved (SCHEMA_UNSUPPORTED; registry `references` are not fetched), nor are recursive
 *   messages, proto2 groups or editions.
 * The parser is deliberately minimal: it reads declarations and skips options, services and extensions.
 */
export interface ProtobufMappingOptions {
  /** the message whose fields become the columns (full or simple name); default the file's first message */
  messageName?: string;
}

const FORMAT = 'Protobuf';
const invalid = (message: string, path?: string) => schemaInvalidError(FORMAT, message, path);
const unsupported = (message: string, path?: string) => schemaUnsupportedError(FORMAT, message, path);

const SCALARS: Readonly<Record<string, string>> = {
  double: 'DOUBLE',
  float: 'FLOAT',
  int32: 'INT',
  sint32: 'INT',
  sfixed32: 'INT',
  uint32: 'INT',
  fixed32: 'INT',
  int64: 'BIGINT',
  sint64: 'BIGINT',
  sfixed64: 'BIGINT',
  uint64: 'BIGINT',
  fixed64: 'BIGINT',
  bool: 'BOOLEAN',
  string: 'STRING',
  bytes: 'BYTES',
};

/** Well-known message types mapped to a Flink type (they are nullable like every message field). */
const WELL_KNOWN: Readonly<Record<string, string>> = {
  'google.protobuf.Timestamp': 'TIMESTAMP_LTZ(9)',
  'google.type.Date': 'DATE',
  'google.type.TimeOfDay': 'TIME(3)',
  'google.protobuf.DoubleValue': 'DOUBLE',
  'google.protobuf.FloatValue': 'FLOAT',
  'google.protobuf.Int64Value': 'BIGINT',
  'google.protobuf.UInt64Value': 'BIGINT',
  'google.protobuf.Int32Value': 'INT',
  'google.protobuf.UInt32Value': 'INT',
  'google.protobuf.BoolValue': 'BOOLEAN',
  'google.protobuf.StringValue': 'STRING',
  'google.protobuf.BytesValue': 'BYTES',
};

/** Confluent's decimal message; its precision and scale are field options, not part of the type. */
const DECIMAL_MESSAGE = 'confluent.type.Decimal';
/** Flink's DECIMAL holds at most 38 digits. */
const MAX_DECIMAL_PRECISION = 38;
/** `int32` narrowed by the field meta `connect.type` param. */
const CONNECT_INT_TYPES: Readonly<Record<string, string>> = { int8: 'TINYINT', int16: 'SMALLINT' };

type Label = 'required' | 'optional' | 'repeated' | 'none';

export interface ProtoField {
  name: string;
  /** the field number, which the wire format carries */
  number: number;
  type: string;
  label: Label;
  /** set for `map<K, V>` fields (then `type` is V) */
  mapKey?: string;
  /** the `params` of the field's `(confluent.field_meta)` option, e.g. precision and scale */
  params: Readonly<Record<string, string>>;
}

export type ProtoMember =
  { kind: 'field'; field: ProtoField } | { kind: 'oneof'; name: string; fields: ProtoField[] };

export interface ProtoFile {
  proto3: boolean;
  messages: Map<string, ProtoMember[]>;
  /** full name → value number → value name */
  enums: Map<string, Map<number, string>>;
  imports: string[];
}

export function protobufToFlinkColumns(
  protoText: string,
  options: ProtobufMappingOptions = {},
): FlinkColumn[] {
  const file = parseProtoFile(protoText);
  return new ProtoTypeMapper(file).columns(rootMessage(file, options), '');
}

/** The declarations of a `.proto` text (see the module doc for what is read). */
export function parseProtoFile(protoText: string): ProtoFile {
  return new ProtoParser(tokenize(protoText)).parseFile();
}

/** The full name of the message whose fields are the columns. */
export function rootMessage(file: ProtoFile, options: ProtobufMappingOptions = {}): string {
  const names = [...file.messages.keys()];
  const wanted = options.messageName;
  // Nested messages are recorded after their parent, so the first name is the file's first message.
  const root = wanted
    ? (names.find((name) => name === wanted) ?? names.find((name) => name.endsWith(`.${wanted}`)))
    : names[0];
  if (root === undefined)
    throw invalid(wanted ? `no message named "${wanted}"` : 'the file declares no message');
  return root;
}

function tokenize(text: string): string[] {
  const pattern =
    /\s+|\/\/[^\n]*|\/\*[\s\S]*?\*\/|("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|[A-Za-z_.][\w.]*|[-+]?\d[\w.+-]*|\S)/g;
  const tokens: string[] = [];
  for (const match of text.matchAll(pattern)) if (match[1] !== undefined) tokens.push(match[1]);
  return tokens;
}

class ProtoParser {
  private position = 0;
  private readonly file: ProtoFile = { proto3: false, messages: new Map(), enums: new Map(), imports: [] };
  private packageName = '';

  constructor(private readonly tokens: string[]) {}

  parseFile(): ProtoFile {
    while (this.peek() !== undefined) {
      const keyword = this.next();
      if (keyword === 'syntax') {
        this.expect('=');
        this.file.proto3 = this.next().slice(1, -1) === 'proto3';
        this.expect(';');
      } else if (keyword === 'edition') throw unsupported('editions are not supported; use proto2 or proto3');
      else if (keyword === 'package') this.packageName = this.statement()[0] ?? '';
      else if (keyword === 'import') this.file.imports.push(this.statement().join(' '));
      else if (keyword === 'option') this.statement();
      else if (keyword === 'message') this.message(this.packageName);
      else if (keyword === 'enum') this.enumeration(this.packageName);
      else if (keyword === 'service' || keyword === 'extend') this.skipBlock();
      else if (keyword !== ';') throw invalid(`unexpected "${keyword}"`);
    }
    return this.file;
  }

  private message(scope: string): void {
    const fullName = qualify(scope, this.next());
    const members: ProtoMember[] = [];
    this.file.messages.set(fullName, members);
    this.expect('{');
    while (this.peek() !== '}') {
      const token = this.peek();
      if (token === undefined) throw invalid(`message "${fullName}" is not closed`);
      if (token === 'message' || token === 'enum' || token === 'oneof') this.position++;
      if (token === 'message') this.message(fullName);
      else if (token === 'enum') this.enumeration(fullName);
      else if (token === 'oneof')
        members.push({ kind: 'oneof', name: this.next(), fields: this.oneofFields() });
      else if (token === 'option' || token === 'reserved' || token === 'extensions') this.statement();
      else if (token === 'extend') this.skipBlock();
      else if (token === ';') this.position++;
      else members.push({ kind: 'field', field: this.field(fullName) });
    }
    this.expect('}');
  }

  private oneofFields(): ProtoField[] {
    const fields: ProtoField[] = [];
    this.expect('{');
    while (this.peek() !== '}') {
      if (this.peek() === 'option') this.statement();
      else fields.push(this.field(''));
    }
    this.expect('}');
    return fields;
  }

  private field(scope: string): ProtoField {
    let label: Label = 'none';
    const first = this.peek();
    if (first === 'required' || first === 'optional' || first === 'repeated') label = this.next() as Label;
    let type = this.next();
    let mapKey: string | undefined;
    if (type === 'group') throw unsupported(`proto2 groups are not supported (in "${scope}")`);
    if (type === 'map' && this.peek() === '<') {
      this.expect('<');
      mapKey = this.next();
      this.expect(',');
      type = this.next();
      this.expect('>');
    }
    const name = this.next();
    if (!/^[A-Za-z_]\w*$/.test(name)) throw invalid(`expected a field name, got "${name}"`);
    this.expect('=');
    const number = Number(this.next());
    if (!Number.isInteger(number) || number < 1) throw invalid(`field "${name}" needs a positive number`);
    const params = this.peek() === '[' ? metaParams(this.balanced('[', ']')) : {};
    this.expect(';');
    return { name, number, type, label, params, ...(mapKey === undefined ? {} : { mapKey }) };
  }

  /** `NAME = n;` entries; options, `reserved` and value options are skipped */
  private enumeration(scope: string): void {
    const values = new Map<number, string>();
    this.file.enums.set(qualify(scope, this.next()), values);
    const body = this.balanced('{', '}');
    for (let i = 0; i + 2 < body.length; i++) {
      const [name, equals, number] = [body[i]!, body[i + 1], Number(body[i + 2])];
      const entry = equals === '=' && /^[A-Za-z_]\w*$/.test(name) && Number.isInteger(number);
      if (entry && name !== 'option' && !values.has(number)) values.set(number, name);
    }
  }

  /** The tokens up to the next `;`, which is consumed. */
  private statement(): string[] {
    const tokens: string[] = [];
    while (this.peek() !== ';') {
      if (this.peek() === undefined) throw invalid('a statement is missing its ";"');
      tokens.push(this.next());
    }
    this.position++;
    return tokens;
  }

  private skipBlock(): void {
    while (this.peek() !== '{') this.next();
    this.balanced('{', '}');
  }

  /** The tokens between `open` and its matching `close`, which are consumed. */
  private balanced(open: string, close: string): string[] {
    this.expect(open);
    const tokens: string[] = [];
    for (let depth = 1; ;) {
      const token = this.next();
      if (token === open) depth++;
      else if (token === close && --depth === 0) return tokens;
      tokens.push(token);
    }
  }

  private expect(token: string): void {
    const actual = this.next();
    if (actual !== token) throw invalid(`expected "${token}", got "${actual}"`);
  }

  private next(): string {
    const token = this.tokens[this.position++];
    if (token === undefined) throw invalid('unexpected end of file');
    return token;
  }

  private peek(): string | undefined {
    return this.tokens[this.position];
  }
}

/**
 * The `params` map of a `(confluent.field_meta)` option, written in text format as
 * `params: [{key: "precision", value: "10"}, …]` (or one `params { key: … value: … }` per entry).
 */
function metaParams(tokens: readonly string[]): Record<string, string> {
  const params: Record<string, string> = {};
  const unquote = (token: string | undefined) =>
    token && /^["']/.test(token) ? token.slice(1, -1) : undefined;
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i] !== 'key' || tokens[i + 1] !== ':') continue;
    const key = unquote(tokens[i + 2]);
    const at = tokens.indexOf('value', i + 3);
    const value = at >= 0 && tokens[at + 1] === ':' ? unquote(tokens[at + 2]) : undefined;
    if (key !== undefined && value !== undefined) params[key] = value;
  }
  return params;
}

function decimalType(params: Readonly<Record<string, string>>, path: string): string {
  const precision = Number(params['precision'] ?? MAX_DECIMAL_PRECISION);
  const scale = Number(params['scale'] ?? 0);
  if (
    !Number.isInteger(precision) ||
    !Number.isInteger(scale) ||
    precision < 1 ||
    scale < 0 ||
    scale > precision
  ) {
    throw invalid(`a decimal needs 0 <= scale <= precision, got (${precision}, ${scale})`, path);
  }
  if (precision > MAX_DECIMAL_PRECISION) {
    throw unsupported(
      `decimal precision ${precision} exceeds Flink's maximum of ${MAX_DECIMAL_PRECISION}`,
      path,
    );
  }
  return `DECIMAL(${precision}, ${scale})`;
}

function qualify(scope: string, name: string): string {
  return scope ? `${scope}.${name}` : name;
}

class ProtoTypeMapper {
  private readonly rows = new Map<string, string>();
  private readonly inProgress = new Set<string>();

  constructor(private readonly file: ProtoFile) {}

  columns(messageName: string, path: string): FlinkColumn[] {
    const members = this.file.messages.get(messageName) ?? [];
    if (members.length === 0)
      throw unsupported(`message "${messageName}" has no fields; Flink has no empty ROW`, path);
    this.inProgress.add(messageName);
    const columns = members.map((member): FlinkColumn => {
      if (member.kind === 'field') return this.column(member.field, messageName, path);
      const oneofPath = path ? `${path}.${member.name}` : member.name;
      const fields = member.fields.map((field) => this.column(field, messageName, oneofPath, true));
      return { name: member.name, type: rowType(fields) };
    });
    this.inProgress.delete(messageName);
    return columns;
  }

  /** Every member of a oneof may be unset, so `inOneof` fields are nullable whatever their type. */
  private column(field: ProtoField, scope: string, path: string, inOneof = false): FlinkColumn {
    const fieldPath = path ? `${path}.${field.name}` : field.name;
    const value = this.fieldType(field, scope, fieldPath);
    if (field.mapKey !== undefined) {
      const key = SCALARS[field.mapKey];
      if (!key || field.mapKey === 'double' || field.mapKey === 'float' || field.mapKey === 'bytes') {
        throw invalid(`"${field.mapKey}" cannot be a map key`, fieldPath);
      }
      return { name: field.name, type: `MAP<${key} NOT NULL, ${value.type} NOT NULL> NOT NULL` };
    }
    if (field.label === 'repeated')
      return { name: field.name, type: `ARRAY<${value.type} NOT NULL> NOT NULL` };
    const hasPresence =
      inOneof ||
      value.isMessage ||
      field.label === 'optional' ||
      (!this.file.proto3 && field.label === 'none');
    return { name: field.name, type: withNullability(value.type, hasPresence) };
  }

  /** The field's type before repetition and presence: field options refine decimals and small integers. */
  private fieldType(field: ProtoField, scope: string, path: string): { type: string; isMessage: boolean } {
    if (
      field.type.replace(/^\./, '') === DECIMAL_MESSAGE &&
      resolveProtoType(this.file, field.type, scope) === undefined
    ) {
      return { type: decimalType(field.params, path), isMessage: true };
    }
    const narrowed =
      field.type === 'int32' ? CONNECT_INT_TYPES[field.params['connect.type'] ?? ''] : undefined;
    return narrowed ? { type: narrowed, isMessage: false } : this.type(field.type, scope, path);
  }

  private type(name: string, scope: string, path: string): { type: string; isMessage: boolean } {
    const scalar = SCALARS[name];
    if (scalar) return { type: scalar, isMessage: false };
    const resolved = resolveProtoType(this.file, name, scope);
    if (resolved === undefined) {
      const wellKnown = WELL_KNOWN[name.replace(/^\./, '')];
      if (wellKnown) return { type: wellKnown, isMessage: true };
      const why = this.file.imports.length > 0 ? ' (types from imported files are not resolved)' : '';
      if (why) throw unsupported(`unknown type "${name}"${why}`, path);
      throw invalid(`unknown type "${name}"`, path);
    }
    if (this.file.enums.has(resolved)) return { type: 'STRING', isMessage: false };
    if (this.inProgress.has(resolved)) {
      throw unsupported(`message "${resolved}" contains itself; Flink SQL has no recursive types`, path);
    }
    let row = this.rows.get(resolved);
    if (row === undefined) {
      row = rowType(this.columns(resolved, path));
      this.rows.set(resolved, row);
    }
    return { type: row, isMessage: true };
  }
}

/** Protobuf scoping: a relative name is looked up from the innermost enclosing scope outwards. */
export function resolveProtoType(file: ProtoFile, name: string, scope: string): string | undefined {
  const known = (candidate: string) => file.messages.has(candidate) || file.enums.has(candidate);
  if (name.startsWith('.')) return known(name.slice(1)) ? name.slice(1) : undefined;
  for (let current = scope; ; current = current.slice(0, Math.max(current.lastIndexOf('.'), 0))) {
    const candidate = qualify(current, name);
    if (known(candidate)) return candidate;
    if (current === '') return undefined;
  }
}
