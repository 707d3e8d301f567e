import { uniqueSuffix } from '@riffle/testing';
import { CatalogSession } from './support/catalog-session';

/**
 * Flink table DDL on topics (#22): CREATE TABLE without WITH, with computed and metadata columns and a
 * watermark (the physical columns become the topic's schema, the rest is kept with the table and declared
 * in every statement's session), CREATE TABLE … LIKE, and views persisted per environment that later
 * statements read; what Flink refuses in a table definition is refused at the door.
 */
describe('Flink table DDL and views', () => {
  const s = new CatalogSession();
  const suffix = uniqueSuffix();
  const bids = `bids_${suffix}`;
  const copy = `bids_copy_${suffix}`;
  const view = `big_bids_${suffix}`;
  const bounded = { 'sql.tables.scan.bounded.mode': 'latest-offset' };

  beforeAll(() => s.start());
  afterAll(() => s.close());

  it('creates a table with computed and metadata columns and a watermark, and reads them back', async () => {
    s.created.push(bids, copy);
    await s.run(
      `create-${suffix}`,
      `CREATE TABLE ${bids} (
         auction BIGINT, price BIGINT, \`dateTime\` TIMESTAMP(3),
         doubled AS price * 2,
         ts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL,
         WATERMARK FOR \`dateTime\` AS \`dateTime\` - INTERVAL '4' SECOND)`,
      ['COMPLETED'],
    );
    const value = await s.subject(`${bids}-value`);
    expect(JSON.parse(value!.schema).fields.map((f: { name: string }) => f.name)).toEqual([
      'auction',
      'price',
      'dateTime',
    ]);
    await s.run(`describe-${suffix}`, `DESCRIBE ${bids}`, ['COMPLETED']);
    const rows = await s.rowsOf(`describe-${suffix}`);
    expect(rows.map((r) => [r[0], r[4]])).toEqual(
      expect.arrayContaining([
        ['doubled', 'AS `price` * 2'],
        ['ts', 'AS CAST(`$rowtime` AS TIMESTAMP_LTZ(3))'],
      ]),
    );
    expect(rows.find((r) => r[0] === 'dateTime')?.[5]).toMatch(/INTERVAL '4' SECOND/);

    await s.run(
      `insert-${suffix}`,
      `INSERT INTO ${bids} VALUES (1, 10, TIMESTAMP '2025-01-01 00:00:00'), (2, 500, TIMESTAMP '2025-01-01 00:00:01')`,
      ['COMPLETED'],
      {},
      120_000,
    );
    await s.run(`read-${suffix}`, `SELECT auction, doubled FROM ${bids}`, ['COMPLETED'], bounded, 120_000);
    expect((await s.rowsOf(`read-${suffix}`)).map((r) => r.map(Number))).toEqual([
      [1, 20],
      [2, 1000],
    ]);
  }, 300_000);

  it('creates a table LIKE another: its columns, computed ones included', async () => {
    await s.run(`like-${suffix}`, `CREATE TABLE ${copy} LIKE ${bids}`, ['COMPLETED']);
    await s.run(`describe-copy-${suffix}`, `DESCRIBE ${copy}`, ['COMPLETED']);
    expect((await s.rowsOf(`describe-copy-${suffix}`)).map((r) => r[0])).toEqual([
      'auction',
      'price',
      'dateTime',
      'doubled',
      'ts',
    ]);
  });

  it('keeps a view for later statements, lists, describes and drops it', async () => {
    await s.run(
      `view-${suffix}`,
      `CREATE VIEW ${view} AS SELECT auction, doubled FROM ${bids} WHERE price > 100`,
      ['COMPLETED'],
    );
    await s.run(`show-views-${suffix}`, 'SHOW VIEWS', ['COMPLETED']);
    expect((await s.rowsOf(`show-views-${suffix}`)).map((r) => r[0])).toContain(view);
    await s.run(`describe-view-${suffix}`, `DESCRIBE ${view}`, ['COMPLETED']);
    expect((await s.rowsOf(`describe-view-${suffix}`)).map((r) => r[0])).toEqual(['auction', 'doubled']);
    await s.run(`read-view-${suffix}`, `SELECT * FROM ${view}`, ['COMPLETED'], bounded, 120_000);
    expect((await s.rowsOf(`read-view-${suffix}`)).map((r) => r.map(Number))).toEqual([[2, 1000]]);

    const clash = await s.run(`view-clash-${suffix}`, `CREATE TABLE ${view} (a INT)`, ['FAILED']);
    expect(clash.status.detail).toMatch(/view named/);
    await s.run(`drop-view-${suffix}`, `DROP VIEW ${view}`, ['COMPLETED']);
    await s.run(`drop-view-again-${suffix}`, `DROP VIEW IF EXISTS ${view}`, ['COMPLETED']);
  }, 300_000);

  it('refuses at the door what Flink refuses in a table definition, and the ALTER TABLE forms it does not run', async () => {
    const bad = await s
      .as()
      .post(s.tenant.statementsPath)
      .send({
        name: `bad-${suffix}`,
        spec: { statement: `CREATE TABLE bad_${suffix} (a INT, b AS nope + 1)` },
      });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'SQL_VALIDATION_ERROR' });
    expect(bad.body.detail).toMatch(/nope/);
    const rename = await s
      .as()
      .post(s.tenant.statementsPath)
      .send({
        name: `rename-${suffix}`,
        spec: { statement: `ALTER TABLE ${bids} RENAME TO other_${suffix}` },
      });
    expect(rename.status).toBe(403);
    expect(rename.body.code).toBe('STATEMENT_KIND_NOT_ALLOWED');
  });
});
