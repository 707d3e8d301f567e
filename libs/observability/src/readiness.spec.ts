import { checkReadiness, DependencyProbe } from './readiness';

class FakeProbe extends DependencyProbe {
  constructor(
    readonly name: string,
    private readonly behaviour: 'up' | 'down' | 'hang',
  ) {
    super();
  }

  check(): Promise<void> {
    if (this.behaviour === 'up') return Promise.resolve();
    if (this.behaviour === 'down') return Promise.reject(new Error(`${this.name} refused`));
    return new Promise(() => undefined);
  }
}

describe('checkReadiness', () => {
  it('is ready when every dependency answers', async () => {
    const report = await checkReadiness([new FakeProbe('a', 'up'), new FakeProbe('b', 'up')]);
    expect(report.status).toBe('ready');
    expect(report.dependencies.map((d) => d.status)).toEqual(['up', 'up']);
  });

  it('names the failing dependency and its reason', async () => {
    const report = await checkReadiness([new FakeProbe('a', 'up'), new FakeProbe('kafka', 'down')]);
    expect(report.status).toBe('not_ready');
    expect(report.dependencies[1]).toMatchObject({ name: 'kafka', status: 'down', reason: 'kafka refused' });
  });

  it('does not hang on a dependency that never answers', async () => {
    const started = Date.now();
    const report = await checkReadiness([new FakeProbe('slow', 'hang')]);
    expect(report.dependencies[0]).toMatchObject({ status: 'down', reason: 'no answer within 3000 ms' });
    expect(Date.now() - started).toBeLessThan(4_500);
  });
});
