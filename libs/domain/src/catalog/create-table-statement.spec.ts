import { parseCreateTable } from '../../../../test/fixtures/flink-sql-readings';
import { RiffleError } from '../riffle-error';

async function rejectionOf(sql: string): Promise<RiffleError> {
  try {
    await parseCreateTable(sql);
  } catch (error) {
    if (error instanceof RiffleError) return error;
    throw error;
  }
  throw new Error(`expected ${sql} to be rejected`);
}

describe('createTableOf (on Flink’s reading)', () => {
  it('reads columns with canonical types, the primary key, distribution, comment and options', async () => {
    const parsed = await parseCreateTable(`
      CREATE TABLE IF NOT EXISTS main.\`orders-v1\` (
        id BIGINT NOT NULL COMMENT 'the id',
        \`customer name\` VARCHAR(2147483647),
        amount DECIMAL(10, 2),
        \`at\` TIMESTAMP(3) WITH LOCAL TIME ZONE,
        tags ARRAY<STRING>,
        address ROW<city STRING NOT NULL, \`zip\` INT>,
        attrs MAP<STRING, BIGINT> NOT NULL,
        -- a comment in the middle
        CONSTRAINT pk PRIMARY KEY (id) NOT ENFORCED
      ) COMMENT 'all orders'
      DISTRIBUTED BY HASH(id) INTO 3 BUCKETS
      WITH ('kafka.retention.time' = '7 d', 'it''s' = 'quoted')`);
    expect(parsed).toEqual({
      path: ['main', 'orders-v1'],
      ifNotExists: true,
      columns: [
        { name: 'id', type: 'BIGINT NOT NULL' },
        { name: 'customer name', type: 'STRING' },
        { name: 'amount', type: 'DECIMAL(10, 2)' },
        { name: 'at', type: 'TIMESTAMP_LTZ(3)' },
        { name: 'tags', type: 'ARRAY<STRING>' },
        { name: 'address', type: 'ROW<`city` STRING NOT NULL, `zip` INT>' },
        { name: 'attrs', type: 'MAP<STRING, BIGINT> NOT NULL' },
      ],
      primaryKey: ['id'],
      distributionKey: ['id'],
      buckets: 3,
      comment: 'all orders',
      options: { 'kafka.retention.time': '7 d', "it's": 'quoted' },
    });
  });

  it('takes a column-level PRIMARY KEY, DISTRIBUTED INTO n BUCKETS and PARTITIONED BY', async () => {
    expect(
      await parseCreateTable(
        "CREATE TABLE t (k STRING PRIMARY KEY NOT ENFORCED, v INT) DISTRIBUTED INTO 4 BUCKETS WITH ('a' = 'b');",
      ),
    ).toMatchObject({ path: ['t'], primaryKey: ['k'], buckets: 4, options: { a: 'b' } });
    expect(
      await parseCreateTable("CREATE TABLE t (k STRING, v INT) PARTITIONED BY (k) WITH ('a' = 'b')"),
    ).toMatchObject({
      distributionKey: ['k'],
    });
    expect(await parseCreateTable('CREATE TABLE t (k STRING) DISTRIBUTED BY (k)')).toMatchObject({
      distributionKey: ['k'],
    });
  });

  it('keeps the query of CREATE TABLE … AS SELECT', async () => {
    expect(
      await parseCreateTable("CREATE TABLE t WITH ('a' = 'b') AS SELECT id, `x` FROM s WHERE y > 1;"),
    ).toMatchObject({ path: ['t'], columns: [], query: 'SELECT id, `x` FROM s WHERE y > 1' });
  });

  it.each([
    ['CREATE TABLE t (id INT, ts AS PROCTIME())', 'NOT_SUPPORTED_YET', /computed column `ts`/],
    [
      "CREATE TABLE t (id INT, m TIMESTAMP_LTZ(3) METADATA FROM 'timestamp')",
      'NOT_SUPPORTED_YET',
      /metadata column/,
    ],
    ['CREATE TABLE t (ts TIMESTAMP(3), WATERMARK FOR ts AS ts)', 'NOT_SUPPORTED_YET', /watermark/],
    ['CREATE TEMPORARY TABLE t (id INT)', 'NOT_SUPPORTED_YET', /TEMPORARY/],
    ['CREATE TABLE t (id INT) LIKE s', 'NOT_SUPPORTED_YET', /LIKE/],
    ['CREATE TABLE t (id INT) DISTRIBUTED BY RANGE (id)', 'NOT_SUPPORTED_YET', /RANGE/],
    ['CREATE TABLE t (id INT, id STRING)', 'INVALID_CATALOG_STATEMENT', /declared twice/],
    ['CREATE TABLE t (id INT, PRIMARY KEY (nope) NOT ENFORCED)', 'UNKNOWN_KEY_COLUMN', /`nope`/],
    ['CREATE TABLE t (id INT PRIMARY KEY)', 'INVALID_CATALOG_STATEMENT', /NOT ENFORCED/],
    ['CREATE TABLE t (id DECIMAL(50, 2))', 'INVALID_COLUMN_TYPE', /DECIMAL/],
  ])('rejects %s', async (sql, code, message) => {
    const error = await rejectionOf(sql);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
  });

  it('takes an unsupported type as the column type for the Avro mapping to refuse by name', async () => {
    expect((await parseCreateTable('CREATE TABLE t (d MULTISET<INT>)')).columns).toEqual([
      { name: 'd', type: 'MULTISET<INT>' },
    ]);
  });
});
