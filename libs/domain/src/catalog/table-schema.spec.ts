import {
  inferTable,
  type InferTableInput,
  type RegistrySchema,
  SYSTEM_COLUMNS,
  type TableColumn,
  type TableDefinition,
} from './table-schema';

const avro = (fields: Record<string, unknown>, name = 'R'): RegistrySchema => ({
  format: 'AVRO',
  schema: JSON.stringify({
    type: 'record',
    name,
    fields: Object.entries(fields).map(([field, type]) => ({ name: field, type })),
  }),
});

const base: InferTableInput = { topic: 'orders', compacted: false, partitions: 6 };
const infer = (input: Partial<InferTableInput>) => inferTable({ ...base, ...input });
const physical = (def: TableDefinition) => def.columns.filter((column) => column.metadataKey === undefined);
const col = (name: string, type: string, origin: 'key' | 'value', nullable = false): TableColumn => ({
  name,
  type,
  nullable,
  origin,
});

describe('inferTable: the shape of a table', () => {
  it('exposes a topic without schemas as raw key and val BYTES columns', () => {
    expect(infer({})).toEqual({
      name: 'orders',
      columns: [col('key', 'BYTES', 'key', true), col('val', 'BYTES', 'value', true), ...SYSTEM_COLUMNS],
      changelogMode: 'append',
      watermark: { column: '$rowtime', expression: "`$rowtime` - INTERVAL '5' SECOND" },
      partitions: 6,
      keyFormat: 'RAW',
      valueFormat: 'RAW',
      keyFields: ['key'],
      valueFieldsInclude: 'EXCEPT_KEY',
    });
  });

  it('adds the hidden system and metadata columns, all METADATA … VIRTUAL, with the connector types', () => {
    expect(SYSTEM_COLUMNS).toEqual([
      {
        name: '$rowtime',
        type: 'TIMESTAMP_LTZ(3)',
        nullable: false,
        origin: 'system',
        hidden: true,
        metadataKey: 'timestamp',
      },
      {
        name: '$partition',
        type: 'INT',
        nullable: false,
        origin: 'metadata',
        hidden: true,
        metadataKey: 'partition',
      },
      {
        name: '$offset',
        type: 'BIGINT',
        nullable: false,
        origin: 'metadata',
        hidden: true,
        metadataKey: 'offset',
      },
      {
        name: '$headers',
        type: 'MAP<STRING, BYTES>',
        nullable: false,
        origin: 'metadata',
        hidden: true,
        metadataKey: 'headers',
      },
    ]);
  });

  it('keeps a raw key next to a schema value and records the value schema', () => {
    const valueSchema = avro({ id: 'long', note: ['null', 'string'] });
    const def = infer({ valueSchema });
    expect(physical(def)).toEqual([
      col('key', 'BYTES', 'key', true),
      col('id', 'BIGINT', 'value'),
      col('note', 'STRING', 'value', true),
    ]);
    expect(def).toMatchObject({ keyFormat: 'RAW', valueFormat: 'AVRO', keyFields: ['key'], valueSchema });
    expect(def.keySchema).toBeUndefined();
  });

  it('names a non-record value val and a non-record key key', () => {
    const def = infer({
      keySchema: { format: 'AVRO', schema: '"string"' },
      valueSchema: { format: 'JSON', schema: '{"type": "integer", "connect.type": "int32"}' },
    });
    expect(physical(def)).toEqual([col('key', 'STRING', 'key'), col('val', 'INT', 'value')]);
  });

  it('carries the declared type of Avro timestamps and fixed for the execution DDL', () => {
    const def = infer({
      valueSchema: avro({
        at: { type: 'long', logicalType: 'timestamp-millis' },
        hash: { type: 'fixed', name: 'H', size: 8 },
        id: 'long',
      }),
    });
    expect(physical(def).slice(1)).toEqual([
      { ...col('at', 'TIMESTAMP_LTZ(3)', 'value'), formatType: 'TIMESTAMP(3)' },
      { ...col('hash', 'BINARY(8)', 'value'), formatType: 'VARBINARY(8)' },
      col('id', 'BIGINT', 'value'),
    ]);
  });
});

