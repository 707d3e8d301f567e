import { RiffleError } from '../riffle-error';
import { CLEANUP_POLICIES, durationMs, messageBytes, retentionBytes } from './plan-create-table';
import { SqlTokens } from './sql-tokens';

/**
 * `ALTER TABLE [IF EXISTS] table SET ('key' = 'value', …)` and `ALTER TABLE [IF EXISTS] table RESET ('key', …)`
 * as Riffle runs them (DESIGN §4), read from statements the SQL policy has accepted.
 */
export interface ParsedAlterTable {
  /** the table path as written, unquoted */
  path: string[];
  ifExists: boolean;
  /** SET: option → value; RESET: option → null */
  changes: Record<string, string | null>;
}

export function parseAlterTable(sql: string): ParsedAlterTable {
  const tokens = new SqlTokens(sql);
  tokens.expectWords('ALTER', 'TABLE');
  const ifExists = tokens.acceptWords('IF', 'EXISTS');
  const path = tokens.path();
  const reset = tokens.acceptWords('RESET');
  if (!reset) tokens.expectWords('SET');
  const changes: Record<string, string | null> = {};
  tokens.expectSymbol('(');
  do {
    const key = tokens.string('an option name in quotes');
    if (key in changes) throw badOption(key, 'is named twice.');
    if (reset) changes[key] = null;
    else {
      tokens.expectSymbol('=');
      changes[key] = tokens.string(`the value of '${key}' in quotes`);
    }
  } while (tokens.acceptSymbol(','));
  tokens.expectSymbol(')');
  tokens.expectEnd();
  return { path, ifExists, changes };
}

/**
 * What an ALTER TABLE does to the topic: Kafka topic configs to set (a string) or reset to the broker's
 * default (null). The table options a topic carries:
 * - `kafka.retention.time` → `retention.ms`, `kafka.retention.size` → `retention.bytes`,
 *   `kafka.max-message-size` → `max.message.bytes`, `kafka.cleanup-policy` → `cleanup.policy`;
 * - `changelog.mode`: a topic's changelog mode is its compaction (DESIGN §4), so `upsert` compacts the
 *   topic (`cleanup.policy` `compact`) and `append` makes it a deleting one; RESET goes back to the default.
 * Refused, with the reason: the partitions and formats of an existing table (INVALID_TABLE_OPTION), and the
 * `scan.*` options, which Riffle cannot store with a table yet (NOT_SUPPORTED_YET: OPTIONS hints set them
 * per statement). Unknown keys never get here: the SQL policy refuses them.
 */
export function planAlterTable(
  changes: Readonly<Record<string, string | null>>,
): Record<string, string | null> {
  const topicConfig: Record<string, string | null> = {};
  const set = (config: string, value: string | null, option: string) => {
    if (config in topicConfig && topicConfig[config] !== value)
      throw badOption(option, `contradicts another option that sets ${config}.`);
    topicConfig[config] = value;
  };
  for (const [key, value] of Object.entries(changes)) {
    switch (key) {
      case 'kafka.retention.time':
        set('retention.ms', value === null ? null : String(durationMs(key, value)), key);
        break;
      case 'kafka.retention.size':
        set('retention.bytes', value === null ? null : String(retentionBytes(key, value)), key);
        break;
      case 'kafka.max-message-size':
        set('max.message.bytes', value === null ? null : String(messageBytes(key, value)), key);
        break;
      case 'kafka.cleanup-policy': {
        const policy = value === null ? null : CLEANUP_POLICIES[value];
        if (policy === undefined) throw badOption(key, "must be 'delete', 'compact' or 'delete-compact'.");
        set('cleanup.policy', policy, key);
        break;
      }
      case 'changelog.mode':
        if (value !== null && value !== 'append' && value !== 'upsert')
          throw badOption(
            key,
            "must be 'append' or 'upsert' (a topic is an upsert table when it is compacted).",
          );
        set('cleanup.policy', value === 'upsert' ? 'compact' : value === 'append' ? 'delete' : null, key);
        break;
      case 'kafka.partitions':
        throw badOption(
          key,
          'cannot change on an existing table: records with the same key would land in other partitions. Create a new table with the partitions (DISTRIBUTED INTO n BUCKETS) and INSERT INTO it.',
        );
      case 'key.format':
      case 'value.format':
      case 'value.fields-include':
        throw badOption(
          key,
          "is fixed by the table's registry subjects (<topic>-key, <topic>-value) and cannot be altered.",
        );
      default:
        throw new RiffleError(
          'NOT_SUPPORTED_YET',
          'invalid',
          `Storing the option '${key}' with a table is not supported yet: set it per statement with /*+ OPTIONS('${key}' = '…') */.`,
          { option: key },
        );
    }
  }
  return topicConfig;
}

const badOption = (key: string, why: string) =>
  new RiffleError('INVALID_TABLE_OPTION', 'invalid', `Table option '${key}' ${why}`, { option: key });
