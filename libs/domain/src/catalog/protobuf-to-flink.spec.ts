import { RiffleError } from '../riffle-error';
import { protobufToFlinkColumns } from './protobuf-to-flink';

/** A proto3 file whose first message has the one field `decl` (e.g. `int32 f = 1;`). */
function proto3(decl: string, extra = ''): string {
  return `syntax = "proto3";\npackage shop.v1;\nmessage M {\n  ${decl}\n}\n${extra}`;
}

function firstType(text: string): string | undefined {
  return protobufToFlinkColumns(text)[0]?.type;
}

function rejectionOf(text: string): RiffleError {
  try {
    protobufToFlinkColumns(text);
  } catch (error) {
    if (error instanceof RiffleError) return error;
    throw error;
  }
  throw new Error(`expected the file to be rejected:\n${text}`);
}

describe('protobufToFlinkColumns: the mapping table, one row each (proto3)', () => {
  it.each<[string, string]>([
    ['double', 'DOUBLE NOT NULL'],
    ['float', 'FLOAT NOT NULL'],
    ['int32', 'INT NOT NULL'],
    ['sint32', 'INT NOT NULL'],
    ['sfixed32', 'INT NOT NULL'],
    ['uint32', 'INT NOT NULL'],
    ['fixed32', 'INT NOT NULL'],
    ['int64', 'BIGINT NOT NULL'],
    ['sint64', 'BIGINT NOT NULL'],
    ['sfixed64', 'BIGINT NOT NULL'],
    ['uint64', 'BIGINT NOT NULL'],
    ['fixed64', 'BIGINT NOT NULL'],
    ['bool', 'BOOLEAN NOT NULL'],
    ['string', 'STRING NOT NULL'],
    ['bytes', 'BYTES NOT NULL'],
    ['google.protobuf.Timestamp', 'TIMESTAMP_LTZ(9)'],
    ['.google.protobuf.Timestamp', 'TIMESTAMP_LTZ(9)'],
    ['google.type.Date', 'DATE'],
    ['google.type.TimeOfDay', 'TIME(3)'],
    ['google.protobuf.DoubleValue', 'DOUBLE'],
    ['google.protobuf.FloatValue', 'FLOAT'],
    ['google.protobuf.Int64Value', 'BIGINT'],
    ['google.protobuf.UInt64Value', 'BIGINT'],
    ['google.protobuf.Int32Value', 'INT'],
    ['google.protobuf.UInt32Value', 'INT'],
    ['google.protobuf.BoolValue', 'BOOLEAN'],
    ['google.protobuf.StringValue', 'STRING'],
    ['google.protobuf.BytesValue', 'BYTES'],
    ['confluent.type.Decimal', 'DECIMAL(38, 0)'],
  ])('%s', (protoType, flink) => {
    expect(firstType(proto3(`${protoType} f = 1;`))).toBe(flink);
  });

  it.each<[string, string, string]>([
    ['optional scalar', 'optional int64 f = 1;', 'BIGINT'],
    ['enum', 'Color f = 1;', 'STRING NOT NULL'],
    ['message', 'Inner f = 1;', 'ROW<`x` INT NOT NULL>'],
    ['repeated', 'repeated string f = 1;', 'ARRAY<STRING NOT NULL> NOT NULL'],
    ['repeated message', 'repeated Inner f = 1;', 'ARRAY<ROW<`x` INT NOT NULL> NOT NULL> NOT NULL'],
    ['map', 'map<string, int64> f = 1;', 'MAP<STRING NOT NULL, BIGINT NOT NULL> NOT NULL'],
    [
      'map with an integer key',
      'map<int32, Inner> f = 1;',
      'MAP<INT NOT NULL, ROW<`x` INT NOT NULL> NOT NULL> NOT NULL',
    ],
    [
      'oneof',
      'oneof f { string s = 1; Inner i = 2; int32 n = 3; }',
      'ROW<`s` STRING, `i` ROW<`x` INT NOT NULL>, `n` INT>',
    ],
  ])('%s', (_row, decl, flink) => {
    const extra = 'enum Color { RED = 0; GREEN = 1; }\nmessage Inner { int32 x = 1; }';
    expect(firstType(proto3(decl, extra))).toBe(flink);
  });
});

