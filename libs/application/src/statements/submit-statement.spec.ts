import { RiffleError } from '@riffle/domain';
import { FakeSqlAnalyzer } from '@riffle/testing';
import type { KafkaClusterRepository } from '../catalog/catalog.ports';
import type { ComputePoolRepository } from '../compute/compute-pool.ports';
import type { IdentityRepository } from '../identity/identity.ports';
import type { Principal } from '../identity/principal';
import type { StatementQueue, StatementRepository } from './statement.ports';
import { SubmitStatement } from './submit-statement.use-case';

const ORG = '00000000-0000-4000-8000-000000000001';
const ENV = 'env-1';
const principal: Principal = {
  organizationId: ORG,
  serviceAccountId: 'sa-1',
  apiKeyId: 'KEY',
  roles: [{ role: 'OrgAdmin', environmentId: null }],
};

/** the use case over in-memory ports: `count` statements exist, the pool `pool-1` exists */
function submitter(count: number, analyzer = new FakeSqlAnalyzer()) {
  const inserted: unknown[] = [];
  const reads: string[] = [];
  const submit = new SubmitStatement(
    { findEnvironment: async () => ({ id: ENV }) } as unknown as IdentityRepository,
    {
      countInEnvironment: async () => (reads.push('count'), count),
      insert: async (record: { uid: string; organizationId: string }) => (inserted.push(record), record),
    } as unknown as StatementRepository,
    { enqueueReconcile: async () => undefined } as unknown as StatementQueue,
    {
      ensureDefault: async () => (reads.push('pool'), 'pool-default'),
      find: async (_org: string, id: string) => (
        reads.push('pool'),
        id === 'pool-1' ? { id, environmentId: ENV } : undefined
      ),
    } as unknown as ComputePoolRepository,
    {
      list: async () => (reads.push('clusters'), [{ id: 'lkc-1', name: 'main' }]),
    } as unknown as KafkaClusterRepository,
    analyzer,
    { maxStatementsPerEnvironment: 10, defaultPoolMaxCfu: 10 },
  );
  const run = (body: Record<string, unknown>) => submit.execute(principal, ORG, ENV, body);
  return { run, inserted, reads };
}

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'accepted',
    (error: unknown) => (error instanceof RiffleError ? error.code : String(error)),
  );

describe('SubmitStatement', () => {
  it('reads clusters, quota and pool together, then stores the statement in the pool it resolved', async () => {
    const { run, inserted, reads } = submitter(0);
    await run({ name: 'q1', spec: { statement: 'SELECT 1' } });
    expect([...reads].sort()).toEqual(['clusters', 'count', 'pool']);
    expect(inserted).toEqual([expect.objectContaining({ name: 'q1', computePoolId: 'pool-default' })]);
  });

  it('reports errors in the order a user fixes them, whatever read fails first', async () => {
    const full = submitter(10);
    // bad SQL beats an unknown pool and a full environment
    expect(
      await codeOf(full.run({ name: 'q', spec: { statement: 'SELEC 1', compute_pool_id: 'nope' } })),
    ).toBe('SQL_SYNTAX_ERROR');
    // a full environment beats an unknown pool
    expect(
      await codeOf(full.run({ name: 'q', spec: { statement: 'SELECT 1', compute_pool_id: 'nope' } })),
    ).toBe('STATEMENT_QUOTA_EXCEEDED');
    const empty = submitter(0);
    expect(
      await codeOf(empty.run({ name: 'q', spec: { statement: 'SELECT 1', compute_pool_id: 'nope' } })),
    ).toBe('COMPUTE_POOL_NOT_FOUND');
    expect(
      await codeOf(empty.run({ name: 'q', spec: { statement: 'SELECT 1', compute_pool_id: 'pool-1' } })),
    ).toBe('accepted');
    expect(full.inserted).toEqual([]);
  });

  it('stores Flink’s analysis and the normalized text with the statement', async () => {
    const { run, inserted } = submitter(0);
    await run({ name: 'q1', spec: { statement: '  SELECT 1;  ' } });
    expect(inserted).toEqual([
      expect.objectContaining({
        statement: 'SELECT 1',
        sqlKind: 'SELECT',
        analysis: expect.objectContaining({ kind: 'SELECT', text: { start: 0, end: 8 } }),
      }),
    ]);
  });

  it('answers 503 SQL_ANALYZER_UNAVAILABLE and stores nothing when the analyzer does not answer', async () => {
    const analyzer = new FakeSqlAnalyzer();
    analyzer.unavailable = true;
    const { run, inserted } = submitter(0, analyzer);
    const refusal = await run({ name: 'q1', spec: { statement: 'SELECT 1' } }).catch((e: unknown) => e);
    expect(refusal).toMatchObject({ code: 'SQL_ANALYZER_UNAVAILABLE', kind: 'unavailable' });
    expect(inserted).toEqual([]);
  });

  it('refuses text over 4 MiB before asking the analyzer', async () => {
    const analyzer = new FakeSqlAnalyzer();
    const { run } = submitter(0, analyzer);
    expect(
      await codeOf(run({ name: 'q', spec: { statement: `SELECT '${'x'.repeat(4 * 1024 * 1024)}'` } })),
    ).toBe('SQL_TOO_LARGE');
    expect(analyzer.analyzed).toEqual([]);
  });

  it('takes table.local-time-zone as sql.local-time-zone', async () => {
    const { run, inserted } = submitter(0);
    await run({
      name: 'q1',
      spec: { statement: 'SELECT 1', properties: { 'table.local-time-zone': 'UTC' } },
    });
    expect(inserted).toEqual([expect.objectContaining({ properties: { 'sql.local-time-zone': 'UTC' } })]);
    expect(
      await codeOf(
        submitter(0).run({
          name: 'q2',
          spec: {
            statement: 'SELECT 1',
            properties: { 'table.local-time-zone': 'UTC', 'sql.local-time-zone': 'Europe/Berlin' },
          },
        }),
      ),
    ).toBe('INVALID_FIELD');
  });
});
