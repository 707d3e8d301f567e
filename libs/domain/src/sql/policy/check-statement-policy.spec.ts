import { policyOn, refusalOf as refusalIn } from '../../../../../test/fixtures/flink-sql-readings';
import { checkSessionProperties } from './check-statement-policy';
import type { StatementPolicyContext } from './statement-policy-context';

const ENV: StatementPolicyContext = { catalog: 'acme_prod', databases: ['orders_cluster', 'payments'] };

/** the policy on Flink's (recorded) reading of the text */
const checkStatementPolicy = (sql: string, context = ENV) => policyOn(sql, context);
const refusalOf = (sql: string, context = ENV) => refusalIn(sql, context);

describe('checkStatementPolicy: the allowlist of statement kinds', () => {
  it.each([
    ['SELECT * FROM orders', 'SELECT'],
    ['INSERT INTO sink SELECT * FROM orders', 'INSERT_INTO'],
    ['EXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT * FROM orders; END', 'STATEMENT_SET'],
    ["CREATE TABLE t (a INT) WITH ('value.format' = 'raw')", 'CREATE_TABLE'],
    ["CREATE TABLE t WITH ('changelog.mode' = 'append') AS SELECT * FROM orders", 'CREATE_TABLE_AS'],
    ["ALTER TABLE t SET ('kafka.retention.time' = '1 d')", 'ALTER_TABLE'],
    ['DROP TABLE t', 'DROP_TABLE'],
    ['CREATE VIEW v AS SELECT * FROM orders', 'CREATE_VIEW'],
    ['DROP VIEW v', 'DROP_VIEW'],
    ['SHOW TABLES', 'SHOW'],
    ['SHOW FUNCTIONS', 'SHOW'],
    ['DESCRIBE orders', 'DESCRIBE'],
    ['SHOW CREATE TABLE orders', 'SHOW_CREATE_TABLE'],
    ['EXPLAIN SELECT * FROM orders', 'EXPLAIN'],
    ['USE payments', 'USE'],
    ["SET 'sql.state-ttl' = '12 h'", 'SET'],
    ["RESET 'sql.state-ttl'", 'RESET'],
  ])('accepts %s and returns its classification (%s)', async (sql, sqlKind) => {
    expect((await checkStatementPolicy(sql, ENV)).sqlKind).toBe(sqlKind);
  });

  it('returns the classification SubmitStatement stores: normalized text and tables', async () => {
    expect(
      await checkStatementPolicy('-- note\nINSERT INTO payments.sink SELECT * FROM orders;', ENV),
    ).toMatchObject({
      normalized: 'INSERT INTO payments.sink SELECT * FROM orders',
      mode: 'background',
      tablesRead: [['orders']],
      tablesWritten: [['payments', 'sink']],
    });
  });

  it.each([
    ["ADD JAR '/x.jar'", 'JAR_NOT_ALLOWED'],
    ["CREATE FUNCTION f AS 'a.B'", 'FUNCTION_NOT_ALLOWED'],
    ['LOAD MODULE hive', 'MODULE_NOT_ALLOWED'],
    ["CREATE CATALOG c WITH ('type' = 'jdbc')", 'CATALOG_NOT_ALLOWED'],
    ["EXECUTE PLAN '/p.json'", 'PLAN_NOT_ALLOWED'],
    ['ALTER TABLE t RENAME TO u', 'STATEMENT_KIND_NOT_ALLOWED'],
    ['CREATE DATABASE d', 'STATEMENT_KIND_NOT_ALLOWED'],
    ['ALTER TABLE other.db.t DROP WATERMARK', 'TABLE_OUTSIDE_ENVIRONMENT'],
    ['ALTER TABLE t MODIFY WATERMARK FOR ts AS ts -', 'SQL_SYNTAX_ERROR'],
    ['ALTER TABLE t ADD PRIMARY KEY (a) NOT ENFORCED', 'STATEMENT_KIND_NOT_ALLOWED'],
    ['INSERT OVERWRITE t SELECT * FROM orders', 'NOT_SUPPORTED_YET'],
    ['CREATE TEMPORARY TABLE t (a INT)', 'NOT_SUPPORTED_YET'],
    ['CREATE OR REPLACE TABLE t AS SELECT * FROM orders', 'STATEMENT_KIND_NOT_ALLOWED'],
    ['HELP', 'STATEMENT_KIND_NOT_ALLOWED'],
  ])('refuses %s with %s', async (sql, code) => {
    expect((await refusalOf(sql)).code).toBe(code);
  });

  it.each([
    "ALTER TABLE t MODIFY WATERMARK FOR `$rowtime` AS `$rowtime` - INTERVAL '1' SECOND;",
    'ALTER TABLE IF EXISTS t DROP WATERMARK',
    'ALTER TABLE t ADD (c STRING AFTER a, d AS c || c)',
    'ALTER TABLE t MODIFY c BIGINT NOT NULL',
    'ALTER TABLE t DROP (c, d)',
  ])('takes %s as an ALTER TABLE of that table', async (sql) => {
    expect(await checkStatementPolicy(sql, ENV)).toMatchObject({
      sqlKind: 'ALTER_TABLE',
      mode: 'metadata',
      tablesRead: [],
      tablesWritten: [['t']],
      normalized: sql.replace(/;$/, ''),
    });
  });
});

