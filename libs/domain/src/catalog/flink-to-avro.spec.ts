import { RiffleError } from '../riffle-error';
import { avroToFlinkColumns } from './avro-to-flink';
import { avroRecordName, flinkColumnsToAvroSchema, tableAvroSchemas } from './flink-to-avro';
import { parseFlinkType, renderFlinkType } from './flink-type';

/** The Avro type of a one-column table's column `c`. */
function avroOf(type: string): unknown {
  const schema = flinkColumnsToAvroSchema([{ name: 'c', type }], { recordName: 't_value' });
  return (schema['fields'] as { type: unknown }[])[0]?.type;
}

/** Flink → Avro → Flink (catalog view) for one column. */
function roundTrip(type: string): string | undefined {
  return avroToFlinkColumns(flinkColumnsToAvroSchema([{ name: 'c', type }], { recordName: 't' }))[0]?.type;
}

function rejectionOf(type: string, name = 'c'): RiffleError {
  try {
    flinkColumnsToAvroSchema([{ name, type }], { recordName: 't' });
  } catch (error) {
    if (error instanceof RiffleError) return error;
    throw error;
  }
  throw new Error(`expected ${type} to be rejected`);
}

describe('flinkColumnsToAvroSchema: one row per Flink type', () => {
  it.each<[string, unknown]>([
    ['BOOLEAN NOT NULL', 'boolean'],
    ['TINYINT NOT NULL', { type: 'int', 'connect.type': 'int8' }],
    ['SMALLINT NOT NULL', { type: 'int', 'connect.type': 'int16' }],
    ['INT NOT NULL', 'int'],
    ['BIGINT NOT NULL', 'long'],
    ['FLOAT NOT NULL', 'float'],
    ['DOUBLE NOT NULL', 'double'],
    ['STRING NOT NULL', 'string'],
    ['VARCHAR(10) NOT NULL', 'string'],
    ['CHAR(2) NOT NULL', 'string'],
    ['BYTES NOT NULL', 'bytes'],
    ['VARBINARY NOT NULL', 'bytes'],
    ['BINARY(16) NOT NULL', { type: 'fixed', name: 't_value_c', size: 16 }],
    ['DECIMAL(10, 2) NOT NULL', { type: 'bytes', logicalType: 'decimal', precision: 10, scale: 2 }],
    ['DATE NOT NULL', { type: 'int', logicalType: 'date' }],
    ['TIME(3) NOT NULL', { type: 'int', logicalType: 'time-millis' }],
    ['TIME NOT NULL', { type: 'int', logicalType: 'time-millis' }],
    ['TIMESTAMP(3) NOT NULL', { type: 'long', logicalType: 'local-timestamp-millis' }],
    ['TIMESTAMP(6) NOT NULL', { type: 'long', logicalType: 'local-timestamp-micros' }],
    ['TIMESTAMP_LTZ(3) NOT NULL', { type: 'long', logicalType: 'timestamp-millis' }],
    ['TIMESTAMP_LTZ(6) NOT NULL', { type: 'long', logicalType: 'timestamp-micros' }],
    ['ARRAY<INT NOT NULL> NOT NULL', { type: 'array', items: 'int' }],
    ['ARRAY<INT> NOT NULL', { type: 'array', items: ['null', 'int'] }],
    ['MAP<STRING NOT NULL, BIGINT> NOT NULL', { type: 'map', values: ['null', 'long'] }],
    ['MAP<VARCHAR(5), BIGINT NOT NULL> NOT NULL', { type: 'map', values: 'long' }],
    [
      'ROW<a INT NOT NULL, b STRING> NOT NULL',
      {
        type: 'record',
        name: 't_value_c',
        fields: [
          { name: 'a', type: 'int' },
          { name: 'b', type: ['null', 'string'], default: null },
        ],
      },
    ],
    ['INT', ['null', 'int']],
  ])('%s', (flink, avro) => {
    expect(avroOf(flink)).toEqual(avro);
  });
});

