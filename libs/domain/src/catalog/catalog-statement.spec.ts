import { parseCatalogStatement } from '../../../../test/fixtures/flink-sql-readings';
import { matchesLike } from './catalog-statement';

describe('catalogStatementOf (on Flink’s reading)', () => {
  it.each([
    ['SHOW CATALOGS', { kind: 'show-catalogs' }],
    [
      "show catalogs like 'def%'",
      { kind: 'show-catalogs', like: { pattern: 'def%', not: false, caseInsensitive: false } },
    ],
    ['SHOW DATABASES', { kind: 'show-databases' }],
    ['SHOW DATABASES FROM `env-1`', { kind: 'show-databases', catalog: 'env-1' }],
    ['SHOW TABLES', { kind: 'show-tables' }],
    ['SHOW TABLES IN main', { kind: 'show-tables', database: ['main'] }],
    [
      "SHOW TABLES FROM `env-1`.main NOT LIKE 'A_%';",
      {
        kind: 'show-tables',
        database: ['env-1', 'main'],
        like: { pattern: 'A_%', not: true, caseInsensitive: false },
      },
    ],
    [
      "SHOW DATABASES ILIKE 'm%'",
      { kind: 'show-databases', like: { pattern: 'm%', not: false, caseInsensitive: true } },
    ],
    ['SHOW VIEWS', { kind: 'show-views' }],
    [
      "SHOW COLUMNS FROM t LIKE 'a%'",
      { kind: 'show-columns', table: ['t'], like: { pattern: 'a%', not: false, caseInsensitive: false } },
    ],
    ['SHOW CURRENT CATALOG', { kind: 'show-current-catalog' }],
    ['SHOW CURRENT DATABASE', { kind: 'show-current-database' }],
    ['SHOW CREATE TABLE main.`my-topic`', { kind: 'show-create-table', table: ['main', 'my-topic'] }],
    ['DESCRIBE t', { kind: 'describe', table: ['t'], extended: false }],
    ['DESC EXTENDED `c`.`d`.`t`', { kind: 'describe', table: ['c', 'd', 't'], extended: true }],
    ['/* why */ DROP TABLE IF EXISTS db.t', { kind: 'drop-table', table: ['db', 't'], ifExists: true }],
    ['DROP TABLE t', { kind: 'drop-table', table: ['t'], ifExists: false }],
    ["ALTER TABLE t SET ('a' = 'b')", { kind: 'alter-table', table: ['t'] }],
    ['SHOW FUNCTIONS', { kind: 'other', what: 'FUNCTIONS' }],
    ['SHOW JOBS', { kind: 'other', what: 'JOBS' }],
  ])('reads %s', async (sql, expected) => expect(await parseCatalogStatement(sql)).toEqual(expected));
});

describe('matchesLike', () => {
  const like = (pattern: string, not = false, caseInsensitive = false) => ({ pattern, not, caseInsensitive });

  it('matches SQL LIKE patterns', () => {
    expect(matchesLike('orders_v1', like('orders%'))).toBe(true);
    expect(matchesLike('orders', like('order_'))).toBe(true);
    expect(matchesLike('orders', like('order'))).toBe(false);
    expect(matchesLike('a.b(c)', like('a.b(c)'))).toBe(true);
    expect(matchesLike('axb', like('a.b'))).toBe(false);
    expect(matchesLike('Orders', like('orders%'))).toBe(false);
    expect(matchesLike('Orders', like('orders%', false, true))).toBe(true);
    expect(matchesLike('Orders', like('orders%', true))).toBe(true);
    expect(matchesLike('anything', undefined)).toBe(true);
  });
});
