import type { JobDetails, JobManagerClient, JobState, SavepointStatus } from './job-manager.client';
import { FlinkStatementRunner } from './flink-statement-runner';
import type { SqlGatewayClient } from './sql-gateway.client';

const JOB = 'a'.repeat(32);
const NOT_RUNNING =
  'CheckpointException: Checkpoint triggering task Writer (2/2) of job aaaa is not being executed at the moment. ' +
  'Aborting checkpoint. Failure reason: Not all required tasks are currently running.';

type Subtasks = Partial<Record<string, number>>;
const RUNNING: Subtasks = { RUNNING: 2 };
/** what Flink reports while one subtask runs and the other deploys: the vertex already says RUNNING */
const HALF_DEPLOYED: Subtasks = { RUNNING: 1, DEPLOYING: 1 };
const RESTARTING: Subtasks = { CANCELING: 2 };

/**
 * A JobManager that answers each savepoint trigger with the next scripted outcome and each job lookup
 * with the next scripted job state and subtask counts of its one vertex (the last one repeats).
 */
function scriptedJobManager(savepoints: SavepointStatus[], states: [JobState, Subtasks][]) {
  const triggers: string[] = [];
  const jobManager = {
    stopWithSavepoint: async (jobId: string) => {
      triggers.push(jobId);
      return `trigger-${triggers.length}`;
    },
    savepointStatus: async (_jobId: string, triggerId: string) =>
      savepoints[Number(triggerId.slice('trigger-'.length)) - 1]!,
    job: async (): Promise<JobDetails> => {
      const [state, tasks] = states.length > 1 ? states.shift()! : states[0]!;
      const status = tasks.RUNNING ? 'RUNNING' : Object.keys(tasks)[0]!;
      const vertex = { id: 'v', name: 'Writer', parallelism: 2, status, tasks };
      return { jid: JOB, name: 'job', state, 'start-time': 0, 'end-time': -1, vertices: [vertex] };
    },
  };
  return { jobManager: jobManager as unknown as JobManagerClient, triggers };
}

const runnerWith = (jobManager: JobManagerClient, savepointTimeoutMs = 5_000) =>
  new FlinkStatementRunner({} as SqlGatewayClient, jobManager, { pollIntervalMs: 1, savepointTimeoutMs });

describe('FlinkStatementRunner.stop', () => {
  it('answers the savepoint of a job whose tasks all run', async () => {
    const { jobManager, triggers } = scriptedJobManager(
      [{ state: 'COMPLETED', location: 'file:/sp/savepoint-1' }],
      [['RUNNING', RUNNING]],
    );
    await expect(runnerWith(jobManager).stop(JOB)).resolves.toBe('file:/sp/savepoint-1');
    expect(triggers).toEqual([JOB]);
  });

  it('tries again once every subtask runs, instead of failing a stop that met a restarting job', async () => {
    const { jobManager, triggers } = scriptedJobManager(
      [
        { state: 'FAILED', reason: NOT_RUNNING },
        { state: 'COMPLETED', location: 'file:/sp/savepoint-2' },
      ],
      [
        ['RESTARTING', RESTARTING],
        ['RUNNING', HALF_DEPLOYED],
        ['RUNNING', RUNNING],
      ],
    );
    await expect(runnerWith(jobManager).stop(JOB)).resolves.toBe('file:/sp/savepoint-2');
    expect(triggers).toEqual([JOB, JOB]);
  });

  it('tries again once the subtasks run, counting one that finished (a bounded source) as ready', async () => {
    const { jobManager, triggers } = scriptedJobManager(
      [
        { state: 'FAILED', reason: NOT_RUNNING },
        { state: 'COMPLETED', location: 'file:/sp/savepoint-3' },
      ],
      [
        ['RUNNING', { FINISHED: 1, DEPLOYING: 1 }],
        ['RUNNING', { FINISHED: 1, RUNNING: 1 }],
      ],
    );
    await expect(runnerWith(jobManager, 60_000).stop(JOB)).resolves.toBe('file:/sp/savepoint-3');
    expect(triggers).toEqual([JOB, JOB]);
  });

  it('fails at once on any other savepoint failure', async () => {
    const { jobManager, triggers } = scriptedJobManager(
      [{ state: 'FAILED', reason: 'IOException: No space left on device' }],
      [['RUNNING', RUNNING]],
    );
    await expect(runnerWith(jobManager).stop(JOB)).rejects.toMatchObject({
      code: 'SAVEPOINT_FAILED',
      details: { jobId: JOB, reason: 'IOException: No space left on device' },
    });
    expect(triggers).toHaveLength(1);
  });

  it('fails when the job ends before its subtasks all run, naming how it ended', async () => {
    const { jobManager } = scriptedJobManager(
      [{ state: 'FAILED', reason: NOT_RUNNING }],
      [
        ['RESTARTING', RESTARTING],
        ['FAILED', { FAILED: 1, CANCELED: 1 }],
      ],
    );
    await expect(runnerWith(jobManager).stop(JOB)).rejects.toMatchObject({
      code: 'SAVEPOINT_FAILED',
      message: expect.stringContaining('the job ended FAILED before its tasks all ran'),
    });
  });

  it('gives up at the deadline when a subtask never runs, keeping Flink’s reason', async () => {
    const { jobManager } = scriptedJobManager(
      [{ state: 'FAILED', reason: NOT_RUNNING }],
      [['RUNNING', HALF_DEPLOYED]],
    );
    await expect(runnerWith(jobManager, 50).stop(JOB)).rejects.toMatchObject({
      code: 'SAVEPOINT_FAILED',
      message: expect.stringMatching(/Not all required tasks are currently running.*still so after 0\.05 s/),
    });
  });
});