describe('checkStatementPolicy: refusals a client can act on', () => {
  it('answers 403 (forbidden) for what the statement may not do, 400 (invalid) for unreadable text', async () => {
    expect((await refusalOf("SET 'pipeline.jars' = 'x'")).kind).toBe('forbidden');
    expect((await refusalOf('SELECT * FROM default_catalog.default_database.t')).kind).toBe('forbidden');
    expect((await refusalOf('SELECT\u200b1')).kind).toBe('invalid');
    expect((await refusalOf('SELECT 1 // 2')).kind).toBe('invalid');
  });

  it('names the option and lists the allowed ones', async () => {
    const refusal = await refusalOf(
      "CREATE TABLE t (a INT) WITH ('properties.bootstrap.servers' = 'x:9092')",
    );
    expect(refusal).toMatchObject({
      code: 'OPTION_NOT_ALLOWED',
      details: { option: 'properties.bootstrap.servers' },
    });
    expect(refusal.message).toContain("'scan.startup.mode'");
  });

  it('says which value an allowed option takes', async () => {
    expect((await refusalOf("CREATE TABLE t (a INT) WITH ('changelog.mode' = 'all')")).message).toContain(
      "one of 'append', 'upsert', 'retract'",
    );
  });

  it('points at the character it refuses', async () => {
    expect(await refusalOf("SELECT '😀',\n  a\u00a0FROM t")).toMatchObject({
      code: 'SQL_UNSUPPORTED_CHARACTERS',
      details: { line: 2, column: 4, code_point: 'U+00A0' },
    });
  });

  it('points at the construct that reads differently to Flink', async () => {
    expect(await refusalOf('SELECT a\nFROM t WHERE b = "x"')).toMatchObject({
      code: 'SQL_AMBIGUOUS_SYNTAX',
      details: { line: 2, column: 18 },
    });
  });

  it('names the table outside the environment and says how to name tables', async () => {
    const refusal = await refusalOf('SELECT * FROM orders JOIN globex.payments.cards ON true');
    expect(refusal).toMatchObject({
      code: 'TABLE_OUTSIDE_ENVIRONMENT',
      details: { name: 'Table globex.payments.cards' },
    });
    expect(refusal.message).toContain('<kafka_cluster>.<topic>');
  });
});

