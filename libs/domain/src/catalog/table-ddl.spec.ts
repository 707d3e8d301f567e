import { RiffleError } from '../riffle-error';
import {
  type CreateTableOptions,
  describeRows,
  HIDDEN_COLUMNS_SESSION_CONFIG,
  renderCreateTable,
  renderShowCreateTable,
} from './table-ddl';
import { inferTable, type InferTableInput, type RegistrySchema } from './table-schema';

const avro = (fields: Record<string, unknown>, name = 'R'): RegistrySchema => ({
  format: 'AVRO',
  schema: JSON.stringify({
    type: 'record',
    name,
    fields: Object.entries(fields).map(([field, type]) => ({ name: field, type })),
  }),
});
const json = (properties: Record<string, unknown>, id?: number): RegistrySchema => ({
  format: 'JSON',
  schema: JSON.stringify({ type: 'object', properties, required: Object.keys(properties) }),
  ...(id === undefined ? {} : { id }),
});

const infer = (input: Partial<InferTableInput>) =>
  inferTable({ topic: 'orders', compacted: false, partitions: 6, ...input });

const execution: CreateTableOptions = {
  catalog: 'prod',
  database: 'cluster-1',
  connectorOptions: {
    'properties.bootstrap.servers': 'kafka:9092',
    'properties.group.id': 'riffle-s1',
    'scan.startup.mode': 'earliest-offset',
  },
  formatOptions: { url: 'http://registry:8081' },
};

/** The WITH options of a rendered DDL. */
function optionsOf(ddl: string): Record<string, string> {
  const unquote = (text: string) => text.replaceAll("''", "'");
  const pairs = [...ddl.matchAll(/^ {2}'((?:[^']|'')*)' = '((?:[^']|'')*)',?$/gm)];
  return Object.fromEntries(pairs.map(([, key, value]) => [unquote(key!), unquote(value!)]));
}

