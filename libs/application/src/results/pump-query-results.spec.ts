import { RiffleError } from '@riffle/domain';
import { InMemoryResultStore, InMemoryStatements, ScriptedQueryEngine } from '@riffle/testing';
import type { StatementEngines } from '../compute/fleet.ports';
import type { ResultRow } from '../statements/statement.ports';
import { PumpQueryResults, type PumpOptions } from './pump-query-results.use-case';

const row = (n: number): ResultRow => ({ op: 0, row: [n] });
const rows = (from: number, count: number) => Array.from({ length: count }, (_, i) => row(from + i));
const page = (list: ResultRow[], nextToken: number | null) => ({ rows: list, nextToken, notReady: false });
const scope = { organizationId: 'org-1', environmentId: 'env-1' };

function setUp(options: Partial<PumpOptions> = {}) {
  const statements = new InMemoryStatements();
  const results = new InMemoryResultStore();
  const engine = new ScriptedQueryEngine();
  const engines: StatementEngines = { forCell: async () => engine };
  const pump = new PumpQueryResults(statements, results, engines, {
    idleTimeoutMs: 300_000,
    limits: { maxRowsPerQuery: 1_000, maxBytesPerQuery: 1_000_000, maxBytesPerEnvironment: 10_000_000 },
    maxPagesPerStep: 20,
    stepBudgetMs: 60_000,
    ...options,
  });
  const statement = statements.add({
    uid: 'q',
    phase: 'RUNNING',
    executionMode: 'foreground',
    jobId: 'job-1',
  });
  const open = () =>
    results.open({ statementUid: 'q', scope, cellId: null, gatewayRef: { op: 'o-1' }, jobId: 'job-1' });
  const kept = () => (results.pages.get('q') ?? []).flatMap((p) => p.rows.map((r) => r.row[0]));
  /** the stream's last rows came this long ago */
  const quietFor = (ms: number) => {
    const stream = results.streams.get('q')!;
    results.streams.set('q', { ...stream, lastRowsAt: new Date(Date.now() - ms) });
  };
  return { statements, results, engine, pump, statement, open, kept, quietFor };
}

