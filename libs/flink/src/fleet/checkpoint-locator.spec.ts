import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileCheckpointLocator } from './checkpoint-locator';

describe('FileCheckpointLocator', () => {
  const root = mkdtempSync(join(tmpdir(), 'riffle-checkpoints-'));
  const job = 'a'.repeat(32);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('finds the newest checkpoint whose metadata was written, ignoring one still in progress', async () => {
    for (const [n, complete] of [
      [2, true],
      [10, true],
      [11, false],
    ] as const) {
      mkdirSync(join(root, job, `chk-${n}`), { recursive: true });
      if (complete) writeFileSync(join(root, job, `chk-${n}`, '_metadata'), 'x');
    }
    mkdirSync(join(root, job, 'shared'), { recursive: true });
    const locator = new FileCheckpointLocator();
    expect(await locator.latest(`file://${root}`, job)).toBe(`file://${join(root, job, 'chk-10')}`);
    expect(await locator.latest(root, job)).toBe(`file://${join(root, job, 'chk-10')}`);
    expect(await locator.latest(`file://${root}`, 'b'.repeat(32))).toBeNull();
    expect(await locator.latest('s3://bucket/checkpoints', job)).toBeNull();
    expect(await locator.latest(`file://${root}`, '../../etc')).toBeNull();
  });
});