describe('protobufToFlinkColumns: Confluent field meta', () => {
  const meta = (params: string) => `[(confluent.field_meta) = { params: [${params}] }]`;
  it.each<[string, string, string]>([
    [
      'a decimal with precision and scale',
      `confluent.type.Decimal f = 1 ${meta('{ key: "precision", value: "10" }, { key: "scale", value: "2" }')};`,
      'DECIMAL(10, 2)',
    ],
    [
      'a decimal in text format without commas',
      'confluent.type.Decimal f = 1 [(confluent.field_meta) = { params { key: "scale" value: "3" } params { key: "precision" value: "5" } }];',
      'DECIMAL(5, 3)',
    ],
    [
      'a fully-qualified decimal with only a scale',
      `.confluent.type.Decimal f = 1 ${meta('{key: "scale", value: "4"}')};`,
      'DECIMAL(38, 4)',
    ],
    [
      'a repeated decimal',
      `repeated confluent.type.Decimal f = 1 ${meta('{key: "precision", value: "6"}')};`,
      'ARRAY<DECIMAL(6, 0) NOT NULL> NOT NULL',
    ],
    [
      'int32 as connect int8',
      `int32 f = 1 ${meta('{key: "connect.type", value: "int8"}')};`,
      'TINYINT NOT NULL',
    ],
    [
      'int32 as connect int16',
      `optional int32 f = 1 ${meta('{key: "connect.type", value: "int16"}')};`,
      'SMALLINT',
    ],
    ['other field options', 'int32 f = 1 [deprecated = true, json_name = "F"];', 'INT NOT NULL'],
  ])('%s', (_row, decl, flink) => {
    expect(
      firstType(proto3(decl, 'import "confluent/meta.proto";\nimport "confluent/type/decimal.proto";')),
    ).toBe(flink);
  });

  it('uses a message of the file named like the decimal type rather than the well-known one', () => {
    const text =
      'syntax = "proto3"; package confluent.type; message M { Decimal d = 1; } message Decimal { string v = 1; }';
    expect(firstType(text)).toBe('ROW<`v` STRING NOT NULL>');
  });

  it.each<[string, string, string]>([
    ['a decimal wider than 38 digits', '{key: "precision", value: "39"}', 'SCHEMA_UNSUPPORTED'],
    [
      'a decimal with scale above precision',
      '{key: "precision", value: "2"}, {key: "scale", value: "3"}',
      'SCHEMA_INVALID',
    ],
    ['a decimal with a non-numeric precision', '{key: "precision", value: "ten"}', 'SCHEMA_INVALID'],
  ])('rejects %s', (_case, params, code) => {
    expect(rejectionOf(proto3(`confluent.type.Decimal f = 1 ${meta(params)};`)).code).toBe(code);
  });
});

describe('protobufToFlinkColumns: proto2 presence', () => {
  it.each<[string, string, string]>([
    ['required', 'required int32 f = 1;', 'INT NOT NULL'],
    ['optional', 'optional int32 f = 1 [default = 7];', 'INT'],
    ['repeated', 'repeated int32 f = 1 [packed = true];', 'ARRAY<INT NOT NULL> NOT NULL'],
  ])('%s', (_row, decl, flink) => {
    expect(firstType(`syntax = "proto2";\nmessage M { ${decl} }`)).toBe(flink);
  });

  it('treats a file without a syntax statement as proto2', () => {
    expect(firstType('message M { optional string s = 1; }')).toBe('STRING');
  });
});

