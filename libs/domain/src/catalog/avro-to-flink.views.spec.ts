import {
  avroToFlinkColumns,
  avroToFlinkColumnsForFormat,
  avroToFlinkDerivedColumns,
  isAvroRecordSchema,
} from './avro-to-flink';

/** A record with one field `f` of the given Avro type. */
function recordOf(type: unknown): object {
  return { type: 'record', name: 'R', fields: [{ name: 'f', type }] };
}

function fieldType(type: unknown, map = avroToFlinkColumns): string | undefined {
  return map(recordOf(type))[0]?.type;
}

const decimal = (type: string, precision: number, scale: number, size?: number) => ({
  type,
  logicalType: 'decimal',
  precision,
  scale,
  ...(size === undefined ? {} : { name: 'Money', size }),
});

describe('the three views: catalog, avro-confluent execution, and what Flink derives', () => {
  it.each<[string, unknown, string, string, string]>([
    [
      'timestamp-millis',
      { type: 'long', logicalType: 'timestamp-millis' },
      'TIMESTAMP_LTZ(3) NOT NULL',
      'TIMESTAMP(3) NOT NULL',
      'TIMESTAMP(3) NOT NULL',
    ],
    [
      'timestamp-micros',
      { type: 'long', logicalType: 'timestamp-micros' },
      'TIMESTAMP_LTZ(6) NOT NULL',
      'TIMESTAMP(6) NOT NULL',
      'TIMESTAMP(6) NOT NULL',
    ],
    [
      'local-timestamp-millis',
      { type: 'long', logicalType: 'local-timestamp-millis' },
      'TIMESTAMP(3) NOT NULL',
      'TIMESTAMP(3) NOT NULL',
      'BIGINT NOT NULL',
    ],
    [
      'local-timestamp-micros',
      { type: 'long', logicalType: 'local-timestamp-micros' },
      'TIMESTAMP(6) NOT NULL',
      'TIMESTAMP(6) NOT NULL',
      'BIGINT NOT NULL',
    ],
    [
      'time-micros',
      { type: 'long', logicalType: 'time-micros' },
      'BIGINT NOT NULL',
      'BIGINT NOT NULL',
      'TIME(6) NOT NULL',
    ],
    [
      'fixed',
      { type: 'fixed', name: 'H', size: 4 },
      'BINARY(4) NOT NULL',
      'VARBINARY(4) NOT NULL',
      'VARBINARY(4) NOT NULL',
    ],
    [
      'a general union',
      ['int', 'string'],
      'ROW<`int` INT, `string` STRING> NOT NULL',
      'ROW<`int` INT, `string` STRING> NOT NULL',
      'RAW NOT NULL',
    ],
    [
      'a nullable general union',
      ['null', 'int', 'string'],
      'ROW<`int` INT, `string` STRING>',
      'ROW<`int` INT, `string` STRING>',
      'RAW',
    ],
  ])('maps %s', (_row, avro, catalog, forFormat, derived) => {
    expect(fieldType(avro)).toBe(catalog);
    expect(fieldType(avro, avroToFlinkColumnsForFormat)).toBe(forFormat);
    expect(fieldType(avro, avroToFlinkDerivedColumns)).toBe(derived);
  });

  it('keeps a decimal on fixed a DECIMAL in every view', () => {
    const money = decimal('fixed', 9, 3, 4);
    expect(fieldType(money, avroToFlinkColumnsForFormat)).toBe('DECIMAL(9, 3) NOT NULL');
    expect(fieldType(money, avroToFlinkDerivedColumns)).toBe('DECIMAL(9, 3) NOT NULL');
  });

  it('maps timestamps nested in arrays, maps and unions the same way', () => {
    const ts = { type: 'long', logicalType: 'timestamp-millis' };
    const schema = recordOf(['null', { type: 'array', items: { type: 'map', values: ts } }]);
    expect(avroToFlinkColumnsForFormat(schema)).toEqual([
      { name: 'f', type: 'ARRAY<MAP<STRING NOT NULL, TIMESTAMP(3) NOT NULL> NOT NULL>' },
    ]);
  });

  it('is the same as the catalog view for every other type', () => {
    const schema = recordOf({ type: 'array', items: ['null', decimal('bytes', 5, 1), 'int'] });
    expect(avroToFlinkColumnsForFormat(schema)).toEqual(avroToFlinkColumns(schema));
  });
});

describe('isAvroRecordSchema', () => {
  it.each<[string, string | object, boolean]>([
    ['a record', recordOf('int'), true],
    ['a nullable record', ['null', recordOf('int')], true],
    ['a record as JSON text', JSON.stringify(recordOf('int')), true],
    ['a primitive', '"string"', false],
    ['a nullable primitive', ['null', 'long'], false],
    ['an array of records', { type: 'array', items: recordOf('int') }, false],
  ])('%s → %s', (_case, schema, record) => {
    expect(isAvroRecordSchema(schema)).toBe(record);
  });
});
