import type { PrepareStatementTables } from '../catalog/prepare-statement-tables';
import type { PoolAdmission } from '../compute/compute-pool.ports';
import type { StatementEngines } from '../compute/fleet.ports';
import { ReconcileStatement } from './reconcile-statement.use-case';
import type { StatementEngine } from './statement-engine.port';
import type { StatementRecord, StatementRepository, StatusPatch } from './statement.ports';

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
    const reconcile = new ReconcileStatement(
      statements,
      engines,
      {} as PrepareStatementTables,
      {} as PoolAdmission,
      { idleResultsTimeoutMs: 300_000, observeEveryMs: 5_000 },
    );
    expect(await reconcile.execute('u')).toEqual({ done: true });
    expect(patches).toEqual([
      { currentCfu: 2, startTime: expect.any(Date) },
      expect.objectContaining({ phase: 'COMPLETED', currentCfu: 0, endTime: expect.any(Date) }),
    ]);
  });
});
