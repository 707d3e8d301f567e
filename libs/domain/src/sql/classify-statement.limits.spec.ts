import { FlinkSQL } from 'dt-sql-parser';
import { RiffleError } from '../riffle-error';
import { classifyStatement } from './classify-statement';
import { parseFlinkSql } from './parse-flink-sql';
import { MAX_LL_RETRY_TOKENS, MAX_PREDICTION_STEPS, MAX_SQL_NESTING, MAX_SQL_TOKENS } from './sql-limits';

function rejectionOf(sql: string): RiffleError {
  try {
    classifyStatement(sql);
  } catch (error) {
    if (error instanceof RiffleError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

const nested = (depth: number) => `SELECT ${'('.repeat(depth)}1${')'.repeat(depth)} FROM t`;

describe('classifyStatement: bounds before parsing', () => {
  it('accepts nesting up to MAX_SQL_NESTING and refuses one level more', () => {
    expect(classifyStatement(nested(MAX_SQL_NESTING)).sqlKind).toBe('SELECT');
    expect(rejectionOf(nested(MAX_SQL_NESTING + 1))).toMatchObject({
      code: 'SQL_TOO_COMPLEX',
      details: { measure: 'nesting', limit: MAX_SQL_NESTING, actual: MAX_SQL_NESTING + 1 },
    });
  });

  it('refuses more than MAX_SQL_TOKENS tokens without parsing them', () => {
    const sql = `SELECT * FROM t WHERE a IN (${Array(MAX_SQL_TOKENS).fill('1').join(',')})`;
    const started = Date.now();
    expect(rejectionOf(sql)).toMatchObject({ code: 'SQL_TOO_COMPLEX', details: { measure: 'tokens' } });
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('does not count comments and whitespace as tokens', () => {
    expect(classifyStatement(`SELECT 1 ${'-- x\n  '.repeat(MAX_SQL_TOKENS)}`).sqlKind).toBe('SELECT');
  });
});

describe('classifyStatement: bounds while parsing', () => {
  it('refuses a chain the grammar predicts quadratically once it needs MAX_PREDICTION_STEPS', () => {
    const chain = (terms: number) => `SELECT ${Array(terms).fill('1').join(' + ')}`;
    expect(classifyStatement(chain(1_000)).sqlKind).toBe('SELECT');
    expect(rejectionOf(chain(Math.ceil(Math.sqrt(MAX_PREDICTION_STEPS)) + 100))).toMatchObject({
      code: 'SQL_TOO_COMPLEX',
      details: { measure: 'prediction_steps', limit: MAX_PREDICTION_STEPS },
    });
  });

  it('refuses a parse tree deeper than recursive walks can follow', () => {
    const sql = `SELECT * FROM t WHERE ${Array(4_500).fill('a').join(' OR ')}`;
    expect(rejectionOf(sql)).toMatchObject({
      code: 'SQL_TOO_COMPLEX',
      details: { measure: 'parse_tree_depth' },
    });
  });

  it('walks the deepest tree it accepts', () => {
    const sql = `SELECT * FROM t WHERE ${Array(3_000).fill('a').join(' OR ')}`;
    expect(classifyStatement(sql).tablesRead).toEqual(['t']);
  });
});

describe('classifyStatement: what SLL prediction wrongly rejects is parsed again with LL', () => {
  it.each([
    'SELECT price * ROUND(rate, 2) FROM t',
    'SELECT id, amount + CONCAT(a, b) AS c FROM t',
    "SELECT 'x' || DATE_FORMAT(ts, 'yyyy') FROM t",
  ])('accepts %s', (sql) => {
    expect(classifyStatement(sql).tablesRead).toEqual(['t']);
  });

  it(`leaves statements of more than ${MAX_LL_RETRY_TOKENS} tokens to SLL`, () => {
    const columns = Array(MAX_LL_RETRY_TOKENS / 2)
      .fill('a')
      .join(', ');
    expect(rejectionOf(`SELECT ${columns}, price * ROUND(rate, 2) FROM t`).code).toBe('SQL_SYNTAX_ERROR');
  });

  it('still reports real syntax errors where the error is', () => {
    expect(rejectionOf('SELECT price * ROUND(rate, 2) FROM t WHERE')).toMatchObject({
      code: 'SQL_SYNTAX_ERROR',
      details: { line: 1, column: 43 },
    });
  });
});

describe('parseFlinkSql: the bounded parser reads what dt-sql-parser reads', () => {
  const unbounded = { prediction: { steps: 1e9, closures: 1e9, fullContextConfigs: 0 }, maxLlRetryTokens: 0 };
  const plain = new FlinkSQL();
  const treeOf = (sql: string) => plain.parse(sql, () => undefined).toStringTree(plain.createParser(''));

  it.each([
    "INSERT INTO s SELECT a, COUNT(*) FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY a",
    "SELECT JSON_VALUE(j, '$.a' RETURNING INT DEFAULT 0 ON EMPTY), CASE WHEN a THEN b ELSE c END FROM t",
    'SELECT * FROM t MATCH_RECOGNIZE (PARTITION BY a ORDER BY ts MEASURES A.b AS b PATTERN (A B+) DEFINE A AS A.x > 1)',
    'SELECT cat.db.f(x) FROM t, LATERAL TABLE(g(s)) AS T(w) CROSS JOIN UNNEST(tags) AS u(tag)',
    "CREATE TABLE t (a ROW<b INT, c ARRAY<STRING>>, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH ('k' = 'v')",
  ])('%s', (sql) => {
    expect(parseFlinkSql(sql, unbounded).program.toStringTree(plain.createParser(''))).toBe(treeOf(sql));
  });
});
