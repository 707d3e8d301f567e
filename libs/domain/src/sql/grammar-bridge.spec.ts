import { classifyStatement } from './classify-statement';
import { bridgeGrammarGaps } from './grammar-bridge';
import { scanSqlText } from './scan-sql-text';

const bridge = (sql: string) => bridgeGrammarGaps(sql, scanSqlText(sql).leadingWords);

describe('bridgeGrammarGaps', () => {
  it.each([
    ['DESCRIBE EXTENDED orders', 'DESCRIBE          orders', { kind: 'describe-extended' }],
    ['desc  extended `my-topic`;', 'desc           `my-topic`;', { kind: 'describe-extended' }],
    [
      "CREATE TABLE t (a INT, b STRING) DISTRIBUTED BY HASH(a, `b`) INTO 3 BUCKETS WITH ('k' = 'v')",
      `CREATE TABLE t (a INT, b STRING) ${' '.repeat(42)} WITH ('k' = 'v')`,
      { kind: 'distributed-by', columns: ['a', 'b'], buckets: 3 },
    ],
    [
      'CREATE TABLE IF NOT EXISTS db.t (a INT) DISTRIBUTED BY (a)\nWITH (…)',
      'CREATE TABLE IF NOT EXISTS db.t (a INT)                   \nWITH (…)',
      { kind: 'distributed-by', columns: ['a'] },
    ],
    [
      "CREATE TABLE t (a INT) DISTRIBUTED /* n */ INTO 12 BUCKETS WITH ('k' = 'v')",
      `CREATE TABLE t (a INT) ${' '.repeat(35)} WITH ('k' = 'v')`,
      { kind: 'distributed-by', buckets: 12 },
    ],
    [
      "ALTER TABLE IF EXISTS t RESET ('a', 'b''c')",
      "ALTER TABLE IF EXISTS t SET   ('a', 'b''c')",
      { kind: 'alter-table-reset', keys: ['a', "b'c"] },
    ],
    [
      "ALTER TABLE db.`t` MODIFY WATERMARK FOR ts AS ts - INTERVAL '1' SECOND;",
      `SELECT${' '.repeat(40)}ts - INTERVAL '1' SECOND;`,
      {
        kind: 'alter-table-watermark',
        table: 'db.`t`',
        column: 'ts',
        expression: "ts - INTERVAL '1' SECOND",
      },
    ],
    [
      'ALTER TABLE IF EXISTS t DROP WATERMARK',
      `SELECT${' '.repeat(31)}1`,
      { kind: 'alter-table-watermark', table: 't' },
    ],
  ])('%s', (sql, text, expected) => {
    expect(bridge(sql)).toEqual({ text, bridge: expected });
  });

  it.each([
    ['a table called extended', 'DESCRIBE extended'],
    ['a path starting with extended', 'DESCRIBE extended.t'],
    ['a table called distributed', "CREATE TABLE distributed (a INT) WITH ('k' = 'v')"],
    ['DISTRIBUTED inside the column list', "CREATE TABLE t (distributed INT) WITH ('k' = 'v')"],
    ['DISTRIBUTED in the query of a CTAS', 'CREATE TABLE t AS SELECT distributed FROM s'],
    ['DISTRIBUTED in a comment', "CREATE TABLE t (a INT) /* DISTRIBUTED INTO 2 BUCKETS */ WITH ('k' = 'v')"],
    ['a string among the columns', "CREATE TABLE t (a INT) DISTRIBUTED BY (a, 'x') INTO 2 BUCKETS"],
    ['a decimal bucket count', 'CREATE TABLE t (a INT) DISTRIBUTED INTO 2.5 BUCKETS'],
    ['a missing BUCKETS', 'CREATE TABLE t (a INT) DISTRIBUTED INTO 2'],
    ['RESET with a value', "ALTER TABLE t RESET ('a' = 'b')"],
    ['RESET of an identifier', 'ALTER TABLE t RESET (a)'],
    ['RESET with more after it', "ALTER TABLE t RESET ('a') SET ('b' = 'c')"],
    ['an unrelated statement', 'SELECT * FROM orders'],
  ])('leaves %s alone', (_, sql) => {
    expect(bridge(sql)).toEqual({ text: sql });
  });

  it('keeps offsets in code points, so positions and the stored text are the original ones', () => {
    const sql = "CREATE TABLE `😀` (a INT) DISTRIBUTED BY (`é😀`) INTO 2 BUCKETS WITH ('k' = 'v')";
    const { text } = bridge(sql);
    expect([...text]).toHaveLength([...sql].length);
    const broken = "CREATE TABLE t (a INT)\n DISTRIBUTED INTO 2 BUCKETS WITH ('k' = )";
    expect(() => classifyStatement(broken)).toThrow(/line 2, column 41/);
  });
});

describe('classifyStatement with bridged syntax', () => {
  it('classifies and keeps the original text as the normalized statement', () => {
    const create = classifyStatement(
      "CREATE TABLE t (a INT) DISTRIBUTED BY (a) INTO 3 BUCKETS WITH ('kafka.retention.time' = '1 d');",
    );
    expect(create).toMatchObject({
      sqlKind: 'CREATE_TABLE',
      tablesWritten: ['t'],
      normalized:
        "CREATE TABLE t (a INT) DISTRIBUTED BY (a) INTO 3 BUCKETS WITH ('kafka.retention.time' = '1 d')",
      properties: [{ source: 'OPTIONS', key: 'kafka.retention.time', value: '1 d' }],
      bridge: { kind: 'distributed-by', columns: ['a'], buckets: 3 },
    });
    expect(classifyStatement('DESCRIBE EXTENDED db.t')).toMatchObject({
      sqlKind: 'DESCRIBE',
      tablesRead: ['db.t'],
      normalized: 'DESCRIBE EXTENDED db.t',
    });
    expect(classifyStatement("ALTER TABLE t RESET ('kafka.retention.time')")).toMatchObject({
      sqlKind: 'ALTER_TABLE',
      tablesWritten: ['t'],
      properties: [{ source: 'RESET_OPTIONS', key: 'kafka.retention.time', value: null }],
    });
  });
});
