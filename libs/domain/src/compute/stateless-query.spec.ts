import { analysisOf } from '../../../../test/fixtures/flink-sql-readings';
import { isStatelessQuery } from './stateless-query';

/** on Flink's (recorded) reading of each statement */
describe('isStatelessQuery', () => {
  it.each([
    'INSERT INTO sink SELECT * FROM orders',
    'INSERT INTO sink SELECT id, UPPER(customer), amount * 2 FROM orders WHERE amount > 10',
    "INSERT INTO sink SELECT id FROM orders WHERE note = 'JOIN us' -- GROUP BY later",
    'INSERT INTO sink SELECT `count`, `join` FROM orders /* ORDER BY id */',
    'INSERT INTO sink VALUES (1, 2)',
    'SELECT SHA512(customer) FROM orders',
  ])('stateless: %s', async (sql) => expect(isStatelessQuery(await analysisOf(sql))).toBe(true));

  it.each([
    'INSERT INTO sink SELECT o.id FROM orders o JOIN customers c ON o.cid = c.id',
    'INSERT INTO sink SELECT customer, SUM(amount) FROM orders GROUP BY customer',
    'SELECT COUNT(*) FROM orders',
    'SELECT count (*) FROM orders',
    'SELECT DISTINCT customer FROM orders',
    "SELECT * FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(`$rowtime`), INTERVAL '1' MINUTES))",
    'SELECT id, ROW_NUMBER() OVER (PARTITION BY customer ORDER BY `$rowtime`) FROM orders',
    'SELECT * FROM orders ORDER BY `$rowtime`',
    'SELECT * FROM a UNION SELECT * FROM b',
    'SELECT * FROM o, c WHERE o.cid = c.id',
  ])('stateful: %s', async (sql) => expect(isStatelessQuery(await analysisOf(sql))).toBe(false));
});
