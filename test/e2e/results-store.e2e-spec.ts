import { randomUUID } from 'node:crypto';
import { databaseConfig } from '@riffle/config';
import { createDataSource, SqlResultStore, SqlStatementRepository } from '@riffle/persistence';
import { FairShare } from '@riffle/queue';
import { createTestTenant, stackEnv, type TestTenant, uniqueSuffix } from '@riffle/testing';
import { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';

/** The result store against Postgres alone, the fair share against Redis alone (adapter tests). */
describe('SqlResultStore (Postgres)', () => {
  let db: DataSource;
  let results: SqlResultStore;
  let statements: SqlStatementRepository;
  let tenant: TestTenant;

  const aQuery = async (owner: TestTenant = tenant) => {
    const record = await statements.insert({
      uid: randomUUID(),
      organizationId: owner.organizationId,
      environmentId: owner.environmentId,
      name: `q-${uniqueSuffix()}`,
      statement: 'SELECT 1',
      properties: {},
      computePoolId: null,
      principal: owner.serviceAccountId,
      labels: {},
      stopped: false,
      sqlKind: 'SELECT',
      executionMode: 'foreground',
      traits: {},
      analysis: null,
    });
    await results.open({
      statementUid: record.uid,
      scope: owner,
      cellId: null,
      gatewayRef: { sessionHandle: 's', operationHandle: 'o' },
      jobId: 'job',
    });
    return record.uid;
  };
  const page = (n: number, last = false) => ({ rows: [{ op: 0 as const, row: [n] }], bytes: 5, last });

  beforeAll(async () => {
    db = createDataSource(databaseConfig.load(stackEnv()));
    await db.initialize();
    results = new SqlResultStore(db);
    statements = new SqlStatementRepository(db);
    tenant = await createTestTenant(db, 'result-store');
  });

  afterAll(async () => {
    await db?.destroy();
  });

  it('stores a page and moves the token in one step, once: a repeated step stores nothing', async () => {
    const uid = await aQuery();
    expect(await results.append(uid, 0, page(1), 1)).toBe(true);
    expect(await results.append(uid, 0, page(1), 1)).toBe(false);
    // an empty page only moves the token
    expect(await results.append(uid, 1, { rows: [], bytes: 0, last: false }, 2)).toBe(true);
    expect(await results.append(uid, 2, page(2), 3)).toBe(true);
    expect(await results.find(uid)).toMatchObject({ nextToken: 3, nextPage: 2, rows: 2, bytes: 10 });
    expect((await results.page(uid, 1))?.rows).toEqual([{ op: 0, row: [2] }]);
  });

  it('ends a stream with a last page readers stop at, once; an ended stream takes no page', async () => {
    const uid = await aQuery();
    await results.append(uid, 0, page(1), 1);
    expect(await results.end(uid, 'RESULTS_ROW_CAP')).toBe(true);
    expect(await results.end(uid)).toBe(false);
    expect(await results.page(uid, 1)).toEqual({ rows: [], last: true });
    expect(await results.append(uid, 1, page(2), 2)).toBe(false);
    expect(await results.find(uid)).toMatchObject({
      state: 'ENDED',
      truncation: 'RESULTS_ROW_CAP',
      gatewayRef: null,
    });
  });

  it('does not mark a second last page when the stream stored its own', async () => {
    const uid = await aQuery();
    await results.append(uid, 0, page(1, true), 1);
    await results.end(uid);
    expect(await results.page(uid, 1)).toBeUndefined();
  });

  it('counts what an environment keeps, and expires ended streams past the retention', async () => {
    const own = await createTestTenant(db, 'result-store-own');
    const other = await createTestTenant(db, 'result-store-other');
    const uid = await aQuery(own);
    await results.append(uid, 0, { rows: [{ op: 0, row: ['x'] }], bytes: 1_000, last: false }, 1);
    expect(await results.environmentBytes(own)).toBe(1_000);
    expect(await results.environmentBytes(other)).toBe(0);
    await results.end(uid);
    // nothing ended before an hour ago
    await results.expire(new Date(Date.now() - 3_600_000), 100);
    expect((await results.find(uid))?.state).toBe('ENDED');
    await results.expire(new Date(Date.now() + 1_000), 10_000);
    expect(await results.find(uid)).toMatchObject({ state: 'EXPIRED', bytes: 0 });
    expect(await results.page(uid, 0)).toBeUndefined();
    expect(await results.environmentBytes(own)).toBe(0);
  });

  it('writes a metadata answer as one ended stream', async () => {
    const uid = randomUUID();
    await statements.insert({
      uid,
      organizationId: tenant.organizationId,
      environmentId: tenant.environmentId,
      name: `show-${uniqueSuffix()}`,
      statement: 'SHOW TABLES',
      properties: {},
      computePoolId: null,
      principal: tenant.serviceAccountId,
      labels: {},
      stopped: false,
      sqlKind: 'SHOW',
      executionMode: 'metadata',
      traits: {},
      analysis: null,
    });
    await results.writeAll(uid, tenant, [page(1), page(2, true)]);
    expect(await results.find(uid)).toMatchObject({ state: 'ENDED', rows: 2, nextPage: 2 });
    expect((await results.page(uid, 1))?.last).toBe(true);
  });

  it('a page for a statement deleted meanwhile is refused, not an error', async () => {
    const uid = await aQuery();
    await statements.delete(uid);
    expect(await results.append(uid, 0, page(1), 1)).toBe(false);
    expect(await results.end(uid)).toBe(false);
  });

  it('caps the open queries of an environment exactly, under concurrent submissions', async () => {
    const capped = await createTestTenant(db, 'open-queries');
    const submit = () =>
      statements
        .insert(
          {
            uid: randomUUID(),
            organizationId: capped.organizationId,
            environmentId: capped.environmentId,
            name: `q-${uniqueSuffix()}`,
            statement: 'SELECT 1',
            properties: {},
            computePoolId: null,
            principal: capped.serviceAccountId,
            labels: {},
            stopped: false,
            sqlKind: 'SELECT',
            executionMode: 'foreground',
            traits: {},
            analysis: null,
          },
          { maxOpenQueries: 3 },
        )
        .then(
          () => 'ok',
          (e: { code?: string }) => e.code,
        );
    const outcomes = await Promise.all(Array.from({ length: 8 }, submit));
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(3);
    expect(outcomes.filter((o) => o === 'OPEN_QUERY_LIMIT')).toHaveLength(5);
  });

  it('collapses a repeated exception into one entry with a count', async () => {
    const uid = await aQuery();
    await statements.addException(uid, 'java.lang.ArithmeticException', '/ by zero', {
      kind: 'USER',
      count: 2,
    });
    await statements.addException(uid, 'java.lang.ArithmeticException', '/ by zero', { kind: 'USER' });
    await statements.addException(uid, 'RESULTS_LOST', 'lost');
    expect(await statements.exceptions(uid, 10)).toEqual([
      expect.objectContaining({ name: 'RESULTS_LOST', count: 1, kind: null }),
      expect.objectContaining({ name: 'java.lang.ArithmeticException', count: 3, kind: 'USER' }),
    ]);
  });
});

describe('FairShare (Redis)', () => {
  let redis: Redis;
  const prefix = `riffle-test:fair:${uniqueSuffix()}`;

  beforeAll(() => {
    redis = new Redis(stackEnv().REDIS_URL ?? 'redis://127.0.0.1:6379', { lazyConnect: false });
  });

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  it('puts a quiet tenant’s first job ahead of a flooding tenant’s backlog (round robin)', async () => {
    const fair = new FairShare(redis, prefix, 100);
    const flood: number[] = [];
    for (let i = 0; i < 50; i++) flood.push(await fair.priority('a'));
    const quiet = await fair.priority('b');
    // strictly increasing for the flooding tenant
    expect(flood.every((p, i) => i === 0 || p > flood[i - 1]!)).toBe(true);
    expect(quiet).toBeLessThan(flood[2]!);
    expect(quiet).toBeGreaterThanOrEqual(1);
  });

  it('places a swept job at its tenant’s current position without moving the clock', async () => {
    const fair = new FairShare(redis, `${prefix}:sweep`, 100);
    for (let i = 0; i < 10; i++) await fair.priority('a');
    const swept = await fair.priority('a', false);
    const again = await fair.priority('a', false);
    expect(Math.abs(swept - again)).toBeLessThan(50);
    expect(await fair.priority('idle', false)).toBe(1);
  });

  it('forgives a burst as time passes', async () => {
    const fair = new FairShare(redis, `${prefix}:decay`, 20);
    for (let i = 0; i < 10; i++) await fair.priority('a');
    await new Promise((r) => setTimeout(r, 300));
    expect(await fair.priority('a')).toBeLessThanOrEqual(21);
  });
});
