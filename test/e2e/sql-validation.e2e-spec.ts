import { createApiApp } from '../../apps/api/src/create-api-app';
import { createTestTenant, uniqueSuffix } from '@riffle/testing';
import request from 'supertest';
import { CatalogSession } from './support/catalog-session';

/**
 * DESIGN §9.3 at the door: Flink's planner (the SQL analyzer) validates a statement in the session Riffle
 * would run it in before it is stored (400 SQL_VALIDATION_ERROR with Flink's message and position), EXPLAIN
 * and sql.dry-run answer with Flink's plan and run nothing, and an analyzer that does not answer is a 503,
 * never a 500 and never a stored statement.
 */
describe('SQL validation before 201, EXPLAIN and dry runs', () => {
  const s = new CatalogSession();
  const suffix = uniqueSuffix();
  const orders = `val_orders_${suffix}`;
  const sink = `val_sink_${suffix}`;

  beforeAll(async () => {
    await s.start();
    s.created.push(orders, sink);
    await s.topics.create(orders, 2);
    await s.topics.create(sink, 1);
  });
  afterAll(() => s.close());

  const submit = (name: string, statement: string, properties: Record<string, string> = {}) =>
    s
      .as()
      .post(s.tenant.statementsPath)
      .send({ name: `${name}-${suffix}`, spec: { statement, properties } });

  it.each([
    ['unknown-column', `SELECT nope FROM main.${orders}`, /Column 'nope' not found/, 1, 8],
    [
      'unknown-function',
      `SELECT my_udf(id) FROM main.${orders}`,
      /No match found for function signature my_udf/,
      1,
      8,
    ],
    ['type-error', `SELECT id + TRUE FROM main.${orders}`, /Cannot apply '\+'/, 1, 8],
    [
      'invalid-join',
      `SELECT * FROM main.${orders} a JOIN main.${orders} b ON a.id`,
      /condition/i,
      undefined,
      undefined,
    ],
    [
      'insert-columns',
      `INSERT INTO main.${sink} SELECT id FROM main.${orders}`,
      /do not match|column/i,
      undefined,
      undefined,
    ],
  ])(
    'answers %s with 400 SQL_VALIDATION_ERROR and Flink’s message',
    async (name, sql, message, line, column) => {
      const response = await submit(name, sql);
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body.code).toBe('SQL_VALIDATION_ERROR');
      expect(response.body.detail).toMatch(message);
      if (line !== undefined) expect(response.body).toMatchObject({ line, column });
      expect((await s.as().get(s.statementPath(`${name}-${suffix}`))).status).toBe(404);
    },
  );

  it('validates a CTAS by its query, with positions in the statement', async () => {
    const response = await submit(
      'ctas',
      `CREATE TABLE main.val_ctas_${suffix}\nAS SELECT nope FROM main.${orders}`,
    );
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 'SQL_VALIDATION_ERROR', line: 2, column: 11 });
  });

  it('stores a valid query with its schema, and takes one on a table that does not exist yet unvalidated', async () => {
    const valid = await s
      .as()
      .post(s.tenant.statementsPath)
      .send({
        name: `valid-${suffix}`,
        spec: { statement: `SELECT id, customer FROM main.${orders}`, stopped: true },
      });
    expect(valid.status).toBe(201);
    expect(valid.body.status.traits.schema.columns.map((c: { name: string }) => c.name)).toEqual([
      'id',
      'customer',
    ]);
    const later = await s
      .as()
      .post(s.tenant.statementsPath)
      .send({
        name: `later-${suffix}`,
        spec: { statement: `SELECT * FROM main.not_yet_${suffix}`, stopped: true },
      });
    expect(later.status).toBe(201);
  });

  it('answers a dry run with Flink’s plan, changelog mode and upsert keys, and runs nothing', async () => {
    const done = await s.run(
      `dry-${suffix}`,
      `INSERT INTO main.${sink} SELECT id, customer, amount FROM main.${orders} WHERE amount > 1`,
      ['COMPLETED'],
      { 'sql.dry-run': 'true' },
    );
    expect(done.status.traits).toMatchObject({ changelog_mode: 'I', is_append_only: true });
    expect(done.status.detail).toMatch(/nothing ran/);
    const [[plan]] = (await s.rowsOf(`dry-${suffix}`)) as string[][];
    expect(plan).toContain('== Optimized Physical Plan ==');
    await s.expectNoJob(done.metadata.uid);
  });

  it('answers EXPLAIN with the plan of an aggregation: updates and its upsert key', async () => {
    const done = await s.run(
      `explain-${suffix}`,
      `EXPLAIN CHANGELOG_MODE SELECT customer, SUM(amount) AS total FROM main.${orders} GROUP BY customer`,
      ['COMPLETED'],
    );
    expect(done.status.traits).toMatchObject({ changelog_mode: 'I,UA', upsert_keys: [['customer']] });
    const [[plan]] = (await s.rowsOf(`explain-${suffix}`)) as string[][];
    expect(plan).toContain('changelogMode=[I,UA]');
  });

  it('refuses a dry run of a statement it cannot plan, and of kinds it does not plan', async () => {
    expect(
      (await submit('dry-missing', `SELECT * FROM main.nowhere_${suffix}`, { 'sql.dry-run': 'true' })).body
        .code,
    ).toBe('SQL_DRY_RUN_IMPOSSIBLE');
    expect((await submit('dry-ddl', 'DROP TABLE main.x', { 'sql.dry-run': 'true' })).body.code).toBe(
      'INVALID_FIELD',
    );
  });

  it('answers 503 SQL_ANALYZER_UNAVAILABLE (problem+json) when the analyzer does not answer, storing nothing', async () => {
    const { app } = await createApiApp({
      ...s.env,
      SQL_ANALYZER_URL: 'http://127.0.0.1:1',
      SQL_ANALYZER_TIMEOUT_MS: '500',
    });
    await app.init();
    try {
      const tenant = await createTestTenant(s.riffle.db, 'no-analyzer');
      const response = await request(app.getHttpServer())
        .post(tenant.statementsPath)
        .set('authorization', tenant.authorization)
        .send({ name: 'q', spec: { statement: 'SELECT 1' } });
      expect(response.status).toBe(503);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body.code).toBe('SQL_ANALYZER_UNAVAILABLE');
      const [{ count }]: { count: string }[] = await s.riffle.db.query(
        'SELECT count(*) FROM statements WHERE organization_id = $1',
        [tenant.organizationId],
      );
      expect(Number(count)).toBe(0);
    } finally {
      await app.close();
    }
  });
});
