import { RiffleError } from '../riffle-error';
import type { FlinkColumn } from './flink-columns';
import { tableAvroSchemas } from './flink-to-avro';
import { notSupportedYet, type ParsedCreateTable } from './create-table-statement';
import { mergeTableOptions, STORED_TABLE_OPTIONS } from './stored-table-options';

/**
 * What `CREATE TABLE` does to Kafka and the registry (DESIGN §4): a topic with as many partitions as
 * buckets (default 6), compacted when the table has a PRIMARY KEY, and Avro schemas for `<topic>-key`
 * (the key columns: PRIMARY KEY, else DISTRIBUTED BY) and `<topic>-value` (every column).
 *
 * Users write the table's *behaviour*, never connector options. Allowed in WITH:
 * - `changelog.mode`: `append` | `upsert` (default: `upsert` with a PRIMARY KEY, else `append`);
 * - `kafka.cleanup-policy`: `delete` | `compact` | `delete-compact` (default: `compact` for upsert);
 * - `kafka.retention.time`: a duration (`7 d`, `12 h`, `30 min`, `1000 ms`; `0` or `-1` = forever);
 * - `kafka.retention.size`: bytes (`0` or `-1` = no limit);
 * - `kafka.max-message-size`: bytes;
 * - `kafka.partitions`: the partition count, the same as `DISTRIBUTED … INTO n BUCKETS`;
 * - `key.format` / `value.format`: `avro-registry` (the only format Flink can read back, see table-ddl).
 * - `scan.startup.*` / `scan.bounded.*`: stored with the table (`tableOptions`), where its statements
 *   start and stop reading unless a statement's OPTIONS hint says otherwise;
 * `sink.*` options cannot be stored (NOT_SUPPORTED_YET); anything else — `connector`, `properties.*`, credentials, URLs — is INVALID_TABLE_OPTION.
 */
export interface CreateTablePlan {
  /** the topic (the last part of the table path) */
  topic: string;
  partitions: number;
  /** Kafka topic configs: `cleanup.policy`, `retention.ms`, … */
  topicConfig: Record<string, string>;
  changelogMode: 'append' | 'upsert';
  /** the columns of the key schema, if any */
  keyColumns: string[];
  /** Avro schemas as JSON text; no key columns, no key schema */
  keySchema?: string;
  valueSchema: string;
  /** `scan.*` options Riffle stores with the table (stored-table-options) */
  tableOptions: Record<string, string>;
}

export const DEFAULT_PARTITIONS = 6;
/** Kafka's own limit is far higher; this keeps one statement from creating a monster by a typo */
export const MAX_PARTITIONS = 1_000;

export const CLEANUP_POLICIES: Readonly<Record<string, string>> = {
  delete: 'delete',
  compact: 'compact',
  'delete-compact': 'compact,delete',
  'compact,delete': 'compact,delete',
  'delete,compact': 'compact,delete',
};

const DURATION_UNITS: Readonly<Record<string, number>> = {
  ms: 1,
  milli: 1,
  millis: 1,
  millisecond: 1,
  milliseconds: 1,
  s: 1_000,
  sec: 1_000,
  secs: 1_000,
  second: 1_000,
  seconds: 1_000,
  min: 60_000,
  mins: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
  days: 86_400_000,
};

const badOption = (key: string, why: string) =>
  new RiffleError('INVALID_TABLE_OPTION', 'invalid', `Table option '${key}': ${why}`, { option: key });

