import {
  InMemoryResultStore,
  InMemoryStatements,
  RecordingResultsQueue,
  ScriptedQueryEngine,
} from '@riffle/testing';
import type { PrepareStatementTables } from '../catalog/prepare-statement-tables';
import type { PoolAdmission } from '../compute/compute-pool.ports';
import type { StatementEngines } from '../compute/fleet.ports';
import { ReconcileStatement } from './reconcile-statement.use-case';

const scope = { organizationId: 'org-1', environmentId: 'env-1' };

function setUp() {
  const statements = new InMemoryStatements();
  const results = new InMemoryResultStore();
  const resultsQueue = new RecordingResultsQueue();
  const engine = new ScriptedQueryEngine();
  const engines: StatementEngines = { forCell: async () => engine };
  const tables = {
    execute: async (s: { statement: string }) => ({ setupStatements: [], statement: s.statement }),
  } as unknown as PrepareStatementTables;
  const admission = { admit: async () => ({ admitted: true }) } as unknown as PoolAdmission;
  const reconcile = new ReconcileStatement(
    { statements, engines, tables, admission, results, resultsQueue },
    { observeEveryMs: 5_000 },
  );
  return { statements, results, resultsQueue, engine, reconcile };
}

describe('ReconcileStatement (queries)', () => {
  it('starts a query, hands its stream to the results service and returns without reading a row', async () => {
    const { statements, results, resultsQueue, engine, reconcile } = setUp();
    statements.add({ uid: 'q', phase: 'PENDING', executionMode: 'foreground', statement: 'SELECT * FROM t' });
    expect(await reconcile.execute('q')).toEqual({ done: true });
    expect(engine.started).toEqual([{ jobName: 'q', statement: 'SELECT * FROM t' }]);
    expect(engine.fetched).toEqual([]);
    expect(await results.find('q')).toMatchObject({ state: 'OPEN', jobId: 'job-1', nextToken: 0 });
    expect(statements.records.get('q')).toMatchObject({ phase: 'RUNNING', jobId: 'job-1', currentCfu: 1 });
    expect(resultsQueue.queued).toEqual([{ uid: 'q', organizationId: 'org-1', resumed: false }]);
  });

  it('makes sure a running query’s stream has a step queued (a stop request, a sweep after Redis lost it)', async () => {
    const { statements, resultsQueue, engine, reconcile } = setUp();
    statements.add({ uid: 'q', phase: 'RUNNING', executionMode: 'foreground', stopped: true });
    expect(await reconcile.execute('q')).toEqual({ done: true });
    expect(resultsQueue.queued).toEqual([{ uid: 'q', organizationId: 'org-1', resumed: true }]);
    expect(engine.closed).toEqual([]);
  });

  it('carries on a stream a dead pass opened before it could record RUNNING, starting nothing twice', async () => {
    const { statements, results, resultsQueue, engine, reconcile } = setUp();
    statements.add({ uid: 'q', phase: 'PENDING', executionMode: 'foreground' });
    await results.open({ statementUid: 'q', scope, cellId: null, gatewayRef: { op: 1 }, jobId: 'job-7' });
    engine.jobs = [{ id: 'job-7', state: 'RUNNING' }];
    await reconcile.execute('q');
    expect(engine.started).toEqual([]);
    expect(statements.records.get('q')).toMatchObject({ phase: 'RUNNING', jobId: 'job-7' });
    expect(resultsQueue.queued).toHaveLength(1);
  });

  it('deletes a running query: its gateway operation is closed (cancelling the job), then the row', async () => {
    const { statements, results, engine, reconcile } = setUp();
    statements.add({ uid: 'q', phase: 'DELETING', executionMode: 'foreground' });
    await results.open({ statementUid: 'q', scope, cellId: null, gatewayRef: { op: 1 }, jobId: 'job-1' });
    expect(await reconcile.execute('q')).toEqual({ done: true });
    expect(engine.closed).toEqual([{ ref: { op: 1 }, jobId: 'job-1' }]);
    expect(statements.records.has('q')).toBe(false);
  });

  it('fails a background statement whose job restarts on a user error, once, with the cause counted', async () => {
    const { statements, engine, reconcile } = setUp();
    statements.add({
      uid: 'i',
      phase: 'RUNNING',
      executionMode: 'background',
      sqlKind: 'INSERT',
      jobId: 'job-1',
      currentCfu: 1,
    });
    engine.jobs = [{ id: 'job-1', state: 'RESTARTING' }];
    engine.failureHistory = [1, 2].map((timestamp) => ({
      rootClass: 'java.lang.ArithmeticException',
      message: 'ArithmeticException: / by zero',
      timestamp,
    }));
    expect(await reconcile.execute('i')).toEqual({ done: true });
    expect(engine.cancelled).toEqual(['job-1']);
    expect(statements.records.get('i')).toMatchObject({
      phase: 'FAILED',
      currentCfu: 0,
      detail: expect.stringMatching(/user error.*\/ by zero/),
    });
    expect(statements.exceptionsOf('i')).toEqual([
      expect.objectContaining({ message: 'ArithmeticException: / by zero', count: 2, kind: 'USER' }),
    ]);
  });

  it('lets a background job restart after a system failure', async () => {
    const { statements, engine, reconcile } = setUp();
    statements.add({ uid: 'i', phase: 'RUNNING', executionMode: 'background', jobId: 'job-1' });
    engine.jobs = [{ id: 'job-1', state: 'RESTARTING' }];
    engine.failureHistory = [{ rootClass: 'java.net.ConnectException', message: 'refused', timestamp: 1 }];
    expect(await reconcile.execute('i')).toEqual({ recheckInMs: 5_000 });
    expect(engine.cancelled).toEqual([]);
  });
});
