import { RiffleError } from '../riffle-error';
import { classifyStatement } from './classify-statement';
import { MAX_STATEMENT_BYTES } from './sql-errors';

function rejectionOf(sql: string): RiffleError {
  try {
    classifyStatement(sql);
  } catch (error) {
    if (error instanceof RiffleError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(sql)} to be rejected`);
}

describe('classifyStatement: empty input', () => {
  it.each([
    ['an empty string', ''],
    ['whitespace', ' \n\t\r\n '],
    ['a line comment', '-- nothing to see'],
    ['a block comment', '/* nothing */'],
    ['a hint-like comment', "/*+ OPTIONS('k'='v') */"],
    ['comments and whitespace', '-- one\n  /* two */\n-- three\n'],
    ['a lone semicolon', ';'],
    ['semicolons and comments', ' ; -- x\n ; '],
  ])('rejects %s with SQL_EMPTY', (_case, sql) => {
    expect(rejectionOf(sql)).toMatchObject({ code: 'SQL_EMPTY', kind: 'invalid' });
  });
});

describe('classifyStatement: size limit', () => {
  it('accepts a statement of exactly 4 MiB', () => {
    const head = 'SELECT 1 -- ';
    const sql = head + 'x'.repeat(MAX_STATEMENT_BYTES - head.length);
    expect(classifyStatement(sql).normalized).toBe('SELECT 1');
  });

  it('rejects one byte more, before parsing it', () => {
    const sql = 'SELECT (' + 'x'.repeat(MAX_STATEMENT_BYTES); // would also be a syntax error
    const started = Date.now();
    const error = rejectionOf(sql);
    expect(Date.now() - started).toBeLessThan(200);
    expect(error).toMatchObject({
      code: 'SQL_TOO_LARGE',
      kind: 'too_large',
      details: { size_bytes: MAX_STATEMENT_BYTES + 8, limit_bytes: MAX_STATEMENT_BYTES },
    });
  });

  it('counts UTF-8 bytes, not characters', () => {
    const sql = '€'.repeat(Math.floor(MAX_STATEMENT_BYTES / 3) + 1); // fewer characters than the limit
    expect(sql.length).toBeLessThan(MAX_STATEMENT_BYTES);
    expect(rejectionOf(sql).code).toBe('SQL_TOO_LARGE');
  });
});

describe('classifyStatement: syntax errors', () => {
  it.each([
    ['a misspelt keyword', 1, 1, 'SELEC 1'],
    ['a stray parenthesis on line 3', 3, 18, 'SELECT a,\n  b\nFROM t WHERE x = )'],
    ['a missing parenthesis at the end', 3, 17, 'SELECT *\nFROM t\nWHERE a IN (1, 2'],
    ['a bad token after a comment line', 3, 7, '-- header\nSELECT 1 FROM t WHERE\n  a = = 1'],
    ['a table name with four parts', 1, 20, 'SELECT * FROM a.b.c.d'],
    ['a statement set without END', 1, 52, 'EXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT 1;'],
    ['an unquoted SET key with a value', 1, 9, 'SET a = b'],
    ['an unterminated string', 1, 8, "SELECT 'abc FROM t"],
    ['an unterminated quoted identifier', 1, 15, 'SELECT * FROM `orders'],
    ['an unterminated comment', 1, 10, 'SELECT 1 /* to be continued'],
    ['a backslash-escaped quote (not an escape in Flink)', 1, 8, "SELECT 'a\\' , x FROM secret --'"],
    ['a backslash-escaped backtick', 1, 8, 'SELECT `a\\` , x FROM secret --`'],
    ['a string ending in a backslash', 1, 8, "SELECT 'C:\\' AS path"],
    ['a # comment', 1, 10, 'SELECT 1 # comment'],
  ])('reports %s at line %i, column %i', (_case, line, column, sql) => {
    const error = rejectionOf(sql);
    expect(error).toMatchObject({ code: 'SQL_SYNTAX_ERROR', kind: 'invalid', details: { line, column } });
    expect(error.message).toMatch(new RegExp(`^Syntax error at line ${line}, column ${column}: .+`));
    const { errors } = error.details as { errors: { line: number; column: number; message: string }[] };
    expect(errors[0]).toEqual({ line, column, message: expect.any(String) });
  });

  it('says what is wrong with the offending token', () => {
    expect(rejectionOf('SELECT a,\n  b\nFROM t WHERE x = )').message).toBe(
      "Syntax error at line 3, column 18: ')' is not valid at this position",
    );
  });

  it('explains why a backslash does not escape a quote', () => {
    expect(rejectionOf("SELECT 'it\\'s'").message).toContain("double it: 'It''s'");
  });

  it('lists every error in order, the first one in the message', () => {
    const error = rejectionOf('SELECT a FROM t WHERE x = )\nAND y = )');
    const { errors } = error.details as { errors: { line: number }[] };
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect(errors.map((e) => e.line)).toEqual([...errors.map((e) => e.line)].sort());
  });

  it('rejects Flink statements the grammar does not know rather than guessing', () => {
    expect(rejectionOf("STOP JOB 'abc'").code).toBe('SQL_SYNTAX_ERROR');
    expect(rejectionOf("EXECUTE PLAN '/tmp/plan.json'").code).toBe('SQL_SYNTAX_ERROR');
  });

  it('accepts doubled quotes, which are how Flink escapes them', () => {
    expect(classifyStatement("SELECT 'it''s', `a``b` FROM t").tablesRead).toEqual(['t']);
  });
});

describe('classifyStatement: one statement per request', () => {
  it.each([
    ['two SELECTs', 'SELECT 1; SELECT 2', 2, 1, 11],
    ['two SELECTs without a semicolon between them', 'SELECT 1\nSELECT 2', 2, 2, 1],
    ['a SET before an INSERT', "SET 'a' = 'b';\nINSERT INTO s SELECT * FROM t;", 2, 2, 1],
    ['three statements', 'SELECT 1;\n  SELECT 2;\nSELECT 3;', 3, 2, 3],
    [
      'a statement set followed by another statement',
      'EXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT 1; END; SELECT 2',
      2,
      1,
      58,
    ],
  ])('rejects %s', (_case, sql, statementCount, line, column) => {
    const error = rejectionOf(sql);
    expect(error).toMatchObject({
      code: 'SQL_MULTIPLE_STATEMENTS',
      kind: 'invalid',
      details: { statement_count: statementCount, line, column },
    });
    expect(error.message).toContain('EXECUTE STATEMENT SET');
  });

  it.each([
    ['repeated semicolons', 'SELECT 1;;;'],
    [
      'a statement set with several inserts',
      'EXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT 1; INSERT INTO b SELECT 2; END;',
    ],
    [
      'a statement set in the BEGIN … END; form',
      'BEGIN STATEMENT SET;\nINSERT INTO a SELECT 1;\nINSERT INTO b SELECT 2;\nEND;',
    ],
    ['a semicolon inside a string', "SELECT 'a;b' FROM t"],
    ['a semicolon inside a comment', 'SELECT 1 -- a; b\nFROM t'],
  ])('accepts %s as one statement', (_case, sql) => {
    expect(() => classifyStatement(sql)).not.toThrow();
  });
});

describe('classifyStatement: nesting the parser cannot follow', () => {
  it('rejects it as SQL_TOO_COMPLEX instead of failing with a stack overflow', () => {
    expect(rejectionOf('('.repeat(100_000))).toMatchObject({ code: 'SQL_TOO_COMPLEX', kind: 'invalid' });
  });
});
