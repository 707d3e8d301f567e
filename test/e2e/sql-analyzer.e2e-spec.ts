import { HttpSqlAnalyzer } from '@riffle/flink';
import { RiffleError } from '@riffle/domain';
import { stackEnv } from '@riffle/testing';

const LIMITS = { maxTokens: 20_000, maxNesting: 12, maxDepth: 1_500 };

/** The SqlAnalyzer port's HTTP adapter against the real analyzer (Flink 2.2's parser and planner). */
describe('HttpSqlAnalyzer on the stack’s SQL analyzer', () => {
  const env = stackEnv();
  const analyzer = new HttpSqlAnalyzer(env.SQL_ANALYZER_URL ?? 'http://127.0.0.1:18990', 10_000);

  const setup = [
    "CREATE CATALOG `env` WITH ('type' = 'generic_in_memory')",
    'CREATE DATABASE `env`.`main`',
    'USE CATALOG `env`',
    'USE `main`',
    "CREATE TABLE `env`.`main`.`orders` (id BIGINT, customer STRING, amount DECIMAL(10, 2), ts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL, WATERMARK FOR ts AS ts - INTERVAL '5' SECOND) WITH ('connector' = 'kafka', 'topic' = 'orders', 'properties.bootstrap.servers' = '127.0.0.1:1', 'properties.group.id' = 'g', 'scan.startup.mode' = 'earliest-offset', 'format' = 'json')",
  ];

  it('analyses a statement: kind, tables as written, functions, hints, options and features', async () => {
    const { analysis, error } = await analyzer.analyze(
      "SELECT customer, COUNT(*) FILTER (WHERE amount > 1) FROM cat.db.orders /*+ OPTIONS('scan.startup.mode' = 'latest-offset') */ GROUP BY customer",
      LIMITS,
    );
    expect(error).toBeUndefined();
    expect(analysis).toMatchObject({
      kind: 'SELECT',
      references: expect.arrayContaining([
        expect.objectContaining({ type: 'TABLE', use: 'read', path: ['cat', 'db', 'orders'] }),
        expect.objectContaining({ type: 'FUNCTION', use: 'call', path: ['COUNT'] }),
      ]),
      options: [expect.objectContaining({ scope: 'HINT', key: 'scan.startup.mode', value: 'latest-offset' })],
      hints: [expect.objectContaining({ name: 'OPTIONS', table: ['cat', 'db', 'orders'] })],
      features: ['GROUP_BY'],
    });
  });

  it('describes Flink table DDL as written', async () => {
    const { analysis } = await analyzer.analyze(
      "CREATE TABLE bids (auction BIGINT NOT NULL, price DECIMAL(10, 2), dt TIMESTAMP(3), doubled AS price * 2, ts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL, PRIMARY KEY (auction) NOT ENFORCED, WATERMARK FOR dt AS dt - INTERVAL '4' SECOND) DISTRIBUTED BY HASH(auction) INTO 3 BUCKETS",
      LIMITS,
    );
    expect(analysis?.kind).toBe('CREATE TABLE');
    expect(analysis?.table).toMatchObject({
      path: ['bids'],
      columns: [
        { name: 'auction', kind: 'physical', type: 'BIGINT', nullable: false },
        { name: 'price', kind: 'physical', type: 'DECIMAL(10, 2)', nullable: true },
        { name: 'dt', kind: 'physical', type: 'TIMESTAMP(3)' },
        { name: 'doubled', kind: 'computed', expression: 'price * 2' },
        { name: 'ts', kind: 'metadata', type: 'TIMESTAMP_LTZ(3)', metadataKey: 'timestamp', virtual: true },
      ],
      constraints: [{ primaryKey: true, enforced: false, columns: ['auction'] }],
      watermark: { eventTimeColumn: 'dt', expression: "dt - INTERVAL '4' SECOND" },
      distribution: { kind: 'HASH', columns: ['auction'], buckets: 3 },
    });
  });

  it('answers why Flink’s parser would not take a text, with the position', async () => {
    expect((await analyzer.analyze('SELECT a\nFROM t WHERE = 1', LIMITS)).error).toMatchObject({
      kind: 'syntax',
      line: 2,
      column: 14,
    });
    expect((await analyzer.analyze('SELECT 1; SELECT 2', LIMITS)).error).toMatchObject({
      kind: 'multiple_statements',
      count: 2,
    });
    expect((await analyzer.analyze('-- nothing', LIMITS)).error?.kind).toBe('empty');
    expect(
      (await analyzer.analyze(`SELECT ${'('.repeat(13)}1${')'.repeat(13)}`, LIMITS)).error,
    ).toMatchObject({
      kind: 'too_complex',
      measure: 'nesting',
    });
  });

  it('validates against the session Riffle installs: Flink’s message and position', async () => {
    const valid = await analyzer.validate({ statement: 'SELECT customer, amount FROM orders', setup });
    expect(valid).toMatchObject({ valid: true, schema: [{ name: 'customer' }, { name: 'amount' }] });
    const unknown = await analyzer.validate({ statement: 'SELECT nope FROM orders', setup });
    expect(unknown).toMatchObject({
      valid: false,
      error: { kind: 'validation', line: 1, column: 8, message: "Column 'nope' not found in any table" },
    });
  });

  it('explains: the plan, its changelog mode and upsert keys', async () => {
    const answer = await analyzer.validate({
      statement: 'SELECT customer, SUM(amount) AS total FROM orders GROUP BY customer',
      setup,
      explain: true,
    });
    expect(answer.valid).toBe(true);
    expect(answer.plan?.text).toContain('== Optimized Physical Plan ==');
    expect(answer.plan?.outputs).toEqual([
      expect.objectContaining({ changelogMode: 'I,UA', upsertKeys: [['customer']] }),
    ]);
  });

  it('is SQL_ANALYZER_UNAVAILABLE (503, retryable) when nothing answers', async () => {
    const nobody = new HttpSqlAnalyzer('http://127.0.0.1:1', 1_000);
    const error = await nobody.analyze('SELECT 1', LIMITS).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RiffleError);
    expect(error).toMatchObject({ code: 'SQL_ANALYZER_UNAVAILABLE', kind: 'unavailable' });
  });
});