describe('PumpQueryResults', () => {
  it('moves pages into results until the query ends, then completes it and closes its operation', async () => {
    const { pump, engine, open, kept, statements, results } = setUp();
    await open();
    engine.pages = [page(rows(1, 2), 1), page([], 2), page(rows(3, 1), 3), page([], null)];
    // an empty page ends a step: rows are not there yet, look again shortly
    expect(await pump.execute('q')).toEqual({ recheckInMs: expect.any(Number) });
    expect(await pump.execute('q')).toEqual({ done: true });
    expect(kept()).toEqual([1, 2, 3]);
    expect(engine.fetched).toEqual([0, 1, 2, 3]);
    expect(statements.records.get('q')).toMatchObject({ phase: 'COMPLETED', currentCfu: 0 });
    expect(engine.closed).toHaveLength(1);
    expect((await results.find('q'))?.state).toBe('ENDED');
    expect((await results.page('q', 2))?.last).toBe(true);
  });

  it('takes a bounded number of pages per step and asks to run again at once while rows keep coming', async () => {
    const { pump, engine, open, kept } = setUp({ maxPagesPerStep: 2 });
    await open();
    engine.pages = [page(rows(1, 1), 1), page(rows(2, 1), 2), page(rows(3, 1), 3)];
    expect(await pump.execute('q')).toEqual({ recheckInMs: 0 });
    expect(kept()).toEqual([1, 2]);
    // the third page, then nothing new: look again after a pause
    expect(await pump.execute('q')).toEqual({ recheckInMs: 500 });
    expect(kept()).toEqual([1, 2, 3]);
  });

  it('continues from the stored token in a later step (any replica), never storing a page twice', async () => {
    const { pump, engine, open, kept, results } = setUp({ maxPagesPerStep: 1 });
    await open();
    engine.pages = [page(rows(1, 2), 1), page(rows(3, 2), 2)];
    await pump.execute('q');
    // a step of a replica thought dead tries to store the first page again: refused
    expect(await results.append('q', 0, { rows: rows(1, 2), bytes: 10, last: false }, 1)).toBe(false);
    await pump.execute('q');
    expect(kept()).toEqual([1, 2, 3, 4]);
    expect(engine.fetched).toEqual([0, 1]);
  });

  it('stops a query at its row cap, keeping exactly the cap, and marks its results truncated', async () => {
    const { pump, engine, open, kept, statements, results } = setUp({
      limits: { maxRowsPerQuery: 5, maxBytesPerQuery: 1_000_000, maxBytesPerEnvironment: 10_000_000 },
    });
    await open();
    engine.pages = [page(rows(1, 3), 1), page(rows(4, 3), 2)];
    expect(await pump.execute('q')).toEqual({ done: true });
    expect(kept()).toEqual([1, 2, 3, 4, 5]);
    expect(statements.records.get('q')).toMatchObject({
      phase: 'STOPPED',
      detail: expect.stringMatching(/cap of 5 rows per query \(RESULTS_ROW_CAP\)/),
    });
    expect((await results.find('q'))?.truncation).toBe('RESULTS_ROW_CAP');
    expect(engine.closed).toHaveLength(1);
  });

  it('stops a query once its environment’s kept results are full', async () => {
    const { pump, engine, open, results, statements } = setUp({
      limits: { maxRowsPerQuery: 1_000, maxBytesPerQuery: 1_000_000, maxBytesPerEnvironment: 2_000 },
    });
    await results.writeAll('other', scope, [{ rows: [row(0)], bytes: 2_000, last: true }]);
    await open();
    engine.pages = [page(rows(1, 1), 1)];
    expect(await pump.execute('q')).toEqual({ done: true });
    expect((await results.find('q'))?.truncation).toBe('RESULTS_STORAGE_FULL');
    expect(statements.records.get('q')?.phase).toBe('STOPPED');
    expect(engine.fetched).toEqual([]);
  });

  it('stops a query its user stopped, and one nobody read for the idle timeout', async () => {
    const stopped = setUp();
    await stopped.open();
    stopped.statements.add({ ...stopped.statement, stopped: true });
    expect(await stopped.pump.execute('q')).toEqual({ done: true });
    expect(stopped.statements.records.get('q')).toMatchObject({
      phase: 'STOPPED',
      detail: 'Stopped by request.',
    });

    const idle = setUp({ idleTimeoutMs: 1_000 });
    await idle.open();
    idle.statements.add({ ...idle.statement, lastReadAt: new Date(Date.now() - 5_000) });
    expect(await idle.pump.execute('q')).toEqual({ done: true });
    expect(idle.statements.records.get('q')?.detail).toMatch(/nobody read its results/);
  });

  it('fails a query whose job keeps failing on a user error at once, with Flink’s root cause, counted once', async () => {
    const { pump, engine, open, statements, quietFor } = setUp();
    await open();
    quietFor(5_000);
    engine.pages = [page([], 1)];
    engine.state = 'RESTARTING';
    const cast = "NumberFormatException: For input string: 'x'";
    engine.failureHistory = [1, 2, 3].map((t) => ({
      rootClass: 'java.lang.NumberFormatException',
      message: cast,
      timestamp: t,
    }));
    expect(await pump.execute('q')).toEqual({ done: true });
    expect(statements.records.get('q')).toMatchObject({
      phase: 'FAILED',
      detail: expect.stringContaining(cast),
    });
    expect(statements.exceptionsOf('q')).toEqual([
      expect.objectContaining({
        name: 'java.lang.NumberFormatException',
        message: cast,
        count: 3,
        kind: 'USER',
      }),
    ]);
    // cancelled outright: closing the operation alone would wait for tasks that never start
    expect(engine.cancelled).toEqual(['job-1']);
    expect(engine.closed).toHaveLength(1);
  });

  it('lets a job restart after a system failure (Flink’s restart strategy may recover it)', async () => {
    const { pump, engine, open, statements, quietFor } = setUp();
    await open();
    quietFor(5_000);
    engine.pages = [page([], 1)];
    engine.state = 'RESTARTING';
    engine.failureHistory = [
      { rootClass: 'java.util.concurrent.TimeoutException', message: 'lost', timestamp: 1 },
    ];
    expect(await pump.execute('q')).toEqual({ recheckInMs: expect.any(Number) });
    expect(statements.records.get('q')?.phase).toBe('RUNNING');
  });

  it('fails a query whose job failed with the job’s own cause when the gateway reports the failure', async () => {
    const { pump, engine, open, statements } = setUp();
    await open();
    engine.pages = [new RiffleError('QUERY_JOB_FAILED', 'invalid', 'failed')];
    engine.state = 'FAILED';
    engine.failureHistory = [
      { rootClass: 'java.lang.ArithmeticException', message: '/ by zero', timestamp: 1 },
    ];
    expect(await pump.execute('q')).toEqual({ done: true });
    expect(statements.records.get('q')?.detail).toMatch(/\/ by zero/);
  });

  it('fails a query whose gateway lost the operation with RESULTS_LOST and cancels its job', async () => {
    const { pump, engine, open, statements } = setUp();
    await open();
    engine.pages = [new RiffleError('QUERY_RESULTS_GONE', 'not_found', 'gone')];
    expect(await pump.execute('q')).toEqual({ done: true });
    expect(statements.records.get('q')).toMatchObject({
      phase: 'FAILED',
      detail: expect.stringMatching(/lost/),
    });
    expect(statements.exceptionsOf('q').map((e) => e.name)).toEqual(['RESULTS_LOST']);
    expect(engine.cancelled).toEqual(['job-1']);
  });

  it('does not ask Flink about a stream whose rows arrived just now', async () => {
    const { pump, engine, open } = setUp();
    await open();
    engine.pages = [page(rows(1, 1), 1)];
    engine.state = 'RESTARTING';
    engine.failureHistory = [
      { rootClass: 'java.lang.ArithmeticException', message: '/ by zero', timestamp: 1 },
    ];
    expect(await pump.execute('q')).toEqual({ recheckInMs: 500 });
  });

  it('rethrows when Flink does not answer, so the step is retried with backoff', async () => {
    const { pump, engine, open } = setUp();
    await open();
    engine.pages = [new RiffleError('FLINK_UNAVAILABLE', 'unavailable', 'down')];
    await expect(pump.execute('q')).rejects.toMatchObject({ code: 'FLINK_UNAVAILABLE' });
  });

  it('does nothing for a statement that is gone, not running, or whose stream already ended', async () => {
    const { pump, engine, open, statements, results } = setUp();
    expect(await pump.execute('missing')).toEqual({ done: true });
    await open();
    await results.end('q');
    expect(await pump.execute('q')).toEqual({ done: true });
    statements.add({ uid: 'q', phase: 'DELETING' });
    expect(await pump.execute('q')).toEqual({ done: true });
    expect(engine.fetched).toEqual([]);
  });
});
