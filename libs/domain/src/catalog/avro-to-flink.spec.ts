import { RiffleError } from '../riffle-error';
import { avroToFlinkColumns } from './avro-to-flink';
import { columnsDdl, quoteIdentifier } from './flink-columns';

/** A record with one field `f` of the given Avro type. */
function recordOf(type: unknown, extra: Record<string, unknown> = {}): object {
  return { type: 'record', name: 'R', ...extra, fields: [{ name: 'f', type }] };
}

function fieldType(type: unknown, map = avroToFlinkColumns): string | undefined {
  return map(recordOf(type))[0]?.type;
}

function rejectionOf(schema: string | object): RiffleError {
  try {
    avroToFlinkColumns(schema);
  } catch (error) {
    if (error instanceof RiffleError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(schema)} to be rejected`);
}

const decimal = (type: string, precision: unknown, scale?: unknown, size?: number) => ({
  type,
  logicalType: 'decimal',
  precision,
  ...(scale === undefined ? {} : { scale }),
  ...(size === undefined ? {} : { name: 'Money', size }),
});

describe('avroToFlinkColumns: the DESIGN §4 mapping table, one row each', () => {
  it.each<[string, unknown, string]>([
    ['int', 'int', 'INT NOT NULL'],
    ['long', 'long', 'BIGINT NOT NULL'],
    ['float', 'float', 'FLOAT NOT NULL'],
    ['double', 'double', 'DOUBLE NOT NULL'],
    ['boolean', 'boolean', 'BOOLEAN NOT NULL'],
    ['string', 'string', 'STRING NOT NULL'],
    ['bytes', 'bytes', 'BYTES NOT NULL'],
    ['a primitive written as an object', { type: 'long' }, 'BIGINT NOT NULL'],
    ['fixed', { type: 'fixed', name: 'Hash', size: 16 }, 'BINARY(16) NOT NULL'],
    ['decimal on bytes', decimal('bytes', 10, 2), 'DECIMAL(10, 2) NOT NULL'],
    ['decimal on bytes without a scale', decimal('bytes', 7), 'DECIMAL(7, 0) NOT NULL'],
    ['decimal on fixed', decimal('fixed', 9, 3, 4), 'DECIMAL(9, 3) NOT NULL'],
    ['decimal of 38 digits', decimal('bytes', 38, 10), 'DECIMAL(38, 10) NOT NULL'],
    ['date', { type: 'int', logicalType: 'date' }, 'DATE NOT NULL'],
    ['time-millis', { type: 'int', logicalType: 'time-millis' }, 'TIME(3) NOT NULL'],
    [
      'time-micros (Flink TIME holds milliseconds)',
      { type: 'long', logicalType: 'time-micros' },
      'BIGINT NOT NULL',
    ],
    ['timestamp-millis', { type: 'long', logicalType: 'timestamp-millis' }, 'TIMESTAMP_LTZ(3) NOT NULL'],
    ['timestamp-micros', { type: 'long', logicalType: 'timestamp-micros' }, 'TIMESTAMP_LTZ(6) NOT NULL'],
    [
      'local-timestamp-millis',
      { type: 'long', logicalType: 'local-timestamp-millis' },
      'TIMESTAMP(3) NOT NULL',
    ],
    [
      'local-timestamp-micros',
      { type: 'long', logicalType: 'local-timestamp-micros' },
      'TIMESTAMP(6) NOT NULL',
    ],
    ['uuid', { type: 'string', logicalType: 'uuid' }, 'STRING NOT NULL'],
    ['record', recordOf('int', { name: 'Inner' }), 'ROW<`f` INT NOT NULL> NOT NULL'],
    ['array', { type: 'array', items: 'string' }, 'ARRAY<STRING NOT NULL> NOT NULL'],
    ['map', { type: 'map', values: 'long' }, 'MAP<STRING NOT NULL, BIGINT NOT NULL> NOT NULL'],
    ['enum', { type: 'enum', name: 'Color', symbols: ['RED', 'GREEN'] }, 'STRING NOT NULL'],
    ['["null", T]', ['null', 'string'], 'STRING'],
    ['[T, "null"]', ['int', 'null'], 'INT'],
    ['a single-branch union', ['long'], 'BIGINT NOT NULL'],
    ['a general union', ['int', 'string'], 'ROW<`int` INT, `string` STRING> NOT NULL'],
    ['a general union with null', ['null', 'int', 'string'], 'ROW<`int` INT, `string` STRING>'],
  ])('%s', (_row, avro, flink) => {
    expect(fieldType(avro)).toBe(flink);
  });
});

describe('avroToFlinkColumns: logical types that are unknown, misplaced or invalid use the underlying type', () => {
  it.each<[string, unknown, string]>([
    ['an unknown logical type', { type: 'string', logicalType: 'iso-8601' }, 'STRING NOT NULL'],
    ['timestamp-nanos', { type: 'long', logicalType: 'timestamp-nanos' }, 'BIGINT NOT NULL'],
    ['date on a long', { type: 'long', logicalType: 'date' }, 'BIGINT NOT NULL'],
    ['timestamp-millis on an int', { type: 'int', logicalType: 'timestamp-millis' }, 'INT NOT NULL'],
    ['decimal on a string', decimal('string', 10, 2), 'STRING NOT NULL'],
    ['decimal with scale above precision', decimal('bytes', 2, 3), 'BYTES NOT NULL'],
    ['decimal without precision', decimal('bytes', undefined), 'BYTES NOT NULL'],
    ['decimal with a fractional precision', decimal('bytes', 4.5), 'BYTES NOT NULL'],
    ['decimal too wide for its fixed', decimal('fixed', 10, 0, 4), 'BINARY(4) NOT NULL'],
    ['uuid on fixed', { type: 'fixed', name: 'U', size: 16, logicalType: 'uuid' }, 'BINARY(16) NOT NULL'],
  ])('%s', (_row, avro, flink) => {
    expect(fieldType(avro)).toBe(flink);
  });
});

describe('avroToFlinkColumns: structure', () => {
  it('maps a top-level record to one column per field, in order, from JSON text', () => {
    const schema = JSON.stringify({
      type: 'record',
      name: 'Order',
      namespace: 'shop',
      fields: [
        { name: 'id', type: 'long' },
        { name: 'note', type: ['null', 'string'], default: null },
        { name: 'placed_at', type: { type: 'long', logicalType: 'timestamp-millis' } },
      ],
    });
    const columns = avroToFlinkColumns(schema);
    expect(columns).toEqual([
      { name: 'id', type: 'BIGINT NOT NULL' },
      { name: 'note', type: 'STRING' },
      { name: 'placed_at', type: 'TIMESTAMP_LTZ(3) NOT NULL' },
    ]);
    expect(columnsDdl(columns)).toBe(
      '`id` BIGINT NOT NULL, `note` STRING, `placed_at` TIMESTAMP_LTZ(3) NOT NULL',
    );
  });

  it('exposes the fields of a nullable top-level record (null is a tombstone)', () => {
    expect(avroToFlinkColumns(['null', recordOf('int')])).toEqual([{ name: 'f', type: 'INT NOT NULL' }]);
  });

  it.each<[string, unknown, string]>([
    ['a primitive', '"string"', 'STRING NOT NULL'],
    ['a parsed primitive', { type: 'long' }, 'BIGINT NOT NULL'],
    ['a nullable primitive', ['null', 'bytes'], 'BYTES'],
    ['an array', { type: 'array', items: 'int' }, 'ARRAY<INT NOT NULL> NOT NULL'],
  ])('maps %s top-level schema to one column named val', (_case, schema, type) => {
    expect(avroToFlinkColumns(schema as string | object)).toEqual([{ name: 'val', type }]);
  });

  it('names the single column as asked, e.g. for a key schema', () => {
    expect(avroToFlinkColumns('"long"', { singleColumnName: 'key' })).toEqual([
      { name: 'key', type: 'BIGINT NOT NULL' },
    ]);
  });

  it('maps nested records to nested ROWs', () => {
    const address = recordOf(
      { type: 'record', name: 'Geo', fields: [{ name: 'lat', type: 'double' }] },
      { name: 'Address' },
    );
    expect(fieldType(['null', address])).toBe('ROW<`f` ROW<`lat` DOUBLE NOT NULL> NOT NULL>');
  });

  it('maps an array of records', () => {
    const line = {
      type: 'record',
      name: 'Line',
      fields: [
        { name: 'sku', type: 'string' },
        { name: 'qty', type: 'int' },
      ],
    };
    expect(fieldType({ type: 'array', items: line })).toBe(
      'ARRAY<ROW<`sku` STRING NOT NULL, `qty` INT NOT NULL> NOT NULL> NOT NULL',
    );
  });

  it('maps a map of arrays', () => {
    expect(fieldType({ type: 'map', values: { type: 'array', items: ['null', 'double'] } })).toBe(
      'MAP<STRING NOT NULL, ARRAY<DOUBLE> NOT NULL> NOT NULL',
    );
  });

  it('keeps nullability at every level', () => {
    const inner = { type: 'record', name: 'In', fields: [{ name: 'x', type: ['null', 'int'] }] };
    const schema = ['null', { type: 'map', values: ['null', { type: 'array', items: ['null', inner] }] }];
    expect(fieldType(schema)).toBe('MAP<STRING NOT NULL, ARRAY<ROW<`x` INT>>>');
  });

  it('names general-union fields after the branch types, records by their name', () => {
    const click = { type: 'record', name: 'Click', namespace: 'web', fields: [{ name: 'x', type: 'int' }] };
    const union = ['null', 'long', click, { type: 'array', items: 'string' }, { type: 'map', values: 'int' }];
    expect(fieldType(union)).toBe(
      'ROW<`long` BIGINT, `Click` ROW<`x` INT NOT NULL>, `array` ARRAY<STRING NOT NULL>, `map` MAP<STRING NOT NULL, INT NOT NULL>>',
    );
  });

  it('uses full names for union branches whose short names clash', () => {
    const a = { type: 'enum', name: 'Kind', namespace: 'a', symbols: ['X'] };
    const b = { type: 'fixed', name: 'Kind', namespace: 'b', size: 2 };
    expect(fieldType([a, b])).toBe('ROW<`a.Kind` STRING, `b.Kind` BINARY(2)> NOT NULL');
  });
});

describe('avroToFlinkColumns: named type references', () => {
  const money = { type: 'fixed', name: 'Money', size: 8, logicalType: 'decimal', precision: 18, scale: 2 };

  it('resolves a name used again after its definition, in the same or another namespace', () => {
    const schema = {
      type: 'record',
      name: 'com.shop.Order',
      fields: [
        {
          name: 'billing',
          type: { type: 'record', name: 'Address', fields: [{ name: 'city', type: 'string' }] },
        },
        { name: 'shipping', type: ['null', 'Address'] },
        { name: 'also', type: 'com.shop.Address' },
        { name: 'total', type: { ...money, namespace: 'fin' } },
        { name: 'tax', type: 'fin.Money' },
        {
          name: 'meta',
          type: {
            type: 'record',
            name: 'Meta',
            namespace: 'fin',
            fields: [
              { name: 'fee', type: 'Money' },
              { name: 'at', type: 'com.shop.Address' },
            ],
          },
        },
      ],
    };
    const address = 'ROW<`city` STRING NOT NULL>';
    expect(avroToFlinkColumns(schema)).toEqual([
      { name: 'billing', type: `${address} NOT NULL` },
      { name: 'shipping', type: address },
      { name: 'also', type: `${address} NOT NULL` },
      { name: 'total', type: 'DECIMAL(18, 2) NOT NULL' },
      { name: 'tax', type: 'DECIMAL(18, 2) NOT NULL' },
      { name: 'meta', type: `ROW<\`fee\` DECIMAL(18, 2) NOT NULL, \`at\` ${address} NOT NULL> NOT NULL` },
    ]);
  });

  it('falls back to the null namespace for an unqualified reference', () => {
    const schema = {
      type: 'record',
      name: 'Outer',
      fields: [
        { name: 'a', type: { type: 'enum', name: 'E', symbols: ['X'] } },
        {
          name: 'b',
          type: { type: 'record', name: 'In', namespace: 'ns', fields: [{ name: 'e', type: 'E' }] },
        },
      ],
    };
    expect(avroToFlinkColumns(schema)[1]?.type).toBe('ROW<`e` STRING NOT NULL> NOT NULL');
  });
});

