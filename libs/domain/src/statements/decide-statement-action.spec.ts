import { decideStatementAction, type ObservedJobs, type StatementSnapshot } from './decide-statement-action';

const base: StatementSnapshot = {
  phase: 'PENDING',
  stopped: false,
  jobId: null,
  savepointPath: null,
};
const none: ObservedJobs = { jobs: [] };
const jobs = (...list: [string, ObservedJobs['jobs'][number]['state']][]): ObservedJobs => ({
  jobs: list.map(([id, state]) => ({ id, state })),
});

describe('decideStatementAction', () => {
  it.each<[string, Partial<StatementSnapshot>, ObservedJobs, ReturnType<typeof decideStatementAction>]>([
    ['a new statement is submitted', {}, none, { type: 'submit', savepointPath: null }],
    [
      'a resume restores from the savepoint',
      { phase: 'STOPPED', savepointPath: '/sp/1' },
      none,
      { type: 'submit', savepointPath: '/sp/1' },
    ],
    [
      'a job Riffle did not record is adopted, not started twice',
      {},
      jobs(['j1', 'RUNNING']),
      { type: 'adopt', jobId: 'j1' },
    ],
    [
      'the recorded running job makes the phase RUNNING',
      { jobId: 'j1' },
      jobs(['j1', 'RUNNING']),
      { type: 'set-phase', phase: 'RUNNING', detail: 'The Flink job is running.' },
    ],
    [
      'a steady running statement needs nothing',
      { jobId: 'j1', phase: 'RUNNING' },
      jobs(['j1', 'RUNNING']),
      { type: 'none' },
    ],
    [
      'a restarting job is still live',
      { jobId: 'j1', phase: 'RUNNING' },
      jobs(['j1', 'RESTARTING']),
      { type: 'none' },
    ],
    [
      'two live jobs: the unrecorded one is cancelled',
      { jobId: 'j1', phase: 'RUNNING' },
      jobs(['j2', 'RUNNING'], ['j1', 'RUNNING']),
      { type: 'cancel', jobIds: ['j2'] },
    ],
    [
      'stop requested with a live job: stop with savepoint',
      { jobId: 'j1', phase: 'RUNNING', stopped: true },
      jobs(['j1', 'RUNNING']),
      { type: 'stop-with-savepoint', jobId: 'j1' },
    ],
    [
      'stop requested, no live job: STOPPED',
      { jobId: 'j1', phase: 'STOPPING', stopped: true },
      jobs(['j1', 'FINISHED']),
      { type: 'set-phase', phase: 'STOPPED', detail: 'Stopped by request.' },
    ],
    [
      'created stopped: STOPPED without a job',
      { stopped: true },
      none,
      { type: 'set-phase', phase: 'STOPPED', detail: 'Stopped by request.' },
    ],
    ['stopped and STOPPED: nothing', { stopped: true, phase: 'STOPPED' }, none, { type: 'none' }],
    [
      'a finished bounded job completes the statement',
      { jobId: 'j1', phase: 'RUNNING' },
      jobs(['j1', 'FINISHED']),
      { type: 'set-phase', phase: 'COMPLETED', detail: 'The statement ran to completion.' },
    ],
    [
      'a failed job fails the statement with its exceptions',
      { jobId: 'j1', phase: 'RUNNING' },
      jobs(['j1', 'FAILED']),
      { type: 'set-phase', phase: 'FAILED', detail: 'The Flink job failed.', jobFailed: 'j1' },
    ],
    [
      'deleting cancels live jobs first',
      { phase: 'DELETING', jobId: 'j1' },
      jobs(['j1', 'RUNNING']),
      { type: 'cancel', jobIds: ['j1'] },
    ],
    [
      'deleting without live jobs deletes',
      { phase: 'DELETING', jobId: 'j1' },
      jobs(['j1', 'CANCELED']),
      { type: 'delete' },
    ],
    [
      'a completed statement stays completed',
      { phase: 'COMPLETED', jobId: 'j1' },
      jobs(['j1', 'FINISHED']),
      { type: 'none' },
    ],
    ['a failed statement stays failed', { phase: 'FAILED', jobId: 'j1' }, none, { type: 'none' }],
    [
      'a vanished job with a savepoint is restored from it',
      { phase: 'RUNNING', jobId: 'j1', savepointPath: '/sp/2' },
      none,
      { type: 'submit', savepointPath: '/sp/2' },
    ],
  ])('%s', (_title, snapshot, observed, expected) => {
    expect(decideStatementAction({ ...base, ...snapshot }, observed)).toEqual(expected);
  });

  it('resumes a stopped statement from its savepoint although its old job FINISHED', () => {
    const action = decideStatementAction(
      { ...base, phase: 'STOPPED', jobId: 'j1', savepointPath: '/sp/3' },
      jobs(['j1', 'FINISHED']),
    );
    expect(action).toEqual({ type: 'submit', savepointPath: '/sp/3' });
  });

  it('waits for Flink to report RUNNING before the statement is RUNNING', () => {
    expect(decideStatementAction({ ...base, jobId: 'j1' }, jobs(['j1', 'INITIALIZING']))).toEqual({
      type: 'none',
    });
    expect(decideStatementAction({ ...base, jobId: 'j1' }, jobs(['j1', 'CREATED']))).toEqual({
      type: 'none',
    });
  });

  it('never restarts a vanished job from scratch', () => {
    const action = decideStatementAction({ ...base, phase: 'RUNNING', jobId: 'j1' }, none);
    expect(action).toMatchObject({ type: 'set-phase', phase: 'FAILED' });
  });

  it('a job cancelled outside Riffle fails the statement with a way out', () => {
    const action = decideStatementAction(
      { ...base, phase: 'RUNNING', jobId: 'j1' },
      jobs(['j1', 'CANCELED']),
    );
    expect(action).toMatchObject({ type: 'set-phase', phase: 'FAILED' });
    expect(action.type === 'set-phase' && action.detail).toMatch(/stop and resume/);
  });

  it('never answers submit while any job is live, whatever the recorded state', () => {
    const phases = ['PENDING', 'RUNNING', 'STOPPING', 'STOPPED', 'DEGRADED', 'FAILING'] as const;
    for (const phase of phases) {
      for (const stopped of [false, true]) {
        for (const jobId of [null, 'j1', 'other']) {
          const action = decideStatementAction({ ...base, phase, stopped, jobId }, jobs(['j1', 'RUNNING']));
          expect(action.type).not.toBe('submit');
        }
      }
    }
  });

  it('fails a restarting job at once when its newest failure is the user’s own', () => {
    const failure = {
      name: 'java.lang.NumberFormatException',
      message: "NumberFormatException: For input string: 'x'",
      kind: 'USER' as const,
      count: 2,
      timestamp: 1,
    };
    const action = decideStatementAction(
      { ...base, phase: 'RUNNING', jobId: 'j1' },
      { ...jobs(['j1', 'RESTARTING']), userFailure: failure },
    );
    expect(action).toEqual({ type: 'fail', jobId: 'j1', failure });
    // a stop request still wins: the user asked for it
    expect(
      decideStatementAction(
        { ...base, phase: 'RUNNING', jobId: 'j1', stopped: true },
        { ...jobs(['j1', 'RESTARTING']), userFailure: failure },
      ),
    ).toEqual({ type: 'stop-with-savepoint', jobId: 'j1' });
  });
});
