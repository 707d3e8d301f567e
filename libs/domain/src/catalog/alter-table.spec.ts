import { parseAlterTable } from '../../../../test/fixtures/flink-sql-readings';
import { applyTableSettings, checkWatermark, planAlterTable } from './alter-table';
import { mergeTableOptions } from './stored-table-options';
import { DEFAULT_WATERMARK_EXPRESSION, inferTable } from './table-schema';

describe('parseAlterTable', () => {
  it.each([
    [
      "ALTER TABLE t SET ('kafka.retention.time' = '1 d', 'changelog.mode' = 'upsert')",
      {
        kind: 'options',
        path: ['t'],
        ifExists: false,
        changes: { 'kafka.retention.time': '1 d', 'changelog.mode': 'upsert' },
      },
    ],
    [
      "alter table if exists `c`.db.`my-topic` reset ('kafka.retention.time');",
      {
        kind: 'options',
        path: ['c', 'db', 'my-topic'],
        ifExists: true,
        changes: { 'kafka.retention.time': null },
      },
    ],
    [
      "ALTER TABLE t MODIFY WATERMARK FOR `$rowtime` AS `$rowtime` - INTERVAL '1' SECOND",
      {
        kind: 'watermark',
        path: ['t'],
        ifExists: false,
        watermark: { column: '$rowtime', expression: "`$rowtime` - INTERVAL '1' SECOND" },
      },
    ],
    [
      "alter table if exists db.t modify watermark for ts as ts - interval '0.5' minute;",
      {
        kind: 'watermark',
        path: ['db', 't'],
        ifExists: true,
        watermark: { column: 'ts', expression: "`ts` - INTERVAL '0.5' MINUTE" },
      },
    ],
    [
      'ALTER TABLE t MODIFY WATERMARK FOR ts AS `ts`',
      { kind: 'watermark', path: ['t'], ifExists: false, watermark: { column: 'ts', expression: '`ts`' } },
    ],
    ['ALTER TABLE t DROP WATERMARK;', { kind: 'watermark', path: ['t'], ifExists: false, watermark: null }],
  ])('%s', async (sql, expected) => {
    expect(await parseAlterTable(sql)).toEqual(expected);
  });

  it.each([
    ["ALTER TABLE t RESET ('a', 'a')", /named twice/],
    ['ALTER TABLE t RENAME TO u', /not supported yet/],
  ])('refuses %s', async (sql, message) => {
    await expect(parseAlterTable(sql)).rejects.toThrow(message);
  });

  it.each([
    'ALTER TABLE t MODIFY WATERMARK FOR ts AS other',
    "ALTER TABLE t MODIFY WATERMARK FOR ts AS ts + INTERVAL '1' SECOND",
    "ALTER TABLE t MODIFY WATERMARK FOR ts AS ts - INTERVAL '1' WEEK",
    "ALTER TABLE t MODIFY WATERMARK FOR ts AS ts - INTERVAL '-1' SECOND",
    'ALTER TABLE t MODIFY WATERMARK FOR ts AS my_udf(ts)',
    "ALTER TABLE t MODIFY WATERMARK FOR ts AS ts - INTERVAL '1' SECOND - INTERVAL '1' SECOND",
  ])('refuses the watermark of %s with the forms it takes', async (sql) => {
    await expect(parseAlterTable(sql)).rejects.toThrow(
      expect.objectContaining({ code: 'INVALID_WATERMARK', message: expect.stringContaining('FOR c AS c') }),
    );
  });
});

