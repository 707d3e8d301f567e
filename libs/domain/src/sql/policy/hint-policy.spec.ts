import { checkHints, parseHintComment } from './hint-policy';

describe('parseHintComment: the plain hint syntax Flink and Riffle read alike', () => {
  it.each([
    ['/*+ BROADCAST(a, b) */', [{ name: 'BROADCAST', options: [], values: ['a', 'b'] }]],
    [
      "/*+ options('k' = 'v', k2 = 3) */",
      [
        {
          name: 'OPTIONS',
          options: [
            ['k', 'v'],
            ['k2', '3'],
          ],
          values: [],
        },
      ],
    ],
    [
      "/*+ STATE_TTL('o' = '1d'), `Lookup`('table' = 'c') */",
      [
        { name: 'STATE_TTL', options: [['o', '1d']], values: [] },
        { name: 'LOOKUP', options: [['table', 'c']], values: [] },
      ],
    ],
    ['/*+ NEST_LOOP */', [{ name: 'NEST_LOOP', options: [], values: [] }]],
    ['/*+X()*/', [{ name: 'X', options: [], values: [] }]],
    ["/*+ OPTIONS('it''s' = '*') */", [{ name: 'OPTIONS', options: [["it's", '*']], values: [] }]],
    ["/*+\n\tOPTIONS(\r\n'k'='v')\n*/", [{ name: 'OPTIONS', options: [['k', 'v']], values: [] }]],
  ])('reads %s', (text, hints) => {
    expect(parseHintComment(text)).toEqual(hints);
  });

  it.each([
    ["/*+ OPTIONS('a' = 'b') -- */", 'a line comment'],
    ["/*+ OPTIONS('a' = 'b') // */", 'a // comment'],
    ["/*+ OPTIONS('a' = 'b') /* x */", 'a block comment'],
    ["/*+ OPTIONS('a' = '*/", 'a string cut by the end of the comment'],
    ['/*+ OPTIONS("a" = \'b\') */', 'a double-quoted key'],
    ["/*+ OPTIONS(U&'a' = 'b') */", 'a Unicode-escaped literal'],
    ["/*+ OPTIONS(N'a' = 'b') */", 'a prefixed literal'],
    ["/*+ OPTIONS('a' 'b' = 'c') */", 'a continued literal'],
    ["/*+ OPTIONS(a.b = 'c') */", 'a dotted key'],
    ["/*+ OPTIONS('a' = 'b', c) */", 'options mixed with values'],
    ["/*+ OPTIONS('a' = 'b',) */", 'a trailing comma'],
    ["/*+ OPTIONS('a' = ) */", 'a missing value'],
    ["/*+ OPTIONS(1 = 'a') */", 'a number as key'],
    ["/*+ OPTIONS('a' = 'b') OPTIONS('c' = 'd') */", 'two hints without a comma'],
    ['/*+ */', 'no hint at all'],
    ['/*+ `A\nB` */', 'a backticked name over two lines'],
  ])('refuses %s (%s)', (text) => {
    expect(parseHintComment(text)).toBeUndefined();
  });
});

describe('checkHints', () => {
  const check = (text: string) => checkHints(`SELECT 1 ${text}`, [{ text, offset: 9 }])?.code;

  it.each([
    [
      "/*+ OPTIONS('scan.startup.mode' = 'timestamp', 'scan.startup.timestamp-millis' = '1735689600000') */",
      undefined,
    ],
    ["/*+ STATE_TTL('orders' = '36 h') */", undefined],
    ["/*+ LOOKUP('table' = 'c', 'async' = 'true', 'output-mode' = 'allow_unordered') */", undefined],
    ['/*+ SHUFFLE_HASH(a), SHUFFLE_MERGE(b) */', undefined],
    ["/*+ OPTIONS('scan.bounded.mode' = 'latest-offset') */", undefined],
    ["/*+ OPTIONS('changelog.mode' = 'upsert') */", 'OPTION_NOT_ALLOWED'],
    ["/*+ OPTIONS('scan.startup.timestamp-millis' = 'yesterday') */", 'OPTION_NOT_ALLOWED'],
    ["/*+ LOOKUP('table' = 'c; x') */", 'HINT_NOT_ALLOWED'],
    ['/*+ JSON_AGG */', 'HINT_NOT_ALLOWED'],
    ["/*+ OPTIONS('a' = 'b') -- */", 'SQL_AMBIGUOUS_SYNTAX'],
  ])('%s → %s', (text, code) => {
    expect(check(text)).toBe(code);
  });

  it('says where a hint it cannot read is', () => {
    expect(
      checkHints("SELECT 1\n  /*+ X('a' 'b') */", [{ text: "/*+ X('a' 'b') */", offset: 11 }]),
    ).toMatchObject({
      details: { line: 2, column: 3 },
    });
  });
});
