import type { PrepareStatementTables } from '../catalog/prepare-statement-tables';
import type { PoolAdmission } from '../compute/compute-pool.ports';
import type { StatementEngines } from '../compute/fleet.ports';
import type { JobRecovery } from '../compute/job-recovery';
import { RiffleError } from '@riffle/domain';
import { InMemoryResultStore, RecordingResultsQueue } from '@riffle/testing';
import {
  type ReconcileDependencies,
  ReconcileStatement,
  SUBMITTING_DETAIL,
} from './reconcile-statement.use-case';
import type { StatementEngine } from './statement-engine.port';
import type { StatementRecord, StatementRepository, StatusPatch } from './statement.ports';

/** a reconcile pass with the given ports; results go to an in-memory store and queue */
function reconcileWith(
  deps: Pick<ReconcileDependencies, 'statements' | 'engines'> & Partial<ReconcileDependencies>,
): ReconcileStatement {
  return new ReconcileStatement(
    {
      tables: {} as PrepareStatementTables,
      admission: {} as PoolAdmission,
      results: new InMemoryResultStore(),
      resultsQueue: new RecordingResultsQueue(),
      ...deps,
    },
    { observeEveryMs: 5_000 },
  );
}

describe('ReconcileStatement', () => {
  it('bills a bounded job that finished before it was ever seen RUNNING', async () => {
    const patches: StatusPatch[] = [];
    const statement = {
      uid: 'u',
      executionMode: 'background',
      phase: 'PENDING',
      stopped: false,
      jobId: 'job-1',
      cellId: null,
      currentCfu: 0,
      startTime: null,
      savepointPath: null,
      detail: 'Submitted to Flink.',
    } as unknown as StatementRecord;
    const statements = {
      findByUid: () => Promise.resolve(statement),
      recordStatus: (_uid: string, patch: StatusPatch) => {
        patches.push(patch);
        return Promise.resolve();
      },
    } as unknown as StatementRepository;
    const engine = {
      findJobs: () => Promise.resolve([{ id: 'job-1', state: 'FINISHED' }]),
      slots: () => Promise.resolve(2),
    } as unknown as StatementEngine;
    const engines = { forCell: () => Promise.resolve(engine) } as unknown as StatementEngines;
    const reconcile = reconcileWith({ statements, engines });
    expect(await reconcile.execute('u')).toEqual({ done: true });
    expect(patches).toEqual([
      { currentCfu: 2, startTime: expect.any(Date) },
      expect.objectContaining({ phase: 'COMPLETED', currentCfu: 0, endTime: expect.any(Date) }),
    ]);
  });

  it('restores a job that vanished from its cell from the newest checkpoint, not from scratch', async () => {
    const submitted: { savepointPath: string | null; properties: Record<string, string> }[] = [];
    const statement = {
      uid: 'u',
      executionMode: 'background',
      phase: 'RUNNING',
      stopped: false,
      jobId: 'job-1',
      cellId: 'cell-0',
      computePoolId: null,
      currentCfu: 1,
      admittedCfu: 1,
      startTime: new Date(),
      savepointPath: null,
      properties: {},
      statement: 'INSERT INTO b SELECT * FROM a',
      detail: 'The Flink job is running.',
    } as unknown as StatementRecord;
    const statements = {
      findByUid: () => Promise.resolve(statement),
      recordStatus: () => Promise.resolve(),
    } as unknown as StatementRepository;
    const engine = {
      findJobs: () => Promise.resolve([]),
      submitBackground: (input: { savepointPath: string | null; properties: Record<string, string> }) => {
        submitted.push(input);
        return Promise.resolve({ jobId: 'job-2' });
      },
    } as unknown as StatementEngine;
    const engines = { forCell: () => Promise.resolve(engine) } as unknown as StatementEngines;
    const recovery = {
      latestCheckpoint: (cellId: string, jobId: string) =>
        Promise.resolve(`file:///ck/${cellId}/${jobId}/chk-3`),
    } as unknown as JobRecovery;
    const reconcile = reconcileWith({
      statements,
      engines,
      tables: {
        execute: (s: { statement: string }) =>
          Promise.resolve({ setupStatements: [], statement: s.statement }),
      } as unknown as PrepareStatementTables,
      recovery,
    });
    await reconcile.execute('u');
    expect(submitted.map((s) => s.savepointPath)).toEqual(['file:///ck/cell-0/job-1/chk-3']);
  });

  it.each([
    ['a running job', [{ id: 'job-1', state: 'RUNNING' }], ['job-1']],
    ['a job that ended', [{ id: 'job-1', state: 'FINISHED' }], []],
  ])(
    'fails a PENDING query whose pass died after submitting it, before its stream existed (%s)',
    async (_, jobs, cancelledJobs) => {
      const patches: StatusPatch[] = [];
      const exceptions: string[] = [];
      const cancelled: string[] = [];
      const statement = {
        uid: 'u',
        executionMode: 'foreground',
        sqlKind: 'SELECT',
        traits: { sql_kind: 'SELECT' },
        phase: 'PENDING',
        stopped: false,
        jobId: 'job-1',
        cellId: 'cell-0',
        statement: 'SELECT * FROM a',
        properties: {},
      } as unknown as StatementRecord;
      const statements = {
        findByUid: () => Promise.resolve(statement),
        recordStatus: (_uid: string, patch: StatusPatch) => {
          patches.push(patch);
          return Promise.resolve();
        },
        addException: (_uid: string, code: string) => {
          exceptions.push(code);
          return Promise.resolve();
        },
      } as unknown as StatementRepository;
      const engine = {
        findJobs: () => Promise.resolve(jobs),
        cancel: (id: string) => {
          cancelled.push(id);
          return Promise.resolve();
        },
      } as unknown as StatementEngine;
      const engines = { forCell: () => Promise.resolve(engine) } as unknown as StatementEngines;
      const reconcile = reconcileWith({ statements, engines });
      expect(await reconcile.execute('u')).toEqual({ done: true });
      expect(cancelled).toEqual(cancelledJobs);
      expect(exceptions).toEqual(['RESULTS_LOST']);
      expect(patches).toEqual([
        expect.objectContaining({ phase: 'FAILED', detail: expect.stringMatching(/submit it again/) }),
      ]);
    },
  );

  describe('the submission lease', () => {
    const setUp = (detail: string, updatedAt: Date, submit: () => Promise<{ jobId: string }>) => {
      const patches: StatusPatch[] = [];
      const submitted: string[] = [];
      const statement = {
        uid: 'u',
        executionMode: 'background',
        phase: 'PENDING',
        stopped: false,
        jobId: null,
        cellId: 'cell-0',
        computePoolId: null,
        currentCfu: 0,
        admittedCfu: 1,
        startTime: null,
        savepointPath: null,
        properties: {},
        statement: 'INSERT INTO b SELECT * FROM a',
        detail,
        updatedAt,
      } as unknown as StatementRecord;
      const statements = {
        findByUid: () => Promise.resolve(statement),
        recordStatus: (_uid: string, patch: StatusPatch) => {
          patches.push(patch);
          return Promise.resolve();
        },
        addException: () => Promise.resolve(),
      } as unknown as StatementRepository;
      const engine = {
        findJobs: () => Promise.resolve([]),
        submitBackground: () => {
          submitted.push('u');
          return submit();
        },
      } as unknown as StatementEngine;
      const engines = { forCell: () => Promise.resolve(engine) } as unknown as StatementEngines;
      const reconcile = reconcileWith({
        statements,
        engines,
        tables: {
          execute: (s: { statement: string }) =>
            Promise.resolve({ setupStatements: [], statement: s.statement }),
        } as unknown as PrepareStatementTables,
        admission: { admit: () => Promise.resolve({ admitted: true }) } as unknown as PoolAdmission,
      });
      return { reconcile, patches, submitted };
    };

    it('marks a statement while it submits it, and records the job after', async () => {
      const { reconcile, patches, submitted } = setUp('Waiting.', new Date(), () =>
        Promise.resolve({ jobId: 'job-1' }),
      );
      await reconcile.execute('u');
      expect(submitted).toEqual(['u']);
      expect(patches[0]).toEqual({ detail: SUBMITTING_DETAIL });
      expect(patches[1]).toMatchObject({ jobId: 'job-1', phase: 'PENDING' });
    });

    it('does not submit again while a dead pass’s submission may still become a job', async () => {
      const { reconcile, submitted } = setUp(SUBMITTING_DETAIL, new Date(Date.now() - 10_000), () =>
        Promise.resolve({ jobId: 'job-2' }),
      );
      expect(await reconcile.execute('u')).toEqual({ recheckInMs: expect.any(Number) });
      expect(submitted).toEqual([]);
    });

    it('submits again once the lease has expired', async () => {
      const { reconcile, submitted } = setUp(SUBMITTING_DETAIL, new Date(Date.now() - 120_000), () =>
        Promise.resolve({ jobId: 'job-2' }),
      );
      await reconcile.execute('u');
      expect(submitted).toEqual(['u']);
    });

    it.each([
      ['an answer ends the submission', 'fetch failed', 'Submitting to Flink failed; trying again.'],
      ['a timeout keeps the lease', 'The operation was aborted due to timeout', undefined],
    ])('%s', async (_, cause, detail) => {
      const { reconcile, patches } = setUp('Waiting.', new Date(), () =>
        Promise.reject(new RiffleError('FLINK_UNAVAILABLE', 'unavailable', 'down', { cause })),
      );
      await expect(reconcile.execute('u')).rejects.toMatchObject({ code: 'FLINK_UNAVAILABLE' });
      expect(patches.map((p) => p.detail)).toEqual([SUBMITTING_DETAIL, ...(detail ? [detail] : [])]);
    });
  });
});
