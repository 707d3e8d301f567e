import { RiffleError } from '../riffle-error';
import { isJsonSchemaObject, jsonSchemaFormatLimits, jsonSchemaToFlinkColumns } from './json-schema-to-flink';

const CONNECT = 'org.apache.kafka.connect.data';

/** An object with one required property `f` of the given schema. */
function objectOf(schema: unknown, extra: Record<string, unknown> = {}): object {
  return { type: 'object', properties: { f: schema }, required: ['f'], ...extra };
}

function propertyType(schema: unknown): string | undefined {
  return jsonSchemaToFlinkColumns(objectOf(schema))[0]?.type;
}

function rejectionOf(schema: string | object): RiffleError {
  try {
    jsonSchemaToFlinkColumns(schema);
  } catch (error) {
    if (error instanceof RiffleError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(schema)} to be rejected`);
}

describe('jsonSchemaToFlinkColumns: the mapping table, one row each', () => {
  it.each<[string, unknown, string]>([
    ['integer', { type: 'integer' }, 'BIGINT NOT NULL'],
    ['integer as connect int8', { type: 'integer', 'connect.type': 'int8' }, 'TINYINT NOT NULL'],
    ['integer as connect int16', { type: 'integer', 'connect.type': 'int16' }, 'SMALLINT NOT NULL'],
    ['integer as connect int32', { type: 'integer', 'connect.type': 'int32' }, 'INT NOT NULL'],
    ['integer as connect int64', { type: 'integer', 'connect.type': 'int64' }, 'BIGINT NOT NULL'],
    ['number', { type: 'number' }, 'DOUBLE NOT NULL'],
    ['number as connect float32', { type: 'number', 'connect.type': 'float32' }, 'FLOAT NOT NULL'],
    ['number as connect float64', { type: 'number', 'connect.type': 'float64' }, 'DOUBLE NOT NULL'],
    ['boolean', { type: 'boolean' }, 'BOOLEAN NOT NULL'],
    ['string', { type: 'string' }, 'STRING NOT NULL'],
    ['string as connect bytes', { type: 'string', 'connect.type': 'bytes' }, 'BYTES NOT NULL'],
    ['string format date', { type: 'string', format: 'date' }, 'DATE NOT NULL'],
    ['string format date-time', { type: 'string', format: 'date-time' }, 'TIMESTAMP_LTZ(3) NOT NULL'],
    ['string format time', { type: 'string', format: 'time' }, 'TIME(3) NOT NULL'],
    ['string with another format', { type: 'string', format: 'email' }, 'STRING NOT NULL'],
    ['string format uuid', { type: 'string', format: 'uuid' }, 'STRING NOT NULL'],
    ['connect Date', { type: 'integer', 'connect.type': 'int32', title: `${CONNECT}.Date` }, 'DATE NOT NULL'],
    [
      'connect Time (time-millis)',
      { type: 'integer', 'connect.type': 'int32', title: `${CONNECT}.Time` },
      'TIME(3) NOT NULL',
    ],
    [
      'connect Timestamp (timestamp-millis)',
      { type: 'integer', 'connect.type': 'int64', title: `${CONNECT}.Timestamp` },
      'TIMESTAMP_LTZ(3) NOT NULL',
    ],
    [
      'connect Decimal with precision and scale',
      {
        type: 'number',
        'connect.type': 'bytes',
        title: `${CONNECT}.Decimal`,
        'connect.parameters': { scale: '2', 'connect.decimal.precision': '10' },
      },
      'DECIMAL(10, 2) NOT NULL',
    ],
    [
      'connect Decimal with only a scale',
      { type: 'number', title: `${CONNECT}.Decimal`, 'connect.parameters': { scale: '4' } },
      'DECIMAL(38, 4) NOT NULL',
    ],
    [
      'connect Decimal without parameters',
      { type: 'number', title: `${CONNECT}.Decimal` },
      'DECIMAL(38, 0) NOT NULL',
    ],
    ['a title that is not a Connect type', { type: 'integer', title: 'Count' }, 'BIGINT NOT NULL'],
    [
      'an optional connect Timestamp',
      { oneOf: [{ type: 'null' }, { type: 'integer', title: `${CONNECT}.Timestamp` }] },
      'TIMESTAMP_LTZ(3)',
    ],
    ['a string enum', { enum: ['RED', 'GREEN'] }, 'STRING NOT NULL'],
    ['a string const', { const: 'v1' }, 'STRING NOT NULL'],
    ['object', objectOf({ type: 'integer' }), 'ROW<`f` BIGINT NOT NULL> NOT NULL'],
    ['object without "type"', { properties: { a: { type: 'boolean' } } }, 'ROW<`a` BOOLEAN> NOT NULL'],
    ['array', { type: 'array', items: { type: 'string' } }, 'ARRAY<STRING NOT NULL> NOT NULL'],
    [
      'map',
      { type: 'object', additionalProperties: { type: 'number' } },
      'MAP<STRING NOT NULL, DOUBLE NOT NULL> NOT NULL',
    ],
    [
      'connect map',
      { type: 'object', 'connect.type': 'map', additionalProperties: { type: 'integer' } },
      'MAP<STRING NOT NULL, BIGINT NOT NULL> NOT NULL',
    ],
    [
      'connect map with non-string keys',
      {
        type: 'array',
        'connect.type': 'map',
        items: {
          type: 'object',
          properties: { key: { type: 'integer', 'connect.type': 'int32' }, value: { type: 'string' } },
          required: ['key', 'value'],
        },
      },
      'MAP<INT NOT NULL, STRING NOT NULL> NOT NULL',
    ],
    [
      'connect map entries as Connect writes them (no "required")',
      {
        type: 'array',
        'connect.type': 'map',
        items: { type: 'object', properties: { key: { type: 'integer' }, value: { type: 'boolean' } } },
      },
      'MAP<BIGINT, BOOLEAN> NOT NULL',
    ],
    ['type ["null", X]', { type: ['null', 'string'] }, 'STRING'],
    ['oneOf with null', { oneOf: [{ type: 'null' }, { type: 'integer', 'connect.type': 'int32' }] }, 'INT'],
    ['anyOf with null', { anyOf: [{ type: 'boolean' }, { type: 'null' }] }, 'BOOLEAN'],
    ['type [X, Y]', { type: ['string', 'integer'] }, 'ROW<`string` STRING, `integer` BIGINT> NOT NULL'],
    [
      'type ["null", X, Y]',
      { type: ['null', 'number', 'boolean'] },
      'ROW<`number` DOUBLE, `boolean` BOOLEAN>',
    ],
    ['allOf of one schema', { allOf: [{ type: 'integer' }] }, 'BIGINT NOT NULL'],
  ])('%s', (_row, schema, flink) => {
    expect(propertyType(schema)).toBe(flink);
  });
});

describe('jsonSchemaToFlinkColumns: structure', () => {
  it('maps a top-level object to columns, in property order, optional properties nullable', () => {
    const schema = JSON.stringify({
      type: 'object',
      properties: {
        id: { type: 'integer', 'connect.type': 'int64' },
        name: { type: 'string' },
        at: { type: 'string', format: 'date-time' },
      },
      required: ['id', 'at'],
    });
    expect(jsonSchemaToFlinkColumns(schema)).toEqual([
      { name: 'id', type: 'BIGINT NOT NULL' },
      { name: 'name', type: 'STRING' },
      { name: 'at', type: 'TIMESTAMP_LTZ(3) NOT NULL' },
    ]);
  });

  it('exposes the properties of a nullable or referenced top-level object', () => {
    const person = { type: 'object', properties: { n: { type: 'string' } }, required: ['n'] };
    const expected = [{ name: 'n', type: 'STRING NOT NULL' }];
    expect(jsonSchemaToFlinkColumns({ oneOf: [{ type: 'null' }, person] })).toEqual(expected);
    expect(jsonSchemaToFlinkColumns({ $ref: '#/$defs/P', $defs: { P: person } })).toEqual(expected);
  });

  it.each<[string, object, string]>([
    ['a string', { type: 'string' }, 'STRING NOT NULL'],
    ['a nullable integer', { type: ['integer', 'null'] }, 'BIGINT'],
    ['an array', { type: 'array', items: { type: 'boolean' } }, 'ARRAY<BOOLEAN NOT NULL> NOT NULL'],
  ])('maps %s top-level schema to one column named val', (_case, schema, type) => {
    expect(jsonSchemaToFlinkColumns(schema)).toEqual([{ name: 'val', type }]);
  });

  it('names the single column as asked', () => {
    expect(jsonSchemaToFlinkColumns({ type: 'string' }, { singleColumnName: 'key' })).toEqual([
      { name: 'key', type: 'STRING NOT NULL' },
    ]);
  });

  it('maps nested objects, arrays of objects and maps of arrays', () => {
    const line = { type: 'object', properties: { sku: { type: 'string' } }, required: ['sku'] };
    const schema = {
      type: 'object',
      properties: {
        address: { type: 'object', properties: { geo: objectOf({ type: 'number' }) }, required: ['geo'] },
        lines: { type: 'array', items: line },
        tags: {
          type: 'object',
          additionalProperties: { type: 'array', items: { type: ['null', 'string'] } },
        },
      },
      required: ['address', 'lines', 'tags'],
    };
    expect(jsonSchemaToFlinkColumns(schema)).toEqual([
      { name: 'address', type: 'ROW<`geo` ROW<`f` DOUBLE NOT NULL> NOT NULL> NOT NULL' },
      { name: 'lines', type: 'ARRAY<ROW<`sku` STRING NOT NULL> NOT NULL> NOT NULL' },
      { name: 'tags', type: 'MAP<STRING NOT NULL, ARRAY<STRING> NOT NULL> NOT NULL' },
    ]);
  });

  it('resolves $ref to definitions and $defs, reused', () => {
    const schema = {
      type: 'object',
      definitions: { Money: { type: 'number' } },
      $defs: {
        'a/b': { type: 'object', properties: { m: { $ref: '#/definitions/Money' } }, required: ['m'] },
      },
      properties: { total: { $ref: '#/definitions/Money' }, inner: { $ref: '#/$defs/a~1b' } },
      required: ['total', 'inner'],
    };
    expect(jsonSchemaToFlinkColumns(schema)).toEqual([
      { name: 'total', type: 'DOUBLE NOT NULL' },
      { name: 'inner', type: 'ROW<`m` DOUBLE NOT NULL> NOT NULL' },
    ]);
  });

  it('names oneOf branches by title, then $ref name, then type, then position', () => {
    const union = {
      oneOf: [
        { $ref: '#/definitions/Click' },
        { title: 'Text', type: 'string' },
        { type: 'integer' },
        { type: 'array', items: { type: 'string' } },
        { type: 'integer', 'connect.type': 'int32' },
      ],
    };
    const schema = objectOf(union, { definitions: { Click: objectOf({ type: 'integer' }) } });
    expect(jsonSchemaToFlinkColumns(schema)[0]?.type).toBe(
      'ROW<`Click` ROW<`f` BIGINT NOT NULL>, `Text` STRING, `integer` BIGINT, `array` ARRAY<STRING NOT NULL>, `integer_4` INT> NOT NULL',
    );
  });
});

describe('jsonSchemaToFlinkColumns: rejections', () => {
  it.each<[string, string | object]>([
    ['a recursive $ref', { type: 'object', properties: { next: { $ref: '#' } } }],
    [
      'a recursive definition',
      { definitions: { N: { properties: { n: { $ref: '#/definitions/N' } } } }, $ref: '#/definitions/N' },
    ],
    ['an external $ref', objectOf({ $ref: 'other.json#/X' })],
    ['an empty schema (any value)', objectOf({})],
    ['a boolean schema', objectOf(true)],
    ['an always-null value', objectOf({ type: 'null' })],
    ['an object without properties', objectOf({ type: 'object' })],
    ['a tuple array', objectOf({ type: 'array', items: [{ type: 'string' }] })],
    ['an array without items', objectOf({ type: 'array' })],
    ['allOf of several schemas', objectOf({ allOf: [{ type: 'string' }, { minLength: 1 }] })],
    [
      'a Connect Decimal wider than 38 digits',
      objectOf({
        type: 'number',
        title: `${CONNECT}.Decimal`,
        'connect.parameters': { 'connect.decimal.precision': '39' },
      }),
    ],
  ])('rejects %s as SCHEMA_UNSUPPORTED', (_case, schema) => {
    expect(rejectionOf(schema)).toMatchObject({ code: 'SCHEMA_UNSUPPORTED', kind: 'invalid' });
  });

  it('says where the recursion is', () => {
    expect(rejectionOf({ type: 'object', properties: { next: { $ref: '#' } } }).message).toBe(
      'JSON Schema at next.next cannot be mapped to Flink SQL: "#" refers to itself; Flink SQL has no recursive types',
    );
  });

  it.each<[string, string | object]>([
    ['text that is not JSON', '{"type":'],
    ['an unknown type', objectOf({ type: 'decimal' })],
    ['a $ref to nothing', objectOf({ $ref: '#/definitions/Missing' })],
    ['a number as schema', '42'],
    ['oneOf that is not an array', objectOf({ oneOf: { type: 'string' } })],
    [
      'a Connect Decimal with scale above precision',
      objectOf({
        type: 'number',
        title: `${CONNECT}.Decimal`,
        'connect.parameters': { scale: '5', 'connect.decimal.precision': '3' },
      }),
    ],
    [
      'a connect map without key/value items',
      objectOf({ type: 'array', 'connect.type': 'map', items: { type: 'string' } }),
    ],
  ])('rejects %s as SCHEMA_INVALID', (_case, schema) => {
    expect(rejectionOf(schema)).toMatchObject({ code: 'SCHEMA_INVALID', kind: 'invalid' });
  });
});

describe('isJsonSchemaObject', () => {
  it.each<[string, string | object, boolean]>([
    ['an object', objectOf({ type: 'string' }), true],
    ['a nullable object', { oneOf: [{ type: 'null' }, objectOf({ type: 'string' })] }, true],
    ['a $ref to an object', { $ref: '#/$defs/O', $defs: { O: objectOf({ type: 'string' }) } }, true],
    ['a string', '{"type": "string"}', false],
    ['a map', { type: 'object', additionalProperties: { type: 'string' } }, false],
  ])('%s → %s', (_case, schema, object) => {
    expect(isJsonSchemaObject(schema)).toBe(object);
  });
});

describe('jsonSchemaFormatLimits: what the json-registry format cannot read', () => {
  it.each<[string, unknown, string[]]>([
    ['plain scalars, dates as text, decimals', { type: 'string', format: 'date-time' }, []],
    ['a Connect Decimal', { type: 'number', title: `${CONNECT}.Decimal` }, []],
    ['a nullable string', { type: ['null', 'string'] }, []],
    [
      'a Connect Timestamp (epoch ms)',
      { type: 'integer', title: `${CONNECT}.Timestamp` },
      ["f: Kafka Connect's integer-encoded Timestamp"],
    ],
    [
      'a union of several types',
      { oneOf: [{ type: 'string' }, { type: 'integer' }] },
      ['f: a union of several types'],
    ],
    [
      'a Connect map with non-string keys',
      {
        type: 'array',
        'connect.type': 'map',
        items: { type: 'object', properties: { key: { type: 'integer' }, value: { type: 'string' } } },
      },
      ["f: Kafka Connect's map with non-string keys"],
    ],
  ])('%s', (_case, schema, limits) => {
    expect(jsonSchemaFormatLimits(objectOf(schema))).toEqual(limits);
  });
});
