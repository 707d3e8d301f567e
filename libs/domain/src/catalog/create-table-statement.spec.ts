import { parseCreateTable } from '../../../../test/fixtures/flink-sql-readings';
import { resolvedCreateTable } from './create-table-statement';
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
    ['CREATE TEMPORARY TABLE t (id INT)', 'NOT_SUPPORTED_YET', /TEMPORARY/],
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

  it.each([
    'CREATE TABLE t (id INT, ts AS PROCTIME())',
    "CREATE TABLE t (id INT, m TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL)",
    "CREATE TABLE t (id INT, o BIGINT METADATA FROM 'offset')",
    'CREATE TABLE t (ts TIMESTAMP(3), WATERMARK FOR ts AS ts)',
    'CREATE TABLE t (id INT) LIKE s',
    'CREATE TABLE t LIKE s',
  ])('leaves %s to Flink to resolve (computed and metadata columns, watermarks, LIKE)', async (sql) => {
    expect(await parseCreateTable(sql)).toMatchObject({ resolvedByFlink: true });
  });

  it.each([
    "CREATE TABLE t (id INT, m TIMESTAMP_LTZ(3) METADATA FROM 'timestamp')",
    'CREATE TABLE t (id INT, `headers` MAP<STRING, BYTES> METADATA)',
  ])('refuses %s: Riffle writes the record timestamp and headers itself', async (sql) => {
    expect(await rejectionOf(sql)).toMatchObject({ code: 'NOT_SUPPORTED_YET' });
  });

  it('refuses computed columns in CREATE TABLE … AS', async () => {
    expect((await rejectionOf("CREATE TABLE t (d AS 1) WITH ('a' = 'b') AS SELECT 1 AS x")).code).toBe(
      'NOT_SUPPORTED_YET',
    );
  });
});

describe('resolvedCreateTable', () => {
  it('makes the topic from Flink’s physical columns and keeps the rest, without Riffle’s system columns', async () => {
    const parsed = await parseCreateTable(
      "CREATE TABLE t (id BIGINT, price DECIMAL(10, 2), dt TIMESTAMP(3), doubled AS price * 2, ts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL, WATERMARK FOR dt AS dt - INTERVAL '4' SECOND) WITH ('kafka.retention.time' = '1 d')",
    );
    const { table, extras } = resolvedCreateTable(parsed, {
      path: ['env', 'main', 't'],
      exists: true,
      columns: [
        { name: 'id', type: 'BIGINT', nullable: true, kind: 'physical' },
        { name: 'price', type: 'DECIMAL(10, 2)', nullable: true, kind: 'physical' },
        { name: 'dt', type: 'TIMESTAMP(3)', nullable: true, kind: 'physical' },
        {
          name: 'doubled',
          type: 'DECIMAL(21, 2)',
          nullable: true,
          kind: 'computed',
          expression: '`price` * 2',
        },
        {
          name: 'ts',
          type: 'TIMESTAMP(3) WITH LOCAL TIME ZONE',
          nullable: true,
          kind: 'metadata',
          metadataKey: 'timestamp',
          virtual: false,
        },
        {
          name: '$rowtime',
          type: 'TIMESTAMP(3) WITH LOCAL TIME ZONE',
          nullable: false,
          kind: 'metadata',
          metadataKey: 'timestamp',
          virtual: true,
        },
      ],
      watermarks: [{ column: 'dt', expression: "`dt` - INTERVAL '4' SECOND" }],
    });
    expect(table.columns).toEqual([
      { name: 'id', type: 'BIGINT' },
      { name: 'price', type: 'DECIMAL(10, 2)' },
      { name: 'dt', type: 'TIMESTAMP(3)' },
    ]);
    expect(table.options).toEqual({ 'kafka.retention.time': '1 d' });
    expect(extras).toEqual({
      columns: [
        {
          name: 'doubled',
          kind: 'computed',
          type: 'DECIMAL(21, 2)',
          nullable: true,
          expression: '`price` * 2',
        },
        {
          name: 'ts',
          kind: 'metadata',
          type: 'TIMESTAMP_LTZ(3)',
          nullable: true,
          metadataKey: 'timestamp',
          virtual: false,
        },
      ],
      watermark: { column: 'dt', expression: "`dt` - INTERVAL '4' SECOND" },
    });
  });
});
