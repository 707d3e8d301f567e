import { readByFlink } from '../../../../test/fixtures/flink-sql-readings';
import type { ExecutionMode } from '../statements/statement';
import { classifyStatement } from './classify-statement';
import { SQL_KINDS, type SqlKind } from './statement-kind';

/** classifyStatement on Flink's (recorded) reading of the text */
const classify = async (sql: string) => classifyStatement(sql, await readByFlink(sql));

const KIND_CASES: [string, SqlKind, ExecutionMode][] = [
  ['SELECT * FROM orders', 'SELECT', 'foreground'],
  ['select id from orders where amount > 10 order by id limit 5', 'SELECT', 'foreground'],
  ['WITH big AS (SELECT * FROM orders WHERE amount > 100) SELECT * FROM big', 'SELECT', 'foreground'],
  ['VALUES (1), (2)', 'SELECT', 'foreground'],
  ['(SELECT 1) UNION ALL (SELECT 2)', 'SELECT', 'foreground'],
  ['INSERT INTO sink SELECT * FROM src', 'INSERT_INTO', 'background'],
  ['INSERT OVERWRITE sink SELECT * FROM src', 'INSERT_INTO', 'background'],
  ["INSERT INTO sink VALUES (1, 'a')", 'INSERT_INTO', 'background'],
  ['EXECUTE INSERT INTO sink SELECT * FROM src', 'INSERT_INTO', 'background'],
  ["CREATE TABLE copy WITH ('k' = 'v') AS SELECT * FROM orders", 'CREATE_TABLE_AS', 'background'],
  [
    'EXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT * FROM b; INSERT INTO c SELECT * FROM d; END',
    'STATEMENT_SET',
    'background',
  ],
  [
    "CREATE TABLE t (id INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH ('k' = 'v')",
    'CREATE_TABLE',
    'metadata',
  ],
  ["CREATE TEMPORARY TABLE IF NOT EXISTS t (id INT) WITH ('k' = 'v')", 'CREATE_TABLE', 'metadata'],
  ["ALTER TABLE t SET ('k' = 'v')", 'ALTER_TABLE', 'metadata'],
  ['ALTER TABLE t RENAME TO u', 'ALTER_TABLE', 'metadata'],
  ['ALTER TABLE t ADD (c INT AFTER b)', 'ALTER_TABLE', 'metadata'],
  ['CREATE TABLE t2 LIKE t (EXCLUDING OPTIONS)', 'CREATE_TABLE', 'metadata'],
  ['SHOW JARS', 'SHOW', 'metadata'],
  ['HELP', 'OTHER', 'metadata'],
  ['DROP TABLE IF EXISTS t', 'DROP_TABLE', 'metadata'],
  ['DROP TEMPORARY TABLE t', 'DROP_TABLE', 'metadata'],
  ['CREATE VIEW v AS SELECT * FROM t', 'CREATE_VIEW', 'metadata'],
  ['CREATE TEMPORARY VIEW IF NOT EXISTS v (a) AS SELECT id FROM t', 'CREATE_VIEW', 'metadata'],
  ['DROP VIEW IF EXISTS v', 'DROP_VIEW', 'metadata'],
  ['SHOW TABLES', 'SHOW', 'metadata'],
  ["SHOW TABLES FROM db LIKE 'ord%'", 'SHOW', 'metadata'],
  ['SHOW CATALOGS', 'SHOW', 'metadata'],
  ['SHOW CURRENT DATABASE', 'SHOW', 'metadata'],
  ['SHOW COLUMNS FROM t', 'SHOW', 'metadata'],
  ['SHOW CREATE VIEW v', 'SHOW_CREATE_TABLE', 'metadata'],
  ['SHOW CREATE TABLE t', 'SHOW_CREATE_TABLE', 'metadata'],
  ['DESCRIBE t', 'DESCRIBE', 'metadata'],
  ['DESC cat.db.t', 'DESCRIBE', 'metadata'],
  ['EXPLAIN SELECT * FROM t', 'EXPLAIN', 'metadata'],
  ['EXPLAIN PLAN FOR INSERT INTO s SELECT * FROM t', 'EXPLAIN', 'metadata'],
  ['EXPLAIN CHANGELOG_MODE, ESTIMATED_COST SELECT 1', 'EXPLAIN', 'metadata'],
  ['EXPLAIN STATEMENT SET BEGIN INSERT INTO s SELECT * FROM t; END', 'EXPLAIN', 'metadata'],
  ["SET 'sql.local-time-zone' = 'UTC'", 'SET', 'metadata'],
  ['SET', 'SET', 'metadata'],
  ["RESET 'sql.local-time-zone'", 'RESET', 'metadata'],
  ['RESET', 'RESET', 'metadata'],
  ['USE db', 'USE', 'metadata'],
  ['USE cat.db', 'USE', 'metadata'],
  ['USE CATALOG cat', 'USE', 'metadata'],
  ['USE MODULES core', 'OTHER', 'metadata'],
  ["ADD JAR '/tmp/evil.jar'", 'OTHER', 'metadata'],
  ["REMOVE JAR '/tmp/evil.jar'", 'OTHER', 'metadata'],
  ["CREATE FUNCTION f AS 'com.example.F' USING JAR '/tmp/f.jar'", 'OTHER', 'metadata'],
  ["CREATE TEMPORARY SYSTEM FUNCTION f AS 'com.example.F' LANGUAGE JAVA", 'OTHER', 'metadata'],
  ['DROP FUNCTION f', 'OTHER', 'metadata'],
  ['LOAD MODULE hive', 'OTHER', 'metadata'],
  ['UNLOAD MODULE hive', 'OTHER', 'metadata'],
  ["CREATE CATALOG c WITH ('type' = 'jdbc')", 'OTHER', 'metadata'],
  ['DROP CATALOG c', 'OTHER', 'metadata'],
  ["CREATE DATABASE d WITH ('k' = 'v')", 'OTHER', 'metadata'],
  ['DROP DATABASE d CASCADE', 'OTHER', 'metadata'],
  ['ALTER VIEW v AS SELECT 1', 'OTHER', 'metadata'],
];