describe('flinkColumnsToAvroSchema: the record', () => {
  it('names records after the table, nests their names, and gives nullable fields a null default', () => {
    const schema = flinkColumnsToAvroSchema(
      [
        { name: 'id', type: 'BIGINT NOT NULL' },
        { name: 'address', type: 'ROW<city STRING, geo ROW<lat DOUBLE NOT NULL> NOT NULL>' },
        { name: 'hashes', type: 'ARRAY<BINARY(4) NOT NULL> NOT NULL' },
      ],
      { recordName: 'orders_value', namespace: 'riffle' },
    );
    expect(schema).toEqual({
      type: 'record',
      name: 'orders_value',
      namespace: 'riffle',
      fields: [
        { name: 'id', type: 'long' },
        {
          name: 'address',
          type: [
            'null',
            {
              type: 'record',
              name: 'orders_value_address',
              fields: [
                { name: 'city', type: ['null', 'string'], default: null },
                {
                  name: 'geo',
                  type: {
                    type: 'record',
                    name: 'orders_value_address_geo',
                    fields: [{ name: 'lat', type: 'double' }],
                  },
                },
              ],
            },
          ],
          default: null,
        },
        {
          name: 'hashes',
          type: { type: 'array', items: { type: 'fixed', name: 'orders_value_hashes', size: 4 } },
        },
      ],
    });
  });

  it('keeps generated names unique', () => {
    const schema = flinkColumnsToAvroSchema(
      [
        { name: 'a_b', type: 'BINARY(1) NOT NULL' },
        { name: 'a', type: 'ROW<b BINARY(2) NOT NULL> NOT NULL' },
      ],
      { recordName: 't' },
    );
    expect(JSON.stringify(schema)).toContain('"name":"t_a_b","size":1');
    expect(JSON.stringify(schema)).toContain('"name":"t_a_b_2","size":2');
  });

  it.each([
    ['orders', 'value', 'orders_value'],
    ['orders-v1.eu', 'key', 'orders_v1_eu_key'],
    ['2024_events', 'value', '_2024_events_value'],
  ] as const)('names the %s %s record %s', (table, side, name) => {
    expect(avroRecordName(table, side)).toBe(name);
  });
});

describe('flinkColumnsToAvroSchema → avroToFlinkColumns round trip', () => {
  const supported = [
    'BOOLEAN',
    'INT',
    'BIGINT',
    'FLOAT',
    'DOUBLE',
    'STRING',
    'BYTES',
    'BINARY(16)',
    'DECIMAL(10, 2)',
    'DECIMAL(38, 0)',
    'DATE',
    'TIME(3)',
    'TIMESTAMP(3)',
    'TIMESTAMP(6)',
    'TIMESTAMP_LTZ(3)',
    'TIMESTAMP_LTZ(6)',
    'ARRAY<BIGINT>',
    'ARRAY<STRING NOT NULL>',
    'MAP<STRING NOT NULL, DOUBLE>',
    'MAP<STRING NOT NULL, ARRAY<DATE NOT NULL> NOT NULL>',
    'ROW<`a` INT NOT NULL, `b` STRING>',
    'ROW<`x` ROW<`y` TIMESTAMP_LTZ(3)> NOT NULL, `z` ARRAY<ROW<`w` BINARY(2) NOT NULL>>>',
  ];
  const cases = supported.flatMap((type) => [type, `${type} NOT NULL`]);

  it.each(cases)('%s comes back unchanged', (type) => {
    expect(roundTrip(type)).toBe(type);
  });

  it('holds for a whole table, column by column', () => {
    const columns = supported.map((type, i) => ({ name: `c${i}`, type: i % 2 ? type : `${type} NOT NULL` }));
    expect(avroToFlinkColumns(flinkColumnsToAvroSchema(columns, { recordName: 't' }))).toEqual(columns);
  });

  it.each<[string, string]>([
    ['VARCHAR(10)', 'STRING'],
    ['CHAR(3) NOT NULL', 'STRING NOT NULL'],
    ['VARBINARY(8)', 'BYTES'],
    ['TINYINT', 'INT'],
    ['SMALLINT NOT NULL', 'INT NOT NULL'],
    ['TIME', 'TIME(3)'],
    ['TIME(1)', 'TIME(3)'],
    ['TIMESTAMP(0)', 'TIMESTAMP(3)'],
    ['TIMESTAMP', 'TIMESTAMP(6)'],
    ['TIMESTAMP_LTZ(4)', 'TIMESTAMP_LTZ(6)'],
    ['MAP<STRING, INT>', 'MAP<STRING NOT NULL, INT>'],
    ['DECIMAL', 'DECIMAL(10, 0)'],
  ])('%s widens to %s', (type, widened) => {
    expect(roundTrip(type)).toBe(widened);
    expect(renderFlinkType(parseFlinkType(widened))).toBe(widened);
  });
});

