import { INITIAL_SCALING_STATE, recordScaleDown, type ScalingState, windowMaxima } from './scale-down-window';

const record = (state: ScalingState, nowMs: number, proposals: Record<string, number>, restartedMs = 0) =>
  recordScaleDown(state, { nowMs, restartedMs, windowMs: 100, proposals });

describe('scale-down window', () => {
  it('starts a run at the first recommendation', () => {
    expect(record(INITIAL_SCALING_STATE, 10, { a: 3 })).toEqual({
      pendingScaleDown: { sinceMs: 10, recommendations: { a: [{ atMs: 10, parallelism: 3 }] } },
    });
  });

  it('keeps only recommendations that can still be the window maximum', () => {
    let state = record(INITIAL_SCALING_STATE, 0, { a: 5 });
    state = record(state, 10, { a: 3 });
    state = record(state, 20, { a: 4 }); // evicts 3: it can never be the max again
    expect(state.pendingScaleDown!.recommendations.a).toEqual([
      { atMs: 0, parallelism: 5 },
      { atMs: 20, parallelism: 4 },
    ]);
    expect(windowMaxima(state.pendingScaleDown!, 100, 100)).toEqual({ a: 5 });
    expect(windowMaxima(state.pendingScaleDown!, 101, 100)).toEqual({ a: 4 });
  });

  it('forgets recommendations older than the window, but keeps the run start', () => {
    let state = record(INITIAL_SCALING_STATE, 0, { a: 5 });
    state = record(state, 150, { a: 2 });
    expect(state).toEqual({
      pendingScaleDown: { sinceMs: 0, recommendations: { a: [{ atMs: 150, parallelism: 2 }] } },
    });
  });

  it('drops a run that began before the last restart', () => {
    const before = record(INITIAL_SCALING_STATE, 0, { a: 5 });
    expect(record(before, 50, { a: 2 }, 40).pendingScaleDown).toEqual({
      sinceMs: 50,
      recommendations: { a: [{ atMs: 50, parallelism: 2 }] },
    });
  });

  it('drops vertices the job no longer has', () => {
    const before = record(INITIAL_SCALING_STATE, 0, { a: 5, gone: 1 });
    expect(Object.keys(record(before, 10, { a: 4 }).pendingScaleDown!.recommendations)).toEqual(['a']);
  });
});