describe('table settings', () => {
  const def = inferTable({
    topic: 'orders',
    compacted: false,
    partitions: 1,
    valueSchema: {
      format: 'AVRO',
      schema: JSON.stringify({
        type: 'record',
        name: 'Order',
        fields: [
          { name: 'id', type: 'long' },
          { name: 'placed', type: { type: 'long', logicalType: 'timestamp-millis' } },
          { name: 'placed_us', type: { type: 'long', logicalType: 'timestamp-micros' } },
        ],
      }),
    },
  });

  it('apply the stored watermark and scan options to the table statements read', () => {
    const applied = applyTableSettings(def, {
      watermark: { column: 'placed', expression: "`placed` - INTERVAL '1' SECOND" },
      options: { 'scan.startup.mode': 'latest-offset' },
    });
    expect(applied.watermark).toEqual({ column: 'placed', expression: "`placed` - INTERVAL '1' SECOND" });
    expect(applied.options).toEqual({ 'scan.startup.mode': 'latest-offset' });
    expect(applyTableSettings(def, undefined)).toBe(def);
  });

  it('fall back to the default watermark when its column is gone from the schema', () => {
    const applied = applyTableSettings(def, {
      watermark: { column: 'gone', expression: '`gone`' },
      options: {},
    });
    expect(applied.watermark.expression).toBe(DEFAULT_WATERMARK_EXPRESSION);
    expect(applied.options).toBeUndefined();
  });

  it.each([
    ['missing', /does not have/],
    ['id', /TIMESTAMP\(3\) or TIMESTAMP_LTZ\(3\) column; id is BIGINT/],
    ['placed_us', /placed_us is TIMESTAMP_LTZ\(6\)/],
  ])('refuse a watermark on %s', (column, message) => {
    expect(() => checkWatermark(def, { column, expression: `\`${column}\`` })).toThrow(
      expect.objectContaining({ code: 'INVALID_WATERMARK', message: expect.stringMatching(message) }),
    );
  });

  it.each(['$rowtime', 'placed'])('take a watermark on %s', (column) => {
    expect(() => checkWatermark(def, { column, expression: `\`${column}\`` })).not.toThrow();
  });
});

describe('mergeTableOptions', () => {
  it('sets, replaces and removes', () => {
    expect(
      mergeTableOptions(
        { 'scan.startup.mode': 'latest-offset', 'scan.bounded.mode': 'latest-offset' },
        { 'scan.startup.mode': 'earliest-offset', 'scan.bounded.mode': null },
      ),
    ).toEqual({ 'scan.startup.mode': 'earliest-offset' });
  });

  it.each([
    [{}, { 'scan.startup.mode': 'timestamp' }, /'scan.startup.timestamp-millis' must be set too/],
    [{}, { 'scan.bounded.timestamp-millis': '1' }, /only applies when 'scan.bounded.mode' is 'timestamp'/],
    [
      { 'scan.startup.mode': 'timestamp', 'scan.startup.timestamp-millis': '1' },
      { 'scan.startup.timestamp-millis': null },
      /must be set too/,
    ],
  ])('refuses %j with %j', (stored, changes, message) => {
    expect(() => mergeTableOptions(stored, changes)).toThrow(
      expect.objectContaining({ code: 'INVALID_TABLE_OPTION', message: expect.stringMatching(message) }),
    );
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
    expect(planAlterTable(changes)).toEqual({ topicConfig: config, tableOptions: {} });
  });

  it('stores the scan options with the table, not on the topic', () => {
    expect(
      planAlterTable({
        'scan.startup.mode': 'latest-offset',
        'scan.bounded.mode': null,
        'kafka.retention.time': '1 d',
      }),
    ).toEqual({
      topicConfig: { 'retention.ms': '86400000' },
      tableOptions: { 'scan.startup.mode': 'latest-offset', 'scan.bounded.mode': null },
    });
  });

  it.each([
    [{ 'kafka.retention.time': 'soon' }, 'INVALID_TABLE_OPTION', /not a duration/],
    [{ 'changelog.mode': 'retract' }, 'INVALID_TABLE_OPTION', /'append' or 'upsert'/],
    [{ 'changelog.mode': 'upsert', 'kafka.cleanup-policy': 'delete' }, 'INVALID_TABLE_OPTION', /contradicts/],
    [{ 'kafka.partitions': '12' }, 'INVALID_TABLE_OPTION', /cannot change on an existing table/],
    [{ 'value.format': 'raw' }, 'INVALID_TABLE_OPTION', /registry subjects/],
    [{ 'sink.parallelism': '2' }, 'INVALID_TABLE_OPTION', /cannot be set on a table/],
  ])('refuses %j with %s', (changes, code, message) => {
    expect(() => planAlterTable(changes)).toThrow(
      expect.objectContaining({ code, message: expect.stringMatching(message) }),
    );
  });
});
