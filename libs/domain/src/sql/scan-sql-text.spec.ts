import { positionAt, scanSqlText } from './scan-sql-text';

describe('scanSqlText', () => {
  it('counts tokens and nesting outside quotes and comments', () => {
    const scan = scanSqlText("SELECT f(a, '(((', `(`) -- (((\n /* ((( */ FROM t");
    expect(scan).toMatchObject({ tokenCount: 11, maxNesting: 1 });
  });

  it('collects the first words up to the first other token, upper-cased', () => {
    expect(scanSqlText("/* x */ add -- y\n jar 'a.jar'").leadingWords).toEqual(['ADD', 'JAR']);
    expect(scanSqlText('create or replace temporary system function f').leadingWords).toEqual([
      'CREATE',
      'OR',
      'REPLACE',
      'TEMPORARY',
      'SYSTEM',
      'FUNCTION',
    ]);
  });

  it('collects every hint comment with its offset', () => {
    expect(scanSqlText("/*+ A */ SELECT '/*+ B */' /* C */ -- /*+ D */\n/*+E*/").hints).toEqual([
      { text: '/*+ A */', offset: 0 },
      { text: '/*+E*/', offset: 47 },
    ]);
  });

  it('reads strings the way Flink does: doubled quotes inside, backslash a plain character', () => {
    expect(scanSqlText("SELECT 'it''s \\ \"x\"'").ambiguity).toBeUndefined();
    expect(scanSqlText('SELECT \'a\\\' , "x"').ambiguity?.construct).toBe('a double quote');
  });

  it.each([
    ['SELECT 1 // c', '`//`', 9],
    ['SELECT "a"', 'a double quote', 7],
    ["SELECT u&'x'", "a Unicode-escaped literal (U&'…')", 7],
    ["SELECT 'a' /* c */\n 'b'", 'two string literals in a row', 20],
    ['SELECT 2 */ 3', '`*/` outside a comment', 9],
  ])('finds %s ambiguous (%s)', (sql, construct, offset) => {
    expect(scanSqlText(sql).ambiguity).toMatchObject({ construct, offset });
  });

  it.each([
    ['a zero-width space', 'SELECT\u200b1', 6, 0x200b],
    ['a CR without LF', 'SELECT 1\rFROM t', 8, 0x0d],
    ['a character in a comment', 'SELECT 1 -- \u202e', 12, 0x202e],
    ['a character in a backticked name', 'SELECT `a\u00a0b`', 9, 0xa0],
    ['a lone surrogate, even in a string', "SELECT '\udc00'", 8, 0xfffd],
    ['a supplementary format character', 'SELECT 1 -- \u{e0041}', 12, 0xe0041],
  ])('refuses %s', (_case, sql, offset, codePoint) => {
    expect(scanSqlText(sql).unsupportedCharacter).toEqual({ offset, codePoint });
  });

  it('accepts any character inside a single-quoted string, and CR LF, tabs and emoji elsewhere', () => {
    const scan = scanSqlText("SELECT '\u200b\u202e\u00a0\u0000',\r\n\t`😀` -- 😀\n");
    expect(scan.unsupportedCharacter).toBeUndefined();
  });
});

describe('positionAt', () => {
  it('gives 1-based lines and columns in code points', () => {
    expect(positionAt('ab\n😀x\ny', 5)).toEqual({ line: 2, column: 2 });
    expect(positionAt('abc', 0)).toEqual({ line: 1, column: 1 });
  });
});