describe('flinkColumnsToAvroSchema: rejections name the column', () => {
  it.each<[string, string]>([
    ['MAP<INT, STRING>', 'Avro map keys are strings'],
    ['MULTISET<STRING>', 'Avro has no multiset'],
    ['INTERVAL DAY TO SECOND', 'Avro has no such type'],
    ['TIMESTAMP(3) WITH TIME ZONE', 'Avro has no such type'],
    ['TIMESTAMP(9)', 'at most microseconds'],
    ['TIMESTAMP_LTZ(7)', 'at most microseconds'],
    ['TIME(6)', 'at most millisecond'],
    ['NULL', 'Avro has no such type'],
  ])('%s is UNSUPPORTED_COLUMN_TYPE', (type, why) => {
    const error = rejectionOf(type);
    expect(error).toMatchObject({
      code: 'UNSUPPORTED_COLUMN_TYPE',
      kind: 'invalid',
      details: { column: 'c' },
    });
    expect(error.message).toContain('Column `c`');
    expect(error.message).toContain(why);
  });

  it('names the nested field', () => {
    const error = rejectionOf('ROW<inner ARRAY<MAP<BIGINT, INT>>>', 'outer');
    expect(error.details).toEqual({ column: 'outer.inner[]', type: 'MAP<BIGINT, INT>' });
  });

  it.each([['a-b'], ['1st'], ['with space'], ['ROW<`x y` INT>']])('rejects the name %s', (name) => {
    const [column, type] = name.startsWith('ROW') ? ['c', name] : [name, 'INT'];
    expect(rejectionOf(type, column).code).toBe('UNSUPPORTED_COLUMN_NAME');
  });

  it('says which column has a malformed type', () => {
    expect(rejectionOf('DECIMAL(4, 9)', 'price')).toMatchObject({
      code: 'INVALID_COLUMN_TYPE',
      details: { column: 'price', type: 'DECIMAL(4, 9)' },
    });
  });

  it('rejects a table without columns', () => {
    expect(() => flinkColumnsToAvroSchema([], { recordName: 't' })).toThrow(
      expect.objectContaining({ code: 'TABLE_WITHOUT_COLUMNS' }),
    );
  });
});

describe('tableAvroSchemas: what CREATE TABLE registers', () => {
  const columns = [
    { name: 'id', type: 'BIGINT NOT NULL' },
    { name: 'region', type: 'STRING NOT NULL' },
    { name: 'amount', type: 'DECIMAL(10, 2)' },
  ];

  it('registers every column in the value and the key columns as a key record', () => {
    const { key, value } = tableAvroSchemas({ table: 'orders', columns, keyColumns: ['region', 'id'] });
    expect(key).toEqual({
      type: 'record',
      name: 'orders_key',
      fields: [
        { name: 'region', type: 'string' },
        { name: 'id', type: 'long' },
      ],
    });
    expect(avroToFlinkColumns(value)).toEqual(columns);
    expect(value['name']).toBe('orders_value');
  });

  it('registers no key without key columns', () => {
    expect(tableAvroSchemas({ table: 'orders', columns })).toEqual({
      value: flinkColumnsToAvroSchema(columns, { recordName: 'orders_value' }),
    });
  });

  it('rejects a key column that is not a column', () => {
    expect(() => tableAvroSchemas({ table: 't', columns, keyColumns: ['nope'] })).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_KEY_COLUMN' }),
    );
  });
});