function rejectionOf(render: () => unknown): RiffleError {
  try {
    render();
  } catch (error) {
    if (error instanceof RiffleError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

const SYSTEM_LINES = [
  "  `$rowtime` TIMESTAMP_LTZ(3) NOT NULL METADATA FROM 'timestamp' VIRTUAL,",
  "  `$partition` INT NOT NULL METADATA FROM 'partition' VIRTUAL,",
  "  `$offset` BIGINT NOT NULL METADATA FROM 'offset' VIRTUAL,",
  "  `$headers` MAP<STRING, BYTES> NOT NULL METADATA FROM 'headers' VIRTUAL,",
  "  WATERMARK FOR `$rowtime` AS `$rowtime` - INTERVAL '5' SECOND",
];

describe('renderCreateTable: the DDL Riffle runs on Flink', () => {
  const keySchema = avro({ id: 'long', region: 'string' }, 'Key');
  const valueSchema = avro({
    id: 'string',
    amount: 'double',
    at: { type: 'long', logicalType: 'timestamp-millis' },
  });

  it('renders an append table with prefixed key columns (golden)', () => {
    const ddl = renderCreateTable(infer({ keySchema, valueSchema }), execution);
    const literal = (text: string) => text.replaceAll("'", "''");
    expect(ddl).toBe(
      [
        'CREATE TABLE `prod`.`cluster-1`.`orders` (',
        '  `key_id` BIGINT NOT NULL,',
        '  `key_region` STRING NOT NULL,',
        '  `id` STRING NOT NULL,',
        '  `amount` DOUBLE NOT NULL,',
        '  `at` TIMESTAMP(3) NOT NULL,',
        ...SYSTEM_LINES,
        ') WITH (',
        "  'connector' = 'kafka',",
        "  'topic' = 'orders',",
        "  'properties.bootstrap.servers' = 'kafka:9092',",
        "  'properties.group.id' = 'riffle-s1',",
        "  'scan.startup.mode' = 'earliest-offset',",
        "  'key.format' = 'avro-confluent',",
        "  'key.fields' = 'key_id;key_region',",
        "  'key.fields-prefix' = 'key_',",
        "  'key.avro-confluent.url' = 'http://registry:8081',",
        `  'key.avro-confluent.schema' = '${literal(keySchema.schema)}',`,
        "  'value.format' = 'avro-confluent',",
        "  'value.fields-include' = 'EXCEPT_KEY',",
        "  'value.avro-confluent.url' = 'http://registry:8081',",
        `  'value.avro-confluent.schema' = '${literal(valueSchema.schema)}'`,
        ')',
      ].join('\n'),
    );
  });

  it('renders an upsert table whose value carries the key (golden)', () => {
    const key = avro({ id: 'long' }, 'Key');
    const value = avro({ id: 'long', name: ['null', 'string'] });
    const ddl = renderCreateTable(infer({ compacted: true, keySchema: key, valueSchema: value }), {
      ...execution,
      connectorOptions: { ...execution.connectorOptions, 'sink.partitioner': 'fixed' },
      formatOptions: {},
    });
    expect(ddl).toBe(
      [
        'CREATE TABLE `prod`.`cluster-1`.`orders` (',
        '  `id` BIGINT NOT NULL,',
        '  `name` STRING,',
        ...SYSTEM_LINES.slice(0, -1),
        `${SYSTEM_LINES.at(-1)},`,
        '  PRIMARY KEY (`id`) NOT ENFORCED',
        ') WITH (',
        "  'connector' = 'upsert-kafka',",
        "  'topic' = 'orders',",
        "  'properties.bootstrap.servers' = 'kafka:9092',",
        "  'properties.group.id' = 'riffle-s1',",
        "  'key.format' = 'avro-confluent',",
        `  'key.avro-confluent.schema' = '${key.schema}',`,
        "  'value.format' = 'avro-confluent',",
        "  'value.fields-include' = 'ALL',",
        `  'value.avro-confluent.schema' = '${value.schema}'`,
        ')',
      ].join('\n'),
    );
  });

  it('reads a topic without schemas with the raw format', () => {
    const ddl = renderCreateTable(infer({}), execution);
    expect(ddl).toContain('  `key` BYTES,\n  `val` BYTES,\n');
    expect(optionsOf(ddl)).toEqual({
      connector: 'kafka',
      topic: 'orders',
      'properties.bootstrap.servers': 'kafka:9092',
      'properties.group.id': 'riffle-s1',
      'scan.startup.mode': 'earliest-offset',
      'key.format': 'raw',
      'key.fields': 'key',
      'value.format': 'raw',
      'value.fields-include': 'EXCEPT_KEY',
    });
  });

  it('declares the execution types of Avro timestamps and fixed, and keeps the schema for fixed', () => {
    const value = avro({ hash: { type: 'fixed', name: 'H', size: 4 } });
    const ddl = renderCreateTable(infer({ valueSchema: value }), execution);
    expect(ddl).toContain('  `hash` VARBINARY(4) NOT NULL,');
    expect(optionsOf(ddl)['value.avro-confluent.schema']).toBe(value.schema);
  });

  it.each<[string, unknown]>([
    ['time-micros (Flink derives TIME(6))', { type: 'long', logicalType: 'time-micros' }],
    ['a local timestamp (Flink derives BIGINT)', { type: 'long', logicalType: 'local-timestamp-millis' }],
  ])('leaves out the registered schema for %s', (_case, type) => {
    const options = optionsOf(renderCreateTable(infer({ valueSchema: avro({ t: type }) }), execution));
    expect(options['value.avro-confluent.schema']).toBeUndefined();
    expect(options['value.avro-confluent.url']).toBe('http://registry:8081');
  });

  it('leaves out the registered schemas when the primary key makes nullable key fields NOT NULL', () => {
    const ddl = renderCreateTable(
      infer({
        compacted: true,
        keySchema: avro({ id: ['null', 'long'] }),
        valueSchema: avro({ id: ['null', 'long'] }),
      }),
      execution,
    );
    expect(ddl).toContain('  `id` BIGINT NOT NULL,');
    expect(Object.keys(optionsOf(ddl)).filter((key) => key.endsWith('.schema'))).toEqual([]);
  });

  it('runs an append table without a key Flink cannot decode', () => {
    const ddl = renderCreateTable(
      infer({ keySchema: { format: 'AVRO', schema: '"string"' }, valueSchema: avro({ v: 'int' }) }),
      execution,
    );
    expect(ddl).not.toContain('`key`');
    const options = optionsOf(ddl);
    expect(Object.keys(options).filter((key) => key.startsWith('key.'))).toEqual([]);
    expect(options['value.fields-include']).toBe('ALL');
  });

  it('renders a JSON Schema value with the json-registry format and the id writes name (golden)', () => {
    const value = json(
      {
        id: { type: 'integer', 'connect.type': 'int32' },
        at: { type: 'string', format: 'date-time' },
        tags: { type: 'array', items: { type: 'string' } },
      },
      42,
    );
    expect(renderCreateTable(infer({ valueSchema: value }), execution)).toBe(
      [
        'CREATE TABLE `prod`.`cluster-1`.`orders` (',
        '  `key` BYTES,',
        '  `id` INT NOT NULL,',
        '  `at` TIMESTAMP_LTZ(3) NOT NULL,',
        '  `tags` ARRAY<STRING NOT NULL> NOT NULL,',
        ...SYSTEM_LINES,
        ') WITH (',
        "  'connector' = 'kafka',",
        "  'topic' = 'orders',",
        "  'properties.bootstrap.servers' = 'kafka:9092',",
        "  'properties.group.id' = 'riffle-s1',",
        "  'scan.startup.mode' = 'earliest-offset',",
        "  'key.format' = 'raw',",
        "  'key.fields' = 'key',",
        "  'value.format' = 'json-registry',",
        "  'value.fields-include' = 'EXCEPT_KEY',",
        "  'value.json-registry.schema-id' = '42'",
        ')',
      ].join('\n'),
    );
  });

  it('reads a JSON Schema value without a known id (writes then fail in Flink, asking for the id)', () => {
    const options = optionsOf(
      renderCreateTable(infer({ valueSchema: json({ a: { type: 'string' } }) }), execution),
    );
    expect(options['value.format']).toBe('json-registry');
    expect(Object.keys(options).filter((key) => key.includes('json-registry.'))).toEqual([]);
  });

  it('runs an upsert table with a JSON Schema key as its primary key', () => {
    const def = infer({
      compacted: true,
      keySchema: json({ id: { type: 'integer' } }, 7),
      valueSchema: json({ id: { type: 'integer' }, v: { type: 'string' } }, 8),
    });
    const options = optionsOf(renderCreateTable(def, execution));
    expect(options).toMatchObject({
      connector: 'upsert-kafka',
      'key.format': 'json-registry',
      'key.json-registry.schema-id': '7',
      'value.format': 'json-registry',
      'value.fields-include': 'ALL',
      'value.json-registry.schema-id': '8',
    });
    expect(Object.keys(options).some((key) => key.includes('avro-confluent'))).toBe(false);
  });

  it('runs an append table with a JSON Schema key carried by an Avro value, reading both', () => {
    const def = infer({
      keySchema: json({ id: { type: 'integer' } }, 3),
      valueSchema: avro({ id: 'long', v: 'int' }),
    });
    expect(def.valueFieldsInclude).toBe('ALL');
    const ddl = renderCreateTable(def, execution);
    expect(ddl).toContain('  `id` BIGINT NOT NULL,\n  `v` INT NOT NULL,\n');
    expect(optionsOf(ddl)).toMatchObject({
      'key.format': 'json-registry',
      'key.fields': 'id',
      'key.json-registry.schema-id': '3',
      'value.format': 'avro-confluent',
    });
  });

  it('renders a Protobuf key and value with the protobuf-registry format, their wire plans and schema ids', () => {
    const def = infer({
      compacted: true,
      keySchema: { format: 'PROTOBUF', schema: 'syntax = "proto3"; message K { int64 id = 1; }' },
      valueSchema: {
        format: 'PROTOBUF',
        schema: 'syntax = "proto3"; message V { int64 id = 1; sint32 delta = 7; repeated string tags = 3; }',
        id: 42,
      },
    });
    const ddl = renderCreateTable(def, execution);
    expect(ddl).toContain(
      '  `id` BIGINT NOT NULL,\n  `delta` INT NOT NULL,\n  `tags` ARRAY<STRING NOT NULL> NOT NULL,\n',
    );
    expect(optionsOf(ddl)).toMatchObject({
      connector: 'upsert-kafka',
      'key.format': 'protobuf-registry',
      'key.protobuf-registry.plan': '[{"n":1,"t":"int64"}]',
      'value.format': 'protobuf-registry',
      'value.fields-include': 'ALL',
      'value.protobuf-registry.plan': '[{"n":1,"t":"int64"},{"n":7,"t":"sint32"},{"n":3,"t":"string","r":1}]',
      // writes name the value schema's id; the key schema came without one, so its side reads only
      'value.protobuf-registry.schema-id': '42',
    });
    expect(optionsOf(ddl)).not.toHaveProperty('key.protobuf-registry.schema-id');
  });

  it('runs an append table without a JSON Schema key that is not an object', () => {
    const def = infer({
      keySchema: { format: 'JSON', schema: '{"type": "string"}' },
      valueSchema: json({ v: { type: 'string' } }),
    });
    const ddl = renderCreateTable(def, execution);
    expect(ddl).not.toContain('`key`');
    expect(optionsOf(ddl)['key.format']).toBeUndefined();
  });

  it.each<[string, Partial<InferTableInput>, string]>([
    [
      'a JSON Schema value that is not an object',
      { valueSchema: { format: 'JSON', schema: '{"type": "string"}' } },
      'value',
    ],
    [
      'a JSON Schema value with a union of several types',
      { valueSchema: json({ u: { type: ['string', 'integer'] } }) },
      'value',
    ],
    [
      "a JSON Schema value with Kafka Connect's integer timestamps",
      { valueSchema: json({ at: { type: 'integer', title: 'org.apache.kafka.connect.data.Timestamp' } }) },
      'value',
    ],
    [
      'an upsert table with a non-record Avro key',
      { compacted: true, keySchema: { format: 'AVRO', schema: '"long"' }, valueSchema: avro({ v: 'int' }) },
      'key',
    ],
    [
      'an upsert table with a JSON Schema key that is not an object',
      {
        compacted: true,
        keySchema: { format: 'JSON', schema: '{"type": "integer"}' },
        valueSchema: avro({ v: 'int' }),
      },
      'key',
    ],
    ['an Avro union of several types', { valueSchema: avro({ u: ['null', 'int', 'string'] }) }, 'value'],
  ])('refuses %s as SCHEMA_FORMAT_NOT_SUPPORTED', (_case, input, part) => {
    const def = infer(input);
    const error = rejectionOf(() => renderCreateTable(def, execution));
    expect(error).toMatchObject({ code: 'SCHEMA_FORMAT_NOT_SUPPORTED', kind: 'invalid' });
    expect(error.details).toMatchObject({ topic: 'orders', part });
  });

  it('describes what Flink lacks', () => {
    const error = rejectionOf(() =>
      renderCreateTable(
        infer({
          valueSchema: json({ at: { type: 'integer', title: 'org.apache.kafka.connect.data.Date' } }),
        }),
        execution,
      ),
    );
    expect(error.message).toBe(
      'Statements cannot read or write topic orders yet: its value cannot be decoded by Flink (the ' +
        "json-registry format cannot read at: Kafka Connect's integer-encoded Date yet). " +
        'DESCRIBE and SHOW CREATE TABLE still work.',
    );
  });

  it.each([['connector'], ['topic'], ['value.format'], ['key.fields']])(
    'refuses a caller option %s the renderer owns',
    (key) => {
      const options = { ...execution, connectorOptions: { [key]: 'x' } };
      expect(rejectionOf(() => renderCreateTable(infer({}), options)).code).toBe('CONNECTOR_OPTION_CONFLICT');
    },
  );

  it('quotes identifiers and escapes literals', () => {
    const ddl = renderCreateTable(infer({ topic: "o'k`s" }), {
      catalog: 'c',
      database: 'd',
      connectorOptions: { 'properties.sasl.jaas.config': "user='a'" },
    });
    expect(ddl.split('\n')[0]).toBe("CREATE TABLE `c`.`d`.`o'k``s` (");
    expect(ddl).toContain("  'topic' = 'o''k`s',");
    expect(ddl).toContain("  'properties.sasl.jaas.config' = 'user=''a''',");
  });
});

describe('renderShowCreateTable: the DDL users see', () => {
  it('shows an upsert table with catalog types, key, distribution and user options only (golden)', () => {
    const def = infer({
      compacted: true,
      keySchema: avro({ id: 'long' }),
      valueSchema: avro({ id: 'string', at: { type: 'long', logicalType: 'timestamp-millis' } }),
    });
    expect(renderShowCreateTable(def, { catalog: 'prod', database: 'cluster-1' })).toBe(
      [
        'CREATE TABLE `prod`.`cluster-1`.`orders` (',
        '  `key_id` BIGINT NOT NULL,',
        '  `id` STRING NOT NULL,',
        '  `at` TIMESTAMP_LTZ(3) NOT NULL,',
        ...SYSTEM_LINES.slice(0, -1),
        `${SYSTEM_LINES.at(-1)},`,
        '  PRIMARY KEY (`key_id`) NOT ENFORCED',
        ')',
        'DISTRIBUTED BY HASH(`key_id`) INTO 6 BUCKETS',
        'WITH (',
        "  'changelog.mode' = 'upsert',",
        "  'kafka.cleanup-policy' = 'compact',",
        "  'key.format' = 'avro-registry',",
        "  'value.format' = 'avro-registry'",
        ')',
      ].join('\n'),
    );
  });

  it('shows an append raw table unqualified, with stored options', () => {
    const shown = renderShowCreateTable(infer({ valueSchema: json({ a: { type: 'string' } }) }), {
      options: { 'scan.startup.mode': 'latest-offset' },
    });
    expect(shown.split('\n')[0]).toBe('CREATE TABLE `orders` (');
    expect(shown).toContain('DISTRIBUTED BY HASH(`key`) INTO 6 BUCKETS');
    expect(optionsOf(shown)).toEqual({
      'changelog.mode': 'append',
      'kafka.cleanup-policy': 'delete',
      'key.format': 'raw',
      'value.format': 'json-registry',
      'scan.startup.mode': 'latest-offset',
    });
  });

  it('never shows injected connector options or registry URLs', () => {
    const shown = renderShowCreateTable(infer({ valueSchema: avro({ v: 'int' }) }));
    expect(shown).not.toMatch(/connector|bootstrap|avro-confluent|url|fields-include/);
  });
});

describe('describeRows: DESCRIBE as Flink answers it', () => {
  const def = infer({
    compacted: true,
    keySchema: avro({ id: 'long', region: 'string' }),
    valueSchema: avro({ id: 'long', region: 'string', note: ['null', 'string'] }),
  });

  it('hides the system and metadata columns without EXTENDED', () => {
    expect(describeRows(def, false)).toEqual([
      { name: 'id', type: 'BIGINT', null: false, key: 'PRI(id, region)', extras: null, watermark: null },
      { name: 'region', type: 'STRING', null: false, key: 'PRI(id, region)', extras: null, watermark: null },
      { name: 'note', type: 'STRING', null: true, key: null, extras: null, watermark: null },
    ]);
  });

  it('shows them with EXTENDED, the rowtime column marked and carrying the watermark', () => {
    expect(describeRows(def, true).slice(3)).toEqual([
      {
        name: '$rowtime',
        type: 'TIMESTAMP_LTZ(3) *ROWTIME*',
        null: false,
        key: null,
        extras: "METADATA FROM 'timestamp' VIRTUAL",
        watermark: "`$rowtime` - INTERVAL '5' SECOND",
      },
      {
        name: '$partition',
        type: 'INT',
        null: false,
        key: null,
        extras: "METADATA FROM 'partition' VIRTUAL",
        watermark: null,
      },
      {
        name: '$offset',
        type: 'BIGINT',
        null: false,
        key: null,
        extras: "METADATA FROM 'offset' VIRTUAL",
        watermark: null,
      },
      {
        name: '$headers',
        type: 'MAP<STRING, BYTES>',
        null: false,
        key: null,
        extras: "METADATA FROM 'headers' VIRTUAL",
        watermark: null,
      },
    ]);
  });

  it('has no key column values in an append table', () => {
    expect(describeRows(infer({}), false).map((row) => row.key)).toEqual([null, null]);
  });
});

describe('HIDDEN_COLUMNS_SESSION_CONFIG', () => {
  it('excludes both kinds of virtual metadata columns from SELECT *', () => {
    expect(HIDDEN_COLUMNS_SESSION_CONFIG).toEqual({
      'table.column-expansion-strategy':
        'EXCLUDE_ALIASED_VIRTUAL_METADATA_COLUMNS;EXCLUDE_DEFAULT_VIRTUAL_METADATA_COLUMNS',
    });
  });
});
