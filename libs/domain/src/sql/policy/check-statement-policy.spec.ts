import { RiffleError } from '../../riffle-error';
import { checkSessionProperties, checkStatementPolicy } from './check-statement-policy';
import type { StatementPolicyContext } from './statement-policy-context';

const ENV: StatementPolicyContext = { catalog: 'acme_prod', databases: ['orders_cluster', 'payments'] };

function refusalOf(sql: string, context = ENV): RiffleError {
  try {
    checkStatementPolicy(sql, context);
  } catch (error) {
    if (error instanceof RiffleError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(sql)} to be refused`);
}

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
  ])('accepts %s and returns its classification (%s)', (sql, sqlKind) => {
    expect(checkStatementPolicy(sql, ENV).sqlKind).toBe(sqlKind);
  });

  it('returns the classification SubmitStatement stores: normalized text and tables', () => {
    expect(
      checkStatementPolicy('-- note\nINSERT INTO payments.sink SELECT * FROM orders;', ENV),
    ).toMatchObject({
      normalized: 'INSERT INTO payments.sink SELECT * FROM orders',
      mode: 'background',
      tablesRead: ['orders'],
      tablesWritten: ['payments.sink'],
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
  ])('refuses %s with %s', (sql, code) => {
    expect(refusalOf(sql).code).toBe(code);
  });

  it.each([
    "ALTER TABLE t MODIFY WATERMARK FOR `$rowtime` AS `$rowtime` - INTERVAL '1' SECOND;",
    'ALTER TABLE IF EXISTS t DROP WATERMARK',
  ])('takes %s as an ALTER TABLE of that table', (sql) => {
    expect(checkStatementPolicy(sql, ENV)).toMatchObject({
      sqlKind: 'ALTER_TABLE',
      mode: 'metadata',
      tablesRead: [],
      tablesWritten: ['t'],
      normalized: sql.replace(/;$/, ''),
    });
  });
});

describe('checkStatementPolicy: refusals a client can act on', () => {
  it('answers 403 (forbidden) for what the statement may not do, 400 (invalid) for unreadable text', () => {
    expect(refusalOf("SET 'pipeline.jars' = 'x'").kind).toBe('forbidden');
    expect(refusalOf('SELECT * FROM default_catalog.default_database.t').kind).toBe('forbidden');
    expect(refusalOf('SELECT\u200b1').kind).toBe('invalid');
    expect(refusalOf('SELECT 1 // 2').kind).toBe('invalid');
  });

  it('names the option and lists the allowed ones', () => {
    const refusal = refusalOf("CREATE TABLE t (a INT) WITH ('properties.bootstrap.servers' = 'x:9092')");
    expect(refusal).toMatchObject({
      code: 'OPTION_NOT_ALLOWED',
      details: { option: 'properties.bootstrap.servers' },
    });
    expect(refusal.message).toContain("'scan.startup.mode'");
  });

  it('says which value an allowed option takes', () => {
    expect(refusalOf("CREATE TABLE t (a INT) WITH ('changelog.mode' = 'all')").message).toContain(
      "one of 'append', 'upsert', 'retract'",
    );
  });

  it('points at the character it refuses, counting code points', () => {
    expect(refusalOf("SELECT '😀',\n  a\u00a0FROM t")).toMatchObject({
      code: 'SQL_UNSUPPORTED_CHARACTERS',
      details: { line: 2, column: 4, code_point: 'U+00A0' },
    });
  });

  it('points at the construct Flink would read differently', () => {
    expect(refusalOf('SELECT a\nFROM t WHERE b = "x"')).toMatchObject({
      code: 'SQL_AMBIGUOUS_SYNTAX',
      details: { line: 2, column: 18 },
    });
  });

  it('names the table outside the environment and says how to name tables', () => {
    const refusal = refusalOf('SELECT * FROM orders JOIN globex.payments.cards ON true');
    expect(refusal).toMatchObject({
      code: 'TABLE_OUTSIDE_ENVIRONMENT',
      details: { name: 'Table globex.payments.cards' },
    });
    expect(refusal.message).toContain('<kafka_cluster>.<topic>');
  });
});

describe('checkStatementPolicy: the order of checks', () => {
  it('reads the text before parsing it: a refused character wins over a syntax error', () => {
    expect(refusalOf('SELEC\u200bT (((').code).toBe('SQL_UNSUPPORTED_CHARACTERS');
  });

  it('refuses by first words what the grammar does not know, instead of a syntax error', () => {
    expect(refusalOf("COMPILE PLAN '/p.json' FOR INSERT INTO s SELECT 1").code).toBe('PLAN_NOT_ALLOWED');
    expect(refusalOf('SHOW JOBS').code).toBe('STATEMENT_KIND_NOT_ALLOWED');
  });

  it('checks hints before parsing, so a statement the grammar rejects cannot hide one', () => {
    expect(refusalOf("SELECT FROM WHERE /*+ OPTIONS('connector' = 'x') */").code).toBe('OPTION_NOT_ALLOWED');
  });

  it('checks options before table names', () => {
    const sql = "CREATE TABLE globex.c.t (a INT) WITH ('connector' = 'filesystem')";
    expect(refusalOf(sql).code).toBe('OPTION_NOT_ALLOWED');
  });
});

describe('checkStatementPolicy: the environment', () => {
  it('accepts unqualified names and the environment’s own clusters', () => {
    expect(() =>
      checkStatementPolicy(
        'SELECT * FROM a JOIN payments.b ON true JOIN acme_prod.orders_cluster.c ON true',
        ENV,
      ),
    ).not.toThrow();
  });

  it("refuses Flink's catalogs even for an environment named like one", () => {
    const context = { catalog: 'default_catalog', databases: ['default_database'] };
    expect(refusalOf('SELECT * FROM default_catalog.default_database.t', context).code).toBe(
      'TABLE_OUTSIDE_ENVIRONMENT',
    );
  });

  it('refuses every database of an environment without Kafka clusters', () => {
    expect(refusalOf('SELECT * FROM orders_cluster.t', { catalog: 'acme_prod', databases: [] }).code).toBe(
      'TABLE_OUTSIDE_ENVIRONMENT',
    );
  });

  it('reads a dotted name before ( as a call even where the grammar reads a column and an alias', () => {
    expect(refusalOf('SELECT acme_prod.orders_cluster.f(x), globex.db.g(y) FROM t').details).toEqual({
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

  it.each([
    [{ 'pipeline.jars': 'x' }, 'SET_NOT_ALLOWED'],
    [{ 'sql.current-catalog': 'default_catalog' }, 'TABLE_OUTSIDE_ENVIRONMENT'],
    [{ 'sql.current-database': 'globex' }, 'TABLE_OUTSIDE_ENVIRONMENT'],
    [{ 'sql.tables.scan.bounded.mode': 'timestamp' }, 'SET_NOT_ALLOWED'],
  ])('refuses %j with %s', (properties, code) => {
    expect(() => checkSessionProperties(properties, ENV)).toThrow(expect.objectContaining({ code }));
  });
});
