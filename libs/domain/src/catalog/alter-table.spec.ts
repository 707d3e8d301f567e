import { parseAlterTable, planAlterTable } from './alter-table';

describe('parseAlterTable', () => {
  it.each([
    [
      "ALTER TABLE t SET ('kafka.retention.time' = '1 d', 'changelog.mode' = 'upsert')",
      {
        path: ['t'],
        ifExists: false,
        changes: { 'kafka.retention.time': '1 d', 'changelog.mode': 'upsert' },
      },
    ],
    [
      "alter table if exists `c`.db.`my-topic` reset ('kafka.retention.time');",
      { path: ['c', 'db', 'my-topic'], ifExists: true, changes: { 'kafka.retention.time': null } },
    ],
  ])('%s', (sql, expected) => {
    expect(parseAlterTable(sql)).toEqual(expected);
  });

  it.each([
    ["ALTER TABLE t SET ('a' = 'b', 'a' = 'c')", /named twice/],
    ["ALTER TABLE t RESET ('a' = 'b')", /expected "\)"/],
    ['ALTER TABLE t RENAME TO u', /expected SET/],
  ])('refuses %s', (sql, message) => {
    expect(() => parseAlterTable(sql)).toThrow(message);
  });
});

describe('planAlterTable', () => {
  it.each([
    [{ 'kafka.retention.time': '7 d' }, { 'retention.ms': '604800000' }],
    [{ 'kafka.retention.time': '0' }, { 'retention.ms': '-1' }],
    [{ 'kafka.retention.size': '1000' }, { 'retention.bytes': '1000' }],
    [{ 'kafka.max-message-size': '2000000' }, { 'max.message.bytes': '2000000' }],
    [{ 'kafka.cleanup-policy': 'delete-compact' }, { 'cleanup.policy': 'compact,delete' }],
    [{ 'changelog.mode': 'upsert' }, { 'cleanup.policy': 'compact' }],
    [{ 'changelog.mode': 'append' }, { 'cleanup.policy': 'delete' }],
    [
      { 'kafka.retention.time': null, 'changelog.mode': null },
      { 'retention.ms': null, 'cleanup.policy': null },
    ],
    [{ 'changelog.mode': 'upsert', 'kafka.cleanup-policy': 'compact' }, { 'cleanup.policy': 'compact' }],
  ])('%j → %j', (changes, config) => {
    expect(planAlterTable(changes)).toEqual(config);
  });

  it.each([
    [{ 'kafka.retention.time': 'soon' }, 'INVALID_TABLE_OPTION', /not a duration/],
    [{ 'changelog.mode': 'retract' }, 'INVALID_TABLE_OPTION', /'append' or 'upsert'/],
    [{ 'changelog.mode': 'upsert', 'kafka.cleanup-policy': 'delete' }, 'INVALID_TABLE_OPTION', /contradicts/],
    [{ 'kafka.partitions': '12' }, 'INVALID_TABLE_OPTION', /cannot change on an existing table/],
    [{ 'value.format': 'raw' }, 'INVALID_TABLE_OPTION', /registry subjects/],
    [{ 'scan.startup.mode': 'latest-offset' }, 'NOT_SUPPORTED_YET', /OPTIONS/],
  ])('refuses %j with %s', (changes, code, message) => {
    expect(() => planAlterTable(changes)).toThrow(
      expect.objectContaining({ code, message: expect.stringMatching(message) }),
    );
  });
});