export function planCreateTable(table: ParsedCreateTable): CreateTablePlan {
  const topic = table.path.at(-1)!;
  if (!/^[A-Za-z0-9._-]{1,249}$/.test(topic) || topic === '.' || topic === '..') {
    throw new RiffleError(
      'INVALID_TABLE_NAME',
      'invalid',
      `\`${topic}\` cannot be a topic name: use 1-249 letters, digits, '.', '_' or '-'.`,
    );
  }
  if (isInternalTopic(topic)) {
    throw new RiffleError(
      'INVALID_TABLE_NAME',
      'invalid',
      `\`${topic}\` is reserved: names starting with '_' or 'riffle.' are internal topics.`,
    );
  }
  const options = { ...table.options };
  const take = (key: string) => {
    const value = options[key];
    delete options[key];
    return value;
  };
  for (const key of ['key.format', 'value.format']) {
    const format = take(key);
    if (format !== undefined && format !== 'avro-registry') {
      throw badOption(key, `'${format}' is not supported; tables Riffle creates are 'avro-registry'.`);
    }
  }
  const changelog = take('changelog.mode');
  if (changelog !== undefined && changelog !== 'append' && changelog !== 'upsert') {
    throw badOption('changelog.mode', "must be 'append' or 'upsert'.");
  }
  const cleanupOption = take('kafka.cleanup-policy');
  const cleanup = cleanupOption === undefined ? undefined : CLEANUP_POLICIES[cleanupOption];
  if (cleanupOption !== undefined && cleanup === undefined) {
    throw badOption('kafka.cleanup-policy', "must be 'delete', 'compact' or 'delete-compact'.");
  }
  const changelogMode = changelog ?? (table.primaryKey && cleanup !== 'delete' ? 'upsert' : 'append');
  if (changelogMode === 'upsert' && !table.primaryKey) {
    throw badOption('changelog.mode', "'upsert' needs a PRIMARY KEY (… ) NOT ENFORCED.");
  }
  const cleanupPolicy = cleanup ?? (changelogMode === 'upsert' ? 'compact' : 'delete');
  if (changelogMode === 'upsert' && !cleanupPolicy.includes('compact')) {
    throw badOption(
      'kafka.cleanup-policy',
      "an upsert table's topic is compacted ('compact' or 'delete-compact').",
    );
  }
  if (changelogMode === 'append' && cleanupPolicy.includes('compact') && !table.primaryKey) {
    throw badOption('kafka.cleanup-policy', 'a compacted topic needs keys: declare a PRIMARY KEY.');
  }

  const topicConfig: Record<string, string> = { 'cleanup.policy': cleanupPolicy };
  const retention = take('kafka.retention.time');
  if (retention !== undefined)
    topicConfig['retention.ms'] = String(durationMs('kafka.retention.time', retention));
  const size = take('kafka.retention.size');
  if (size !== undefined) topicConfig['retention.bytes'] = String(bytes('kafka.retention.size', size, true));
  const maxMessage = take('kafka.max-message-size');
  if (maxMessage !== undefined)
    topicConfig['max.message.bytes'] = String(bytes('kafka.max-message-size', maxMessage, false));
  const partitionsOption = take('kafka.partitions');
  const partitions = partitionCount(table.buckets, partitionsOption);

  const tableOptions: Record<string, string> = {};
  for (const key of STORED_TABLE_OPTIONS) {
    const value = take(key);
    if (value !== undefined) tableOptions[key] = value;
  }
  mergeTableOptions({}, tableOptions);
  const [rest] = Object.keys(options);
  if (rest !== undefined) {
    if (/^(scan|sink)\./.test(rest)) {
      throw notSupportedYet(
        `Storing the option '${rest}' with the table (set it per statement with /*+ OPTIONS('${rest}' = '…') */)`,
        { option: rest },
      );
    }
    throw badOption(
      rest,
      'not an option of Riffle tables (connector, properties.* and credentials are set by Riffle). Allowed: changelog.mode, kafka.cleanup-policy, kafka.retention.time, kafka.retention.size, kafka.max-message-size, kafka.partitions, key.format, value.format.',
    );
  }

  const keyColumns = table.primaryKey ?? table.distributionKey ?? [];
  // Flink makes PRIMARY KEY columns NOT NULL; the schemas say so too, so the value carries the key
  const columns: FlinkColumn[] = table.columns.map((column) =>
    table.primaryKey?.includes(column.name) && !column.type.endsWith(' NOT NULL')
      ? { ...column, type: `${column.type} NOT NULL` }
      : column,
  );
  const schemas = tableAvroSchemas({ table: topic, columns, keyColumns });
  return {
    topic,
    partitions,
    topicConfig,
    changelogMode,
    keyColumns,
    ...(schemas.key ? { keySchema: JSON.stringify(schemas.key) } : {}),
    valueSchema: JSON.stringify(schemas.value),
    tableOptions,
  };
}

