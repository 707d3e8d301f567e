import { isStatelessQuery } from './stateless-query';

describe('isStatelessQuery', () => {
  it.each([
    'INSERT INTO out SELECT * FROM orders',
    'INSERT INTO out SELECT id, UPPER(customer), amount * 2 FROM orders WHERE amount > 10',
    "INSERT INTO out SELECT id FROM orders WHERE note = 'JOIN us' -- GROUP BY later",
    'INSERT INTO out SELECT `count`, `join` FROM orders /* ORDER BY id */',
    'INSERT INTO out VALUES (1, 2)',
    'SELECT SHA512(customer) FROM orders',
  ])('stateless: %s', (sql) => expect(isStatelessQuery(sql)).toBe(true));

  it.each([
    'INSERT INTO out SELECT o.id FROM orders o JOIN customers c ON o.cid = c.id',
    'INSERT INTO out SELECT customer, SUM(amount) FROM orders GROUP BY customer',
    'SELECT COUNT(*) FROM orders',
    'SELECT count (*) FROM orders',
    'SELECT DISTINCT customer FROM orders',
    "SELECT * FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR($rowtime), INTERVAL '1' MINUTES))",
    'SELECT id, ROW_NUMBER() OVER (PARTITION BY customer ORDER BY $rowtime) FROM orders',
    'SELECT * FROM orders ORDER BY $rowtime',
    'SELECT * FROM a UNION SELECT * FROM b',
  ])('stateful: %s', (sql) => expect(isStatelessQuery(sql)).toBe(false));
});