describe('protobufToFlinkColumns: structure', () => {
  const orders = `
    // An order, as the registry stores it
    syntax = "proto3";
    package shop.v1;
    import "google/protobuf/timestamp.proto";
    option java_package = "com.shop.v1";

    /* the first message is the value */
    message Order {
      option (my.opt) = { a: 1 };
      reserved 4, 9 to 11;
      reserved "legacy";
      int64 id = 1;
      Customer customer = 2;
      repeated Line lines = 3;
      google.protobuf.Timestamp placed_at = 5 [json_name = "placedAt"];
      Status status = 6;
      message Line { string sku = 1; Money price = 2; }
      enum Status { STATUS_UNSPECIFIED = 0; PAID = 1; }
    }
    message Customer { string name = 1; .shop.v1.Money credit = 2; }
    message Money { string currency = 1; int64 units = 2; }
    service Orders { rpc Get (Order) returns (Order) { option idempotency_level = NO_SIDE_EFFECTS; } }
  `;
  const money = 'ROW<`currency` STRING NOT NULL, `units` BIGINT NOT NULL>';

  it('maps the first message, resolving nested, sibling and fully-qualified types', () => {
    expect(protobufToFlinkColumns(orders)).toEqual([
      { name: 'id', type: 'BIGINT NOT NULL' },
      { name: 'customer', type: `ROW<\`name\` STRING NOT NULL, \`credit\` ${money}>` },
      { name: 'lines', type: `ARRAY<ROW<\`sku\` STRING NOT NULL, \`price\` ${money}> NOT NULL> NOT NULL` },
      { name: 'placed_at', type: 'TIMESTAMP_LTZ(9)' },
      { name: 'status', type: 'STRING NOT NULL' },
    ]);
  });

  it.each([['Money'], ['shop.v1.Money']])('maps the message named %s when asked', (messageName) => {
    expect(protobufToFlinkColumns(orders, { messageName })).toEqual([
      { name: 'currency', type: 'STRING NOT NULL' },
      { name: 'units', type: 'BIGINT NOT NULL' },
    ]);
  });

  it('maps a nested message named by its simple name', () => {
    expect(protobufToFlinkColumns(orders, { messageName: 'Line' }).map((column) => column.name)).toEqual([
      'sku',
      'price',
    ]);
  });
});

describe('protobufToFlinkColumns: rejections', () => {
  it.each<[string, string]>([
    ['a message containing itself', proto3('M next = 1;')],
    ['mutual recursion', proto3('A a = 1;', 'message A { repeated M back = 1; }')],
    ['a type from an imported file', proto3('other.Thing f = 1;', 'import "other.proto";')],
    ['a message without fields', proto3('Empty e = 1;', 'message Empty {}')],
    ['a proto2 group', 'syntax = "proto2"; message M { optional group G = 1 { optional int32 a = 2; } }'],
    ['editions', 'edition = "2023"; message M { int32 a = 1; }'],
  ])('rejects %s as SCHEMA_UNSUPPORTED', (_case, text) => {
    expect(rejectionOf(text)).toMatchObject({ code: 'SCHEMA_UNSUPPORTED', kind: 'invalid' });
  });

  it('says which message is recursive and where', () => {
    expect(rejectionOf(proto3('string s = 1;\n  M next = 2;')).message).toBe(
      'Protobuf schema at next cannot be mapped to Flink SQL: message "shop.v1.M" contains itself; ' +
        'Flink SQL has no recursive types',
    );
  });

  it.each<[string, string]>([
    ['an empty file', ''],
    ['a file without messages', 'syntax = "proto3"; enum E { A = 0; }'],
    ['an unknown type', proto3('Nope f = 1;')],
    ['an unclosed message', 'syntax = "proto3"; message M { int32 a = 1;'],
    ['a missing semicolon', 'syntax = "proto3"; message M { int32 a = 1 }'],
    ['a float map key', proto3('map<double, string> f = 1;')],
    ['an unknown top-level keyword', 'messages M {}'],
    ['an unknown message name', proto3('int32 a = 1;')],
  ])('rejects %s as SCHEMA_INVALID', (name, text) => {
    const options = name === 'an unknown message name' ? { messageName: 'Nope' } : {};
    expect(() => protobufToFlinkColumns(text, options)).toThrow(
      expect.objectContaining({ code: 'SCHEMA_INVALID', kind: 'invalid' }),
    );
  });
});