describe('classifyStatement: kind and execution mode', () => {
  it.each(KIND_CASES)('%s → %s, %s', async (sql, sqlKind, mode) => {
    expect(await classify(sql)).toMatchObject({ sqlKind, mode });
  });

  it('covers every SqlKind', () => {
    expect(new Set(KIND_CASES.map(([, kind]) => kind))).toEqual(new Set(SQL_KINDS));
  });
});

describe('classifyStatement: tables read and written', () => {
  const names = (paths: string[][]) => paths.map((p) => p.join('.'));
  it.each<[string, string, string[], string[]]>([
    ['a plain read', 'SELECT * FROM orders', ['orders'], []],
    [
      'qualified and quoted names as written, unquoted',
      'SELECT * FROM cat.db.orders, `my-topic`',
      ['cat.db.orders', 'my-topic'],
      [],
    ],
    [
      'joins, a temporal join and the same table twice',
      'SELECT * FROM o JOIN c FOR SYSTEM_TIME AS OF o.ts ON o.c = c.id LEFT JOIN p ON o.p = p.id JOIN c AS c2 ON true',
      ['o', 'c', 'p'],
      [],
    ],
    [
      'subqueries in FROM, IN and EXISTS',
      'SELECT * FROM (SELECT * FROM a) x WHERE x.id IN (SELECT id FROM b) AND EXISTS (SELECT 1 FROM c)',
      ['a', 'b', 'c'],
      [],
    ],
    ['both sides of a UNION', 'SELECT id FROM a UNION ALL SELECT id FROM b', ['a', 'b'], []],
    ['a CTE, not the CTE name', 'WITH big AS (SELECT * FROM orders) SELECT * FROM big', ['orders'], []],
    ['a CTE that reads a table of its own name', 'WITH t AS (SELECT * FROM t) SELECT * FROM t', ['t'], []],
    [
      'a CTE used by a later CTE',
      'WITH a AS (SELECT * FROM x), b AS (SELECT * FROM a) SELECT * FROM b',
      ['x'],
      [],
    ],
    ['a quoted CTE name', 'WITH `a` AS (SELECT * FROM x) SELECT * FROM a', ['x'], []],
    ['a qualified name that looks like a CTE', 'WITH a AS (SELECT 1) SELECT * FROM db.a', ['db.a'], []],
    [
      'a table named like a CTE of a subquery',
      'SELECT * FROM (WITH x AS (SELECT 1) SELECT * FROM x) s JOIN x ON true',
      ['x'],
      [],
    ],
    [
      'a window table function',
      "SELECT * FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '1' MINUTE))",
      ['clicks'],
      [],
    ],
    [
      'a window table function with named arguments',
      "SELECT * FROM TABLE(HOP(DATA => TABLE clicks, TIMECOL => DESCRIPTOR(ts), SLIDE => INTERVAL '1' MINUTE, SIZE => INTERVAL '5' MINUTE))",
      ['clicks'],
      [],
    ],
    [
      'no table for a lateral table function or UNNEST',
      'SELECT * FROM o, LATERAL TABLE(f(s)) AS T(w) CROSS JOIN UNNEST(tags) AS u(tag)',
      ['o'],
      [],
    ],
    ['no table at all', 'SELECT 1', [], []],
    ['an INSERT', 'INSERT INTO sink SELECT * FROM a JOIN b ON a.id = b.id', ['a', 'b'], ['sink']],
    ['an INSERT of VALUES', "INSERT INTO cat.db.sink VALUES (1, 'a')", [], ['cat.db.sink']],
    [
      'an INSERT with a CTE',
      'INSERT INTO sink WITH c AS (SELECT * FROM src) SELECT * FROM c',
      ['src'],
      ['sink'],
    ],
    [
      'a statement set',
      'EXECUTE STATEMENT SET BEGIN INSERT INTO s1 SELECT * FROM a; INSERT INTO s2 SELECT * FROM b; INSERT INTO s1 SELECT * FROM b; END',
      ['a', 'b'],
      ['s1', 's2'],
    ],
    [
      'CREATE TABLE AS SELECT',
      "CREATE TABLE copy WITH ('k' = 'v') AS SELECT * FROM orders",
      ['orders'],
      ['copy'],
    ],
    ['CREATE TABLE', "CREATE TABLE cat.db.t (id INT) WITH ('k' = 'v')", [], ['cat.db.t']],
    ['CREATE TABLE … LIKE', "CREATE TABLE t (id INT) WITH ('k' = 'v') LIKE base", ['base'], ['t']],
    ['ALTER TABLE', "ALTER TABLE t SET ('k' = 'v')", [], ['t']],
    ['ALTER TABLE … RENAME TO', 'ALTER TABLE t RENAME TO u', [], ['t', 'u']],
    ['ALTER TABLE … ADD a column', 'ALTER TABLE t ADD c INT', [], ['t']],
    ['ALTER TABLE … RENAME a column', 'ALTER TABLE t RENAME a TO b', [], ['t']],
    ['DROP TABLE', 'DROP TABLE IF EXISTS db.t', [], ['db.t']],
    ['CREATE VIEW', 'CREATE VIEW v AS SELECT * FROM t', ['t'], ['v']],
    ['DROP VIEW', 'DROP VIEW v', [], ['v']],
    ['DESCRIBE', 'DESCRIBE cat.db.t', ['cat.db.t'], []],
    ['SHOW CREATE TABLE', 'SHOW CREATE TABLE t', ['t'], []],
    ['SHOW COLUMNS', 'SHOW COLUMNS FROM t', ['t'], []],
    ['SHOW TABLES names no table', 'SHOW TABLES FROM db', [], []],
    ['EXPLAIN of an INSERT writes nothing', 'EXPLAIN INSERT INTO s SELECT * FROM t', ['s', 't'], []],
    ['whitespace and comments inside a name', 'SELECT * FROM cat . /* c */ db . t', ['cat.db.t'], []],
  ])('%s', async (_case, sql, tablesRead, tablesWritten) => {
    const classification = await classify(sql);
    expect([names(classification.tablesRead), names(classification.tablesWritten)]).toEqual([
      tablesRead,
      tablesWritten,
    ]);
  });
});