describe('checkStatementPolicy: the order of checks', () => {
  it('reads the text before parsing it: a refused character wins over a syntax error', async () => {
    expect((await refusalOf('SELEC\u200bT (((')).code).toBe('SQL_UNSUPPORTED_CHARACTERS');
  });

  it('names the kinds Flink knows and Riffle refuses, whatever their form', async () => {
    expect((await refusalOf("COMPILE PLAN '/p.json' FOR INSERT INTO s SELECT 1")).code).toBe(
      'PLAN_NOT_ALLOWED',
    );
    expect((await refusalOf('SHOW JOBS')).code).toBe('STATEMENT_KIND_NOT_ALLOWED');
  });

  it('refuses a statement Flink cannot read, whatever hides in it', async () => {
    expect((await refusalOf("SELECT FROM WHERE /*+ OPTIONS('connector' = 'x') */")).code).toBe(
      'SQL_SYNTAX_ERROR',
    );
  });

  it('checks what Riffle may not run before what it does not carry yet', async () => {
    const sql = "CREATE TEMPORARY TABLE t (a INT) WITH ('connector' = 'filesystem')";
    expect((await refusalOf(sql)).code).toBe('OPTION_NOT_ALLOWED');
  });

  it('checks options before table names', async () => {
    const sql = "CREATE TABLE globex.c.t (a INT) WITH ('connector' = 'filesystem')";
    expect((await refusalOf(sql)).code).toBe('OPTION_NOT_ALLOWED');
  });
});

describe('checkStatementPolicy: the environment', () => {
  it('accepts unqualified names and the environment’s own clusters', async () => {
    await expect(
      checkStatementPolicy(
        'SELECT * FROM a JOIN payments.b ON true JOIN acme_prod.orders_cluster.c ON true',
        ENV,
      ),
    ).resolves.toBeDefined();
  });

  it("refuses Flink's catalogs even for an environment named like one", async () => {
    const context = { catalog: 'default_catalog', databases: ['default_database'] };
    expect((await refusalOf('SELECT * FROM default_catalog.default_database.t', context)).code).toBe(
      'TABLE_OUTSIDE_ENVIRONMENT',
    );
  });

  it('refuses every database of an environment without Kafka clusters', async () => {
    expect(
      (await refusalOf('SELECT * FROM orders_cluster.t', { catalog: 'acme_prod', databases: [] })).code,
    ).toBe('TABLE_OUTSIDE_ENVIRONMENT');
  });

  it('checks qualified function calls', async () => {
    expect((await refusalOf('SELECT acme_prod.orders_cluster.f(x), globex.db.g(y) FROM t')).details).toEqual({
      name: 'Function globex.db.g',
    });
  });
});

describe('checkSessionProperties', () => {
  it('accepts the allowed properties inside the environment', () => {
    expect(() =>
      checkSessionProperties(
        {
          'sql.current-catalog': 'acme_prod',
          'sql.current-database': 'payments',
          'sql.local-time-zone': 'UTC',
        },
        ENV,
      ),
    ).not.toThrow();
  });

  it('takes table.local-time-zone, Flink’s name of sql.local-time-zone, and sql.dry-run', () => {
    expect(() =>
      checkSessionProperties({ 'table.local-time-zone': 'Europe/Berlin', 'sql.dry-run': 'true' }, ENV),
    ).not.toThrow();
  });

  it.each([
    [{ 'pipeline.jars': 'x' }, 'SET_NOT_ALLOWED'],
    [{ 'sql.dry-run': 'yes' }, 'SET_NOT_ALLOWED'],
    [{ 'sql.current-catalog': 'default_catalog' }, 'TABLE_OUTSIDE_ENVIRONMENT'],
    [{ 'sql.current-database': 'globex' }, 'TABLE_OUTSIDE_ENVIRONMENT'],
    [{ 'sql.tables.scan.bounded.mode': 'timestamp' }, 'SET_NOT_ALLOWED'],
  ])('refuses %j with %s', (properties, code) => {
    expect(() => checkSessionProperties(properties, ENV)).toThrow(expect.objectContaining({ code }));
  });
});
