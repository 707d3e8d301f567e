import { type CreateTableOptions, renderCreateTable } from './table-ddl';
import { inferTable, type InferTableInput, type TableDefinition } from './table-schema';

/**
 * A topic as the table statements use (DESIGN §4): {@link inferTable}, except that a key without a schema
 * next to a value with one is not a column. Such topics are what most producers write (a value schema,
 * null or opaque keys); with a `key BYTES` column, `INSERT INTO t SELECT <the value's fields> …` would not
 * match the table and every `SELECT *` would start with opaque bytes. Flink then writes null keys (the
 * topic's partitions are chosen by Kafka's partitioner). Upsert tables keep their raw key: it is the
 * PRIMARY KEY. A topic without any schema keeps `key BYTES` and `val BYTES`.
 *
 * DESCRIBE, SHOW CREATE TABLE, the REST table resource and the executed DDL all use this one view.
 */
export function topicTable(input: InferTableInput): TableDefinition {
  const def = inferTable(input);
  const schemalessKeyBesideValue =
    def.keyFormat === 'RAW' && def.valueFormat !== 'RAW' && def.changelogMode === 'append';
  if (!schemalessKeyBesideValue) return def;
  return {
    ...def,
    columns: def.columns.filter((column) => column.origin !== 'key'),
    keyFields: [],
    valueFieldsInclude: 'ALL',
  };
}

/**
 * {@link renderCreateTable} for a {@link topicTable}. A table without key columns declares no key format:
 * `renderCreateTable` leaves the key out for keys it cannot read (format without schema), which is what a
 * key-less table needs, so the key side is presented to it that way.
 */
export function renderTopicTable(def: TableDefinition, options: CreateTableOptions): string {
  // a RAW key has no schema, and an AVRO key without a schema is one renderCreateTable cannot read
  const keyless = def.keyFields.length === 0 && def.keyFormat === 'RAW' && def.keySchema === undefined;
  return renderCreateTable(keyless ? { ...def, keyFormat: 'AVRO' } : def, options);
}