describe('classifyStatement: normalized text', () => {
  it.each([
    ['a trailing semicolon away', 'SELECT 1;', 'SELECT 1'],
    ['whitespace and semicolons around it away', '  \n\tSELECT 1 ;  ; \n', 'SELECT 1'],
    ['comments before and after it away', '-- why\n/* what */ SELECT 1; -- done\n', 'SELECT 1'],
    [
      'comments inside it, keeping them',
      'SELECT a, -- the key\n  b /* value */ FROM t',
      'SELECT a, -- the key\n  b /* value */ FROM t',
    ],
    [
      'a statement set ending in END;, keeping END',
      'EXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT 1; END;',
      'EXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT 1; END',
    ],
    ['around non-BMP characters', "SELECT '😀' AS smile FROM t;", "SELECT '😀' AS smile FROM t"],
    [
      'a hint at the very end, keeping it',
      "SELECT * FROM t /*+ OPTIONS('a' = 'b') */ ;",
      "SELECT * FROM t /*+ OPTIONS('a' = 'b') */",
    ],
    ['CRLF line ends, keeping inner ones', 'SELECT 1\r\nFROM t;\r\n', 'SELECT 1\r\nFROM t'],
  ])('normalizes %s', async (_case, sql, normalized) => {
    expect((await classify(sql)).normalized).toBe(normalized);
  });

  it('rebases the offsets it stores onto the normalized text', async () => {
    const { normalized, analysis } = await classify(
      "-- why\nCREATE TABLE c WITH ('k' = 'v') AS SELECT * FROM t;",
    );
    expect(analysis.text).toEqual({ start: 0, end: normalized.length });
    expect(normalized.slice(analysis.query!.start, analysis.query!.end)).toBe('SELECT * FROM t');
  });
});

describe('classifyStatement: what Flink’s parser refuses', () => {
  it.each([
    ['SELECT a\nFROM t WHERE = 1', 'SQL_SYNTAX_ERROR', { line: 2, column: 14 }],
    ['SELECT 1; SELECT 2', 'SQL_MULTIPLE_STATEMENTS', { line: 1, column: 11, statement_count: 2 }],
    ['-- nothing but a comment', 'SQL_EMPTY', {}],
    [`SELECT ${'('.repeat(13)}1${')'.repeat(13)}`, 'SQL_TOO_COMPLEX', { measure: 'nesting', limit: 12 }],
    [`SELECT ${Array(1_600).fill('1').join(' + ')}`, 'SQL_TOO_COMPLEX', { measure: 'depth', limit: 1_500 }],
  ])('%j → %s', async (sql, code, details) => {
    const answer = await readByFlink(sql);
    expect(() => classifyStatement(sql, answer)).toThrow(
      expect.objectContaining({ code, details: expect.objectContaining(details) }),
    );
  });
});
