import { DEFAULT_AUTOSCALER_OPTIONS, RiffleError } from '@riffle/domain';
import type { StatementEngine } from '../statements/statement-engine.port';
import type { StatementRecord, StatementRepository, StatusPatch } from '../statements/statement.ports';
import { AutoscaleStatement, type ScalingDecisionLog } from './autoscale-statement.use-case';
import type { PoolAdmission } from './compute-pool.ports';
import type { StatementEngines } from './fleet.ports';
import type { SourcePartitions } from './size-statement.use-case';
import { SizeStatement } from './size-statement.use-case';

/** A job at 1 CFU, 90% busy on a 4-partition topic: the autoscaler wants 2 CFU. */
function setUp(rescale: () => Promise<void>) {
  const calls: string[] = [];
  const patches: StatusPatch[] = [];
  const scaling: Record<string, unknown>[] = [];
  const engine = {
    scalingMetrics: () =>
      Promise.resolve({
        vertices: [
          {
            id: 'v1',
            name: 'Source: orders',
            parallelism: 1,
            maxParallelism: 128,
            isSource: true,
            busyTimeMsPerSecond: 900,
            backPressuredTimeMsPerSecond: 0,
            numRecordsInPerSecond: 900,
            numRecordsOutPerSecond: 900,
          },
        ],
        sourceLag: 0,
        startedMs: 0,
      }),
    rescale: () => {
      calls.push('rescale');
      return rescale();
    },
    stopWithSavepoint: () => {
      calls.push('stop-with-savepoint');
      return Promise.resolve('file:///sp/savepoint-1');
    },
  } as unknown as StatementEngine;
  const engines = { forCell: () => Promise.resolve(engine) } as unknown as StatementEngines;
  const statements = {
    recordStatus: (_uid: string, patch: StatusPatch) => {
      patches.push(patch);
      return Promise.resolve();
    },
    recordScaling: (_uid: string, s: Record<string, unknown>) => {
      scaling.push(s);
      return Promise.resolve();
    },
  } as unknown as StatementRepository;
  const admission = { freeCfu: () => Promise.resolve(10) } as unknown as PoolAdmission;
  const sources = { lookUp: () => Promise.resolve(new Map([['orders', 4]])) } as unknown as SourcePartitions;
  const log = { record: () => Promise.resolve() } as unknown as ScalingDecisionLog;
  const autoscaler = new AutoscaleStatement(engines, statements, admission, sources, log, {
    ...DEFAULT_AUTOSCALER_OPTIONS,
    intervalMs: 1,
  });
  const statement = {
    uid: 'u',
    executionMode: 'background',
    phase: 'RUNNING',
    jobId: 'job-1',
    cellId: 'cell-0',
    currentCfu: 1,
    scalingStatus: { scaling_state: 'OK' },
  } as unknown as StatementRecord;
  return { autoscaler, statement, calls, patches, scaling };
}

describe('AutoscaleStatement', () => {
  const now = 10 * 3_600_000;

  it('rescales in place through the adaptive scheduler', async () => {
    const { autoscaler, statement, calls, patches } = setUp(() => Promise.resolve());
    const decision = await autoscaler.execute(statement, now);
    expect([decision?.action, decision?.parallelism]).toEqual(['scale-up', 2]);
    expect(calls).toEqual(['rescale']);
    expect(patches).toEqual([]);
  });

  it('falls back to stop-with-savepoint and a restart at the decided size when Flink refuses', async () => {
    const refused = new RiffleError(
      'FLINK_REJECTED',
      'invalid',
      'resource requirements need the adaptive scheduler',
    );
    const { autoscaler, statement, calls, patches, scaling } = setUp(() => Promise.reject(refused));
    await autoscaler.execute(statement, now);
    expect(calls).toEqual(['rescale', 'stop-with-savepoint']);
    expect(patches).toEqual([
      expect.objectContaining({
        phase: 'PENDING',
        jobId: null,
        savepointPath: 'file:///sp/savepoint-1',
        currentCfu: 0,
      }),
    ]);
    expect(scaling.at(-1)).toMatchObject({ target_cfu: 2 });
    // the restart starts at the decided size
    const sizer = new SizeStatement({} as SourcePartitions, {} as never);
    const restarted = {
      ...statement,
      savepointPath: 'file:///sp/savepoint-1',
      scalingStatus: scaling.at(-1),
    };
    expect(await sizer.execute(restarted as unknown as StatementRecord)).toMatchObject({
      parallelism: 2,
      cfu: 2,
    });
  });

  it('leaves a transient failure to the retry', async () => {
    const unavailable = new RiffleError('FLINK_UNAVAILABLE', 'unavailable', 'no answer');
    const { autoscaler, statement, calls } = setUp(() => Promise.reject(unavailable));
    await expect(autoscaler.execute(statement, now)).rejects.toThrow('no answer');
    expect(calls).toEqual(['rescale']);
  });
});
