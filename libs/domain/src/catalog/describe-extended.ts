import { quoteIdentifier } from './flink-columns';
import { USER_FORMATS } from './table-ddl';
import type { TableDefinition } from './table-schema';

/** Where a table lives and what it carries beyond its columns, for DESCRIBE EXTENDED. */
export interface TableDetails {
  catalog: string;
  database: string;
  /** user-facing table options (kafka.cleanup-policy, kafka.retention.time …), as SHOW CREATE TABLE shows them */
  options: Readonly<Record<string, string>>;
  /** the subjects' latest versions the columns come from */
  keySubject?: { subject: string; version: number; id: number };
  valueSubject?: { subject: string; version: number; id: number };
}

/**
 * The rows DESCRIBE EXTENDED adds after the columns (hidden ones included), as `[name, value]` pairs in the
 * manner of Spark's and Hive's `DESCRIBE EXTENDED`: a `# Detailed Table Information` header, then the
 * table's topic, buckets and distribution key, changelog mode, primary key, watermark, formats, the registry
 * subjects with their version and schema id, and each table option. Never connector internals or credentials.
 */
export function describeExtendedRows(def: TableDefinition, details: TableDetails): [string, string][] {
  const subject = (side: 'key' | 'value', found: TableDetails['keySubject']): string =>
    found
      ? `${found.subject} (version ${found.version}, schema id ${found.id})`
      : `none (no subject ${def.name}-${side})`;
  const distribution =
    def.keyFields.length > 0
      ? `DISTRIBUTED BY HASH(${def.keyFields.map(quoteIdentifier).join(', ')}) INTO ${def.partitions} BUCKETS`
      : `DISTRIBUTED INTO ${def.partitions} BUCKETS`;
  const rows: [string, string][] = [
    ['# Detailed Table Information', ''],
    ['Table', [details.catalog, details.database, def.name].map(quoteIdentifier).join('.')],
    ['Topic', def.name],
    ['Partitions', String(def.partitions)],
    ['Distribution', distribution],
    ['Changelog mode', def.changelogMode],
    ['Primary key', def.primaryKey ? def.primaryKey.map(quoteIdentifier).join(', ') : 'none'],
    ['Watermark', `FOR ${quoteIdentifier(def.watermark.column)} AS ${def.watermark.expression}`],
    ['Key format', USER_FORMATS[def.keyFormat]],
    ['Value format', USER_FORMATS[def.valueFormat]],
    ['Key subject', subject('key', details.keySubject)],
    ['Value subject', subject('value', details.valueSubject)],
  ];
  for (const [key, value] of Object.entries(details.options)) rows.push([`Option '${key}'`, value]);
  return rows;
}
