import fc from 'fast-check';
import { RiffleError } from '../riffle-error';
import { DEFAULT_INITIAL_CFU, initialParallelism, type InitialSizingInput, statementCfu } from './cfu-sizing';

describe('statementCfu', () => {
  it.each<[number[], number]>([
    [[], 1],
    [[1], 1],
    [[2, 8, 4], 8],
    [[0], 1],
  ])('max vertex parallelism of %j is %i CFU (slot sharing, at least 1)', (parallelisms, cfu) => {
    expect(statementCfu(parallelisms)).toBe(cfu);
  });
});

describe('initialParallelism', () => {
  const sized = (input: Partial<InitialSizingInput>) =>
    initialParallelism({ sources: [{ partitions: 12 }], statelessOnly: false, maxCfu: 100, ...input });

  it.each<
    [string, Partial<InitialSizingInput>, { parallelism: number; sourceParallelism: number[]; cfu: number }]
  >([
    [
      'a stateful statement starts at the default',
      {},
      { parallelism: DEFAULT_INITIAL_CFU, sourceParallelism: [4], cfu: 4 },
    ],
    [
      'a stateless filter starts at 1',
      { statelessOnly: true },
      { parallelism: 1, sourceParallelism: [1], cfu: 1 },
    ],
    [
      'a source never reads with more subtasks than partitions',
      { sources: [{ partitions: 2 }] },
      { parallelism: 2, sourceParallelism: [2], cfu: 2 },
    ],
    [
      'the widest topic bounds the start, narrower sources read at a divisor of their partitions',
      { sources: [{ partitions: 3 }, { partitions: 1 }], preferredCfu: 8 },
      { parallelism: 3, sourceParallelism: [3, 1], cfu: 3 },
    ],
    [
      'a source whose partitions the parallelism does not divide reads at the largest divisor below it',
      { sources: [{ partitions: 6 }] },
      { parallelism: 4, sourceParallelism: [3], cfu: 4 },
    ],
    ['max_cfu caps the start', { maxCfu: 2 }, { parallelism: 2, sourceParallelism: [2], cfu: 2 }],
    [
      'a source without partitions (datagen) runs at the job parallelism',
      { sources: [{}] },
      { parallelism: 4, sourceParallelism: [4], cfu: 4 },
    ],
    [
      'no sources (INSERT … VALUES) starts at 1',
      { sources: [] },
      { parallelism: 1, sourceParallelism: [], cfu: 1 },
    ],
    [
      'a preferred start is honoured under the caps',
      { preferredCfu: 10, sources: [{ partitions: 12 }] },
      { parallelism: 10, sourceParallelism: [6], cfu: 10 },
    ],
  ])('%s', (_, input, expected) => {
    expect(sized(input)).toMatchObject(expected);
  });

  it('explains the size', () => {
    expect(sized({ maxCfu: 2 }).reason).toBe('2 CFU: a stateful statement starts at 4, capped by max_cfu 2');
    expect(sized({ statelessOnly: true }).reason).toBe('1 CFU: a stateless filter starts at 1');
    expect(sized({ sources: [{ partitions: 1 }] }).reason).toBe(
      '1 CFU: the widest source topic has 1 partition',
    );
  });

  it.each<[string, Partial<InitialSizingInput>]>([
    ['maxCfu 0', { maxCfu: 0 }],
    ['fractional maxCfu', { maxCfu: 1.5 }],
    ['0 partitions', { sources: [{ partitions: 0 }] }],
    ['preferredCfu 0', { preferredCfu: 0 }],
  ])('rejects %s', (_, input) => {
    expect(() => sized(input)).toThrow(RiffleError);
    expect(() => sized(input)).toThrow(
      expect.objectContaining({ code: 'INVALID_SIZING_INPUT', kind: 'invalid' }),
    );
  });

  it('property: 1 ≤ cfu ≤ maxCfu, sources ≤ and dividing their partitions, stateless at 1', () => {
    fc.assert(
      fc.property(
        fc.array(fc.option(fc.integer({ min: 1, max: 256 }), { nil: undefined }), { maxLength: 4 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 64 }),
        fc.option(fc.integer({ min: 1, max: 64 }), { nil: undefined }),
        (partitions, statelessOnly, maxCfu, preferredCfu) => {
          const sizing = initialParallelism({
            sources: partitions.map((p) => ({ partitions: p })),
            statelessOnly,
            maxCfu,
            preferredCfu,
          });
          expect(sizing.cfu).toBeGreaterThanOrEqual(1);
          expect(sizing.cfu).toBeLessThanOrEqual(maxCfu);
          expect(sizing.cfu).toBe(statementCfu([sizing.parallelism, ...sizing.sourceParallelism]));
          if (statelessOnly) expect(sizing.cfu).toBe(1);
          partitions.forEach((p, i) => {
            const s = sizing.sourceParallelism[i]!;
            expect(s).toBeGreaterThanOrEqual(1);
            if (p !== undefined) {
              expect(s).toBeLessThanOrEqual(p);
              expect(p % s).toBe(0);
            }
          });
        },
      ),
    );
  });
});
