import {
  parseProtoFile,
  type ProtobufMappingOptions,
  type ProtoField,
  type ProtoFile,
  resolveProtoType,
  rootMessage,
} from './protobuf-to-flink';

/**
 * What Riffle's `protobuf-registry` Flink format (deploy/flink-formats) needs to decode a Protobuf message
 * into the row `protobufToFlinkColumns` declares: per column, in column order, the field number and wire type
 * of the field it comes from. The Flink side knows the column types; the plan adds what the `.proto` text
 * alone knows (numbers, `sint`/`fixed` encodings, enum value names, which messages are well-known types).
 * Rendered as compact JSON into the table option `protobuf-registry.plan`.
 *
 * A field is `{n, t}` with `t` a scalar proto type (`int32`, `sint64`, `fixed32`, `string` …), `enum` (with
 * `e`, value number → name), `message` (with `m`, the nested plan), `timestamp`, `date`, `timeofday`,
 * `decimal` (Confluent's), or `wrapper` (with `w`, the wrapped scalar); `r: 1` marks `repeated`, and
 * `map<K, V>` is `{n, t: 'map', k: K, v: V's field plan}`. A oneof column is `{o: [its fields]}`.
 */
export type WireField =
  | {
      n: number;
      t: string;
      r?: 1;
      e?: Record<string, string>;
      m?: WireField[];
      w?: string;
      k?: string;
      v?: WireField;
    }
  | { o: WireField[] };

const WELL_KNOWN: Readonly<Record<string, string>> = {
  'google.protobuf.Timestamp': 'timestamp',
  'google.type.Date': 'date',
  'google.type.TimeOfDay': 'timeofday',
  'confluent.type.Decimal': 'decimal',
};

const WRAPPERS: Readonly<Record<string, string>> = {
  'google.protobuf.DoubleValue': 'double',
  'google.protobuf.FloatValue': 'float',
  'google.protobuf.Int64Value': 'int64',
  'google.protobuf.UInt64Value': 'uint64',
  'google.protobuf.Int32Value': 'int32',
  'google.protobuf.UInt32Value': 'uint32',
  'google.protobuf.BoolValue': 'bool',
  'google.protobuf.StringValue': 'string',
  'google.protobuf.BytesValue': 'bytes',
};

const SCALAR_TYPES = new Set([
  ...['double', 'float', 'int32', 'sint32', 'sfixed32', 'uint32', 'fixed32'],
  ...['int64', 'sint64', 'sfixed64', 'uint64', 'fixed64', 'bool', 'string', 'bytes'],
]);

/** The plan of the message `protobufToFlinkColumns` maps (same options); call it on a schema that maps. */
export function protobufWirePlan(protoText: string, options: ProtobufMappingOptions = {}): WireField[] {
  const file = parseProtoFile(protoText);
  return messagePlan(file, rootMessage(file, options));
}

function messagePlan(file: ProtoFile, message: string): WireField[] {
  return (file.messages.get(message) ?? []).map((member) =>
    member.kind === 'field'
      ? fieldPlan(file, member.field, message)
      : { o: member.fields.map((field) => fieldPlan(file, field, message)) },
  );
}

function fieldPlan(file: ProtoFile, field: ProtoField, scope: string): WireField {
  const value = typePlan(file, field.type, scope);
  if (field.mapKey !== undefined) return { n: field.number, t: 'map', k: field.mapKey, v: value };
  return { ...value, n: field.number, ...(field.label === 'repeated' ? { r: 1 as const } : {}) };
}

function typePlan(file: ProtoFile, type: string, scope: string): WireField & { n: number } {
  if (SCALAR_TYPES.has(type)) return { n: 1, t: type };
  const resolved = resolveProtoType(file, type, scope);
  if (resolved === undefined) {
    const name = type.replace(/^\./, '');
    const wrapped = WRAPPERS[name];
    return wrapped ? { n: 1, t: 'wrapper', w: wrapped } : { n: 1, t: WELL_KNOWN[name] ?? 'unknown' };
  }
  const values = file.enums.get(resolved);
  if (values) return { n: 1, t: 'enum', e: Object.fromEntries(values) };
  return { n: 1, t: 'message', m: messagePlan(file, resolved) };
}
