import { parseFlinkType, renderFlinkType } from './flink-type';

const canonical = (text: string) => renderFlinkType(parseFlinkType(text));

describe('parseFlinkType → renderFlinkType: canonical forms and Flink defaults', () => {
  it.each<[string, string]>([
    ['BOOLEAN', 'BOOLEAN'],
    ['tinyint', 'TINYINT'],
    ['SMALLINT', 'SMALLINT'],
    ['INT', 'INT'],
    ['INTEGER', 'INT'],
    ['BIGINT', 'BIGINT'],
    ['FLOAT', 'FLOAT'],
    ['REAL', 'FLOAT'],
    ['DOUBLE', 'DOUBLE'],
    ['DOUBLE PRECISION', 'DOUBLE'],
    ['STRING', 'STRING'],
    ['VARCHAR(2147483647)', 'STRING'],
    ['VARCHAR(20)', 'VARCHAR(20)'],
    ['VARCHAR', 'VARCHAR(1)'],
    ['CHAR(3)', 'CHAR(3)'],
    ['CHARACTER', 'CHAR(1)'],
    ['CHARACTER VARYING(9)', 'VARCHAR(9)'],
    ['BYTES', 'BYTES'],
    ['VARBINARY(2147483647)', 'BYTES'],
    ['VARBINARY', 'VARBINARY(1)'],
    ['VARBINARY(64)', 'VARBINARY(64)'],
    ['BINARY(16)', 'BINARY(16)'],
    ['BINARY', 'BINARY(1)'],
    ['DECIMAL(10,2)', 'DECIMAL(10, 2)'],
    ['DECIMAL(5)', 'DECIMAL(5, 0)'],
    ['DECIMAL', 'DECIMAL(10, 0)'],
    ['DEC(38, 38)', 'DECIMAL(38, 38)'],
    ['NUMERIC(7, 1)', 'DECIMAL(7, 1)'],
    ['DATE', 'DATE'],
    ['TIME', 'TIME(0)'],
    ['TIME(3)', 'TIME(3)'],
    ['TIME(3) WITHOUT TIME ZONE', 'TIME(3)'],
    ['TIMESTAMP', 'TIMESTAMP(6)'],
    ['TIMESTAMP(3)', 'TIMESTAMP(3)'],
    ['TIMESTAMP(9) WITHOUT TIME ZONE', 'TIMESTAMP(9)'],
    ['TIMESTAMP_LTZ', 'TIMESTAMP_LTZ(6)'],
    ['TIMESTAMP_LTZ(3)', 'TIMESTAMP_LTZ(3)'],
    ['TIMESTAMP(3) WITH LOCAL TIME ZONE', 'TIMESTAMP_LTZ(3)'],
    ['ARRAY<INT>', 'ARRAY<INT>'],
    ['INT ARRAY', 'ARRAY<INT>'],
    ['INT NOT NULL ARRAY NOT NULL', 'ARRAY<INT NOT NULL> NOT NULL'],
    ['MULTISET<STRING>', 'MULTISET<STRING>'],
    ['MAP<STRING, BIGINT>', 'MAP<STRING, BIGINT>'],
    ['MAP<STRING NOT NULL, ARRAY<DOUBLE NOT NULL>>', 'MAP<STRING NOT NULL, ARRAY<DOUBLE NOT NULL>>'],
    ['ROW<a INT, b STRING>', 'ROW<`a` INT, `b` STRING>'],
    ['ROW(a INT, `b c` STRING)', 'ROW<`a` INT, `b c` STRING>'],
    [
      "ROW<`a` INT 'the id', b ROW<c DATE NOT NULL> NOT NULL>",
      'ROW<`a` INT, `b` ROW<`c` DATE NOT NULL> NOT NULL>',
    ],
    ['ROW<`x``y` BOOLEAN>', 'ROW<`x``y` BOOLEAN>'],
    ['BIGINT NOT NULL', 'BIGINT NOT NULL'],
    ['BIGINT NULL', 'BIGINT'],
    ['  bigint   not   null ', 'BIGINT NOT NULL'],
  ])('%s → %s', (text, expected) => {
    expect(canonical(text)).toBe(expected);
  });
});

describe('parseFlinkType: types Riffle does not map parse as UNSUPPORTED', () => {
  it.each<[string, string, boolean]>([
    ['INTERVAL DAY TO SECOND(3)', 'INTERVAL DAY TO SECOND ( 3 )', true],
    ['INTERVAL YEAR TO MONTH NOT NULL', 'INTERVAL YEAR TO MONTH', false],
    ['TIMESTAMP(3) WITH TIME ZONE', 'TIMESTAMP ( 3 ) WITH TIME ZONE', true],
    ["RAW('java.lang.Object', 'AAA')", "RAW ( 'java.lang.Object' , 'AAA' )", true],
    ['NULL', 'NULL', true],
    ['MyType', 'MyType', true],
  ])('%s', (text, unsupported, nullable) => {
    expect(parseFlinkType(text)).toEqual({ root: 'UNSUPPORTED', text: unsupported, nullable });
  });

  it('keeps an unsupported element inside a collection', () => {
    expect(parseFlinkType('ARRAY<INTERVAL DAY NOT NULL>')).toEqual({
      root: 'ARRAY',
      element: { root: 'UNSUPPORTED', text: 'INTERVAL DAY', nullable: false },
      nullable: true,
    });
  });
});

describe('parseFlinkType: malformed text is INVALID_COLUMN_TYPE', () => {
  it.each([
    [''],
    ['INT INT'],
    ['VARCHAR(0)'],
    ['VARCHAR(x)'],
    ['DECIMAL(39, 0)'],
    ['DECIMAL(4, 5)'],
    ['DECIMAL(0)'],
    ['my_catalog.my_db.Money'],
    ['TIMESTAMP(10)'],
    ['ARRAY<INT'],
    ['MAP<STRING>'],
    ['ROW'],
    ['ROW<a INT, a STRING>'],
    ['ROW<1 INT>'],
    ['INT;'],
  ])('%j', (text) => {
    expect(() => parseFlinkType(text)).toThrow(
      expect.objectContaining({ code: 'INVALID_COLUMN_TYPE', kind: 'invalid' }),
    );
  });
});