describe('avroToFlinkColumns: rejections', () => {
  it.each<[string, string | object]>([
    [
      'a record containing itself',
      { type: 'record', name: 'Node', fields: [{ name: 'next', type: ['null', 'Node'] }] },
    ],
    [
      'mutual recursion through a namespace',
      recordOf({
        type: 'record',
        name: 'a.A',
        fields: [{ name: 'b', type: { type: 'array', items: 'a.A' } }],
      }),
    ],
    ['a field of type null', recordOf('null')],
    ['a union of only null', recordOf(['null'])],
    ['a decimal wider than 38 digits', recordOf(decimal('bytes', 39, 0))],
    ['a fixed of size 0', recordOf({ type: 'fixed', name: 'Z', size: 0 })],
    ['a record without fields', { type: 'record', name: 'Empty', fields: [] }],
  ])('rejects %s as SCHEMA_UNSUPPORTED', (_case, schema) => {
    const error = rejectionOf(schema);
    expect(error).toMatchObject({ code: 'SCHEMA_UNSUPPORTED', kind: 'invalid' });
  });

  it('says which type is recursive and where', () => {
    const error = rejectionOf({
      type: 'record',
      name: 'Node',
      namespace: 'g',
      fields: [{ name: 'next', type: 'Node' }],
    });
    expect(error.message).toBe(
      'Avro schema at next cannot be mapped to Flink SQL: "g.Node" refers to itself; ' +
        'Flink SQL has no recursive types (flatten or bound the recursion)',
    );
    expect(error.details).toEqual({ format: 'Avro', path: 'next' });
  });

  it.each<[string, string | object]>([
    ['text that is not JSON', '{"type": "record",'],
    ['an unknown type name', recordOf('Nope')],
    [
      'a reference before its definition',
      { type: 'record', name: 'R', fields: [{ name: 'a', type: 'Later' }] },
    ],
    ['a number', '42'],
    ['an object without a type', recordOf({ items: 'int' })],
    ['a record without a name', { type: 'record', fields: [{ name: 'a', type: 'int' }] }],
    ['a record without a fields array', { type: 'record', name: 'R' }],
    ['a field without a type', { type: 'record', name: 'R', fields: [{ name: 'a' }] }],
    [
      'two fields with the same name',
      {
        type: 'record',
        name: 'R',
        fields: [
          { name: 'a', type: 'int' },
          { name: 'a', type: 'int' },
        ],
      },
    ],
    [
      'a name defined twice',
      recordOf([
        { type: 'enum', name: 'E', symbols: [] },
        { type: 'fixed', name: 'E', size: 1 },
      ]),
    ],
    ['an enum without symbols', recordOf({ type: 'enum', name: 'E' })],
    ['a fixed with a negative size', recordOf({ type: 'fixed', name: 'F', size: -1 })],
    ['a nested union', recordOf(['null', ['int', 'string']])],
    ['a union with null twice', recordOf(['null', 'int', 'null'])],
    ['a union with the same type twice', recordOf(['int', 'int'])],
    ['an empty union', recordOf([])],
  ])('rejects %s as SCHEMA_INVALID', (_case, schema) => {
    expect(rejectionOf(schema)).toMatchObject({ code: 'SCHEMA_INVALID', kind: 'invalid' });
  });

  it('says why JSON text is invalid', () => {
    expect(rejectionOf('not json').message).toMatch(/^Invalid Avro schema: not valid JSON \(/);
  });
});

describe('identifier quoting', () => {
  it.each([
    ['plain', '`plain`'],
    ['a-b', '`a-b`'],
    ['with space', '`with space`'],
    ['back`tick', '`back``tick`'],
    ['``', '``````'],
    ['$rowtime', '`$rowtime`'],
  ])('quotes %s as %s', (name, quoted) => {
    expect(quoteIdentifier(name)).toBe(quoted);
  });

  it('quotes odd field names in columns and nested ROWs', () => {
    const schema = {
      type: 'record',
      name: 'R',
      fields: [
        { name: 'a-b', type: 'int' },
        { name: 'x`y', type: { type: 'record', name: 'In', fields: [{ name: 'c d', type: 'string' }] } },
      ],
    };
    expect(columnsDdl(avroToFlinkColumns(schema))).toBe(
      '`a-b` INT NOT NULL, `x``y` ROW<`c d` STRING NOT NULL> NOT NULL',
    );
  });

  it('renders no columns as an empty list', () => {
    expect(columnsDdl([])).toBe('');
  });
});
