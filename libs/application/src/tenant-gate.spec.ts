import { setTimeout as sleep } from 'node:timers/promises';
import { TenantGate } from './tenant-gate';

/** a piece of work that finishes when told to */
function deferred() {
  let finish!: () => void;
  const done = new Promise<void>((r) => (finish = r));
  return { done, finish };
}

describe('TenantGate', () => {
  it('runs at most perTenant requests of one organization at once, the rest in arrival order', async () => {
    const gate = new TenantGate(2, 100);
    const order: number[] = [];
    const works = Array.from({ length: 5 }, () => deferred());
    const runs = works.map((w, i) =>
      gate.run('a', async () => {
        order.push(i);
        await w.done;
      }),
    );
    await sleep(0);
    expect(order).toEqual([0, 1]);
    expect(gate.load('a')).toEqual({ active: 2, waiting: 3 });
    works[1]!.finish();
    await sleep(0);
    expect(order).toEqual([0, 1, 2]);
    works.forEach((w) => w.finish());
    await Promise.all(runs);
    expect(order).toEqual([0, 1, 2, 3, 4]);
    expect(gate.load('a')).toEqual({ active: 0, waiting: 0 });
  });

  it('never makes another organization wait behind a busy one', async () => {
    const gate = new TenantGate(1, 100);
    const busy = deferred();
    const flood = [gate.run('a', () => busy.done), gate.run('a', async () => undefined)];
    let ran = false;
    await gate.run('b', async () => {
      ran = true;
    });
    expect(ran).toBe(true);
    busy.finish();
    await Promise.all(flood);
  });

  it('refuses past maxWaiting with 429 TOO_MANY_CONCURRENT_REQUESTS, and frees its place on errors', async () => {
    const gate = new TenantGate(1, 1);
    const busy = deferred();
    const first = gate.run('a', () => busy.done);
    const second = gate.run('a', async () => {
      throw new Error('boom');
    });
    await expect(gate.run('a', async () => 1)).rejects.toMatchObject({
      code: 'TOO_MANY_CONCURRENT_REQUESTS',
      kind: 'rate_limited',
    });
    busy.finish();
    await first;
    await expect(second).rejects.toThrow('boom');
    expect(await gate.run('a', async () => 1)).toBe(1);
    expect(gate.load('a')).toEqual({ active: 0, waiting: 0 });
  });

  it('spaces one organization’s starts to its rate, leaving another organization’s alone', async () => {
    const gate = new TenantGate(10, 100, 20);
    const started: number[] = [];
    const t0 = Date.now();
    await Promise.all(
      Array.from({ length: 5 }, () => gate.run('a', async () => void started.push(Date.now() - t0))),
    );
    // 20 a second: 50 ms apart
    expect(started.at(-1)!).toBeGreaterThanOrEqual(4 * 50 - 10);
    const other = Date.now();
    await gate.run('b', async () => undefined);
    expect(Date.now() - other).toBeLessThan(30);
  });
});