/** Kafka's internal topics (`__consumer_offsets`, `_schemas` …) and Riffle's own (`riffle.…`) are no tables. */
export function isInternalTopic(topic: string): boolean {
  return topic.startsWith('_') || topic.startsWith('riffle.');
}

function partitionCount(buckets: number | undefined, option: string | undefined): number {
  let fromOption: number | undefined;
  if (option !== undefined) {
    if (!/^\d+$/.test(option.trim())) throw badOption('kafka.partitions', 'must be a whole number.');
    fromOption = Number(option.trim());
    if (buckets !== undefined && buckets !== fromOption) {
      throw badOption(
        'kafka.partitions',
        `says ${fromOption} but the table is DISTRIBUTED INTO ${buckets} BUCKETS.`,
      );
    }
  }
  const partitions = buckets ?? fromOption ?? DEFAULT_PARTITIONS;
  if (partitions < 1 || partitions > MAX_PARTITIONS) {
    throw new RiffleError(
      'INVALID_PARTITIONS',
      'invalid',
      `A table has 1 to ${MAX_PARTITIONS} buckets (topic partitions), got ${partitions}.`,
    );
  }
  return partitions;
}

/** `7 d`, `12h`, `30 min`, `1000` (ms); `0` and `-1` mean forever (-1 for Kafka) */
export function durationMs(key: string, text: string): number {
  const match = /^\s*(-?\d+)\s*([A-Za-z]*)\s*$/.exec(text);
  const unit = match?.[2] ? DURATION_UNITS[match[2].toLowerCase()] : 1;
  if (!match || unit === undefined) {
    throw badOption(key, `'${text}' is not a duration (e.g. '7 d', '12 h', '30 min', '500 ms').`);
  }
  const amount = Number(match[1]);
  if (amount === 0 || amount === -1) return -1;
  if (amount < 0) throw badOption(key, 'must be positive, or 0 for forever.');
  return amount * unit;
}

/** `kafka.retention.size`: bytes, `0` or `-1` for no limit (-1 for Kafka) */
export const retentionBytes = (key: string, text: string) => bytes(key, text, true);
/** `kafka.max-message-size`: a positive number of bytes */
export const messageBytes = (key: string, text: string) => bytes(key, text, false);

function bytes(key: string, text: string, unlimitedAllowed: boolean): number {
  if (!/^\s*-?\d+\s*$/.test(text)) throw badOption(key, `'${text}' is not a number of bytes.`);
  const value = Number(text);
  if (unlimitedAllowed && (value === 0 || value === -1)) return -1;
  if (value < 1) throw badOption(key, 'must be a positive number of bytes.');
  return value;
}

/**
 * The inverse for SHOW CREATE TABLE: a topic's configs as the table options a user would write
 * (`kafka.cleanup-policy`, `kafka.retention.time` …); Kafka's "forever" (-1) shows as `0`.
 */
export function tableOptionsOfTopic(config: Readonly<Record<string, string>>): Record<string, string> {
  const options: Record<string, string> = {};
  const policy = config['cleanup.policy'];
  if (policy !== undefined) {
    const parts = policy.split(',').map((p) => p.trim());
    options['kafka.cleanup-policy'] =
      parts.includes('compact') && parts.includes('delete') ? 'delete-compact' : (parts[0] ?? 'delete');
  }
  const retention = config['retention.ms'];
  if (retention !== undefined && /^-?\d+$/.test(retention))
    options['kafka.retention.time'] = formatDuration(Number(retention));
  const size = config['retention.bytes'];
  if (size !== undefined && /^-?\d+$/.test(size))
    options['kafka.retention.size'] = Number(size) < 0 ? '0' : size;
  const maxMessage = config['max.message.bytes'];
  if (maxMessage !== undefined) options['kafka.max-message-size'] = maxMessage;
  return options;
}

/** the largest unit that divides the duration: `7 d`, `12 h`, `30 min`, `10 s`, `1500 ms`; -1 (forever) is `0` */
export function formatDuration(ms: number): string {
  if (ms < 0) return '0';
  const units: [string, number][] = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['min', 60_000],
    ['s', 1_000],
  ];
  for (const [unit, size] of units) if (ms > 0 && ms % size === 0) return `${ms / size} ${unit}`;
  return `${ms} ms`;
}