describe('inferTable: key and value fields', () => {
  it('lets the value carry the key when every key field is a value field of the same type', () => {
    const def = infer({
      keySchema: avro({ region: 'string', id: 'long' }, 'Key'),
      valueSchema: avro({ id: 'long', region: 'string', amount: 'double' }),
    });
    expect(physical(def)).toEqual([
      col('id', 'BIGINT', 'value'),
      col('region', 'STRING', 'value'),
      col('amount', 'DOUBLE', 'value'),
    ]);
    expect(def).toMatchObject({ keyFields: ['region', 'id'], valueFieldsInclude: 'ALL' });
    expect(def.keyFieldsPrefix).toBeUndefined();
  });

  it('keeps key columns first, unprefixed, when no name clashes', () => {
    const def = infer({ keySchema: avro({ order_id: 'long' }), valueSchema: avro({ amount: 'double' }) });
    expect(physical(def)).toEqual([col('order_id', 'BIGINT', 'key'), col('amount', 'DOUBLE', 'value')]);
    expect(def).toMatchObject({ keyFields: ['order_id'], valueFieldsInclude: 'EXCEPT_KEY' });
    expect(def.keyFieldsPrefix).toBeUndefined();
  });

  it('prefixes every key column key_ when one clashes with a value column of another type', () => {
    const def = infer({
      keySchema: avro({ id: 'long', region: 'string' }),
      valueSchema: avro({ id: 'string', amount: 'double' }),
    });
    expect(physical(def)).toEqual([
      col('key_id', 'BIGINT', 'key'),
      col('key_region', 'STRING', 'key'),
      col('id', 'STRING', 'value'),
      col('amount', 'DOUBLE', 'value'),
    ]);
    expect(def).toMatchObject({ keyFields: ['key_id', 'key_region'], keyFieldsPrefix: 'key_' });
    expect(def.valueFieldsInclude).toBe('EXCEPT_KEY');
  });

  it('prefixes when only some key fields are in the value', () => {
    const def = infer({
      keySchema: avro({ id: 'long', region: 'string' }),
      valueSchema: avro({ id: 'long' }),
    });
    expect(def.keyFields).toEqual(['key_id', 'key_region']);
    expect(def.valueFieldsInclude).toBe('EXCEPT_KEY');
  });

  it('treats a nullability difference as a clash', () => {
    const def = infer({ keySchema: avro({ id: 'long' }), valueSchema: avro({ id: ['null', 'long'] }) });
    expect(def.keyFields).toEqual(['key_id']);
  });

  it('never lets the value carry a single-value key, even a value field named key', () => {
    const def = infer({
      keySchema: { format: 'AVRO', schema: '"string"' },
      valueSchema: avro({ key: 'string' }),
    });
    expect(physical(def).map((column) => column.name)).toEqual(['key_key', 'key']);
  });

  it('never lets the value carry a raw key', () => {
    const def = infer({ valueSchema: avro({ key: 'bytes', val: 'int' }) });
    expect(physical(def).map((column) => column.name)).toEqual(['key_key', 'key', 'val']);
  });

  it('lengthens the prefix while prefixed names still clash', () => {
    const def = infer({ keySchema: avro({ id: 'long' }), valueSchema: avro({ id: 'int', key_id: 'int' }) });
    expect(def).toMatchObject({ keyFields: ['key__id'], keyFieldsPrefix: 'key__' });
  });

  it('compares types across formats (a Protobuf key carried by an Avro value)', () => {
    const def = infer({
      keySchema: { format: 'PROTOBUF', schema: 'syntax = "proto3"; message K { int64 id = 1; }' },
      valueSchema: avro({ id: 'long', name: 'string' }),
    });
    expect(def).toMatchObject({ keyFields: ['id'], valueFieldsInclude: 'ALL', keyFormat: 'PROTOBUF' });
  });
});

describe('inferTable: changelog mode', () => {
  it('makes a compacted topic an upsert table keyed by the key columns, NOT NULL', () => {
    const def = infer({
      compacted: true,
      keySchema: avro({ id: ['null', 'long'] }),
      valueSchema: avro({ id: ['null', 'long'], v: 'int' }),
    });
    expect(def).toMatchObject({ changelogMode: 'upsert', primaryKey: ['id'], valueFieldsInclude: 'ALL' });
    expect(physical(def)).toEqual([col('id', 'BIGINT', 'value'), col('v', 'INT', 'value')]);
  });

  it('keys an upsert table without a key schema by its raw key', () => {
    const def = infer({ compacted: true, valueSchema: avro({ v: 'int' }) });
    expect(def.primaryKey).toEqual(['key']);
    expect(physical(def)[0]).toEqual(col('key', 'BYTES', 'key'));
  });

  it('has no primary key in append mode', () => {
    expect(infer({ keySchema: avro({ id: 'long' }) }).primaryKey).toBeUndefined();
  });
});

describe('inferTable: JSON Schema and Protobuf', () => {
  it('infers columns from JSON Schema key and value', () => {
    const def = infer({
      keySchema: {
        format: 'JSON',
        schema: '{"type":"object","properties":{"id":{"type":"integer"}},"required":["id"]}',
      },
      valueSchema: {
        format: 'JSON',
        schema:
          '{"type":"object","properties":{"id":{"type":"string"},"at":{"type":"string","format":"date-time"}}}',
      },
    });
    expect(physical(def)).toEqual([
      col('key_id', 'BIGINT', 'key'),
      col('id', 'STRING', 'value', true),
      col('at', 'TIMESTAMP_LTZ(3)', 'value', true),
    ]);
    expect(def).toMatchObject({ keyFormat: 'JSON', valueFormat: 'JSON' });
  });

  it('infers columns from a Protobuf value', () => {
    const def = infer({
      valueSchema: {
        format: 'PROTOBUF',
        schema:
          'syntax = "proto3"; import "google/protobuf/timestamp.proto"; message V { string s = 1; google.protobuf.Timestamp t = 2; }',
        references: [{ name: 'google/protobuf/timestamp.proto', subject: 'ts', version: 1 }],
      },
    });
    expect(physical(def).slice(1)).toEqual([
      col('s', 'STRING', 'value'),
      col('t', 'TIMESTAMP_LTZ(9)', 'value', true),
    ]);
  });
});

describe('inferTable: rejections', () => {
  it('rejects a field named like a system column', () => {
    const valueSchema: RegistrySchema = {
      format: 'JSON',
      schema: '{"type":"object","properties":{"$rowtime":{"type":"integer"}}}',
    };
    expect(() => infer({ valueSchema })).toThrow(
      expect.objectContaining({
        code: 'SCHEMA_UNSUPPORTED',
        details: { format: 'JSON Schema', path: '$rowtime' },
      }),
    );
  });

  it('passes on schema errors', () => {
    expect(() => infer({ valueSchema: { format: 'AVRO', schema: '{"type":' } })).toThrow(
      expect.objectContaining({ code: 'SCHEMA_INVALID' }),
    );
  });

  it.each([[0], [-1], [1.5]])('rejects %s partitions', (partitions) => {
    expect(() => infer({ partitions })).toThrow(expect.objectContaining({ code: 'INVALID_PARTITIONS' }));
  });
});
