import type { RegistrySchema } from './table-schema';
import { renderTopicTable, topicTable } from './topic-table';

const avro = (fields: Record<string, unknown>, name = 'R'): RegistrySchema => ({
  format: 'AVRO',
  schema: JSON.stringify({
    type: 'record',
    name,
    fields: Object.entries(fields).map(([field, type]) => ({ name: field, type })),
  }),
});
const options = {
  catalog: 'env-1',
  database: 'main',
  connectorOptions: { 'properties.bootstrap.servers': 'kafka:9092' },
  formatOptions: { url: 'http://registry:8081' },
};
const optionsOf = (ddl: string) =>
  Object.fromEntries([...ddl.matchAll(/^ {2}'([^']+)' = '((?:[^']|'')*)',?$/gm)].map((m) => [m[1], m[2]]));
const visible = (def: ReturnType<typeof topicTable>) =>
  def.columns.filter((c) => !c.hidden).map((c) => `${c.name} ${c.type}`);

describe('topicTable: the table statements use', () => {
  it('leaves out a schemaless key next to a value schema, and declares no key format', () => {
    const def = topicTable({
      topic: 'orders',
      compacted: false,
      partitions: 2,
      valueSchema: avro({ id: 'long', note: ['null', 'string'] }),
    });
    expect(visible(def)).toEqual(['id BIGINT', 'note STRING']);
    expect(def).toMatchObject({ keyFields: [], valueFieldsInclude: 'ALL', keyFormat: 'RAW' });
    const ddl = renderTopicTable(def, options);
    expect(ddl).not.toContain('`key`');
    const rendered = optionsOf(ddl);
    expect(Object.keys(rendered).filter((key) => key.startsWith('key.'))).toEqual([]);
    expect(rendered).toMatchObject({
      connector: 'kafka',
      'value.format': 'avro-confluent',
      'value.fields-include': 'ALL',
      'value.avro-confluent.url': 'http://registry:8081',
    });
  });

  it('keeps the raw key of a compacted topic: it is the primary key', () => {
    const def = topicTable({ topic: 't', compacted: true, partitions: 1, valueSchema: avro({ v: 'long' }) });
    expect(visible(def)).toEqual(['key BYTES', 'v BIGINT']);
    expect(def.primaryKey).toEqual(['key']);
    expect(optionsOf(renderTopicTable(def, options))).toMatchObject({
      connector: 'upsert-kafka',
      'key.format': 'raw',
    });
  });

  it('keeps key and val of a topic without schemas', () => {
    const def = topicTable({ topic: 't', compacted: false, partitions: 1 });
    expect(visible(def)).toEqual(['key BYTES', 'val BYTES']);
    expect(optionsOf(renderTopicTable(def, options))).toMatchObject({
      'key.format': 'raw',
      'key.fields': 'key',
      'value.format': 'raw',
    });
  });

  it('keeps a key with a schema', () => {
    const def = topicTable({
      topic: 't',
      compacted: false,
      partitions: 1,
      keySchema: avro({ region: 'string' }, 'K'),
      valueSchema: avro({ id: 'long' }),
    });
    expect(visible(def)).toEqual(['region STRING', 'id BIGINT']);
    expect(optionsOf(renderTopicTable(def, options))).toMatchObject({
      'key.format': 'avro-confluent',
      'key.fields': 'region',
      'value.fields-include': 'EXCEPT_KEY',
    });
  });
});
