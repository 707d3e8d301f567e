import fc from 'fast-check';
import { alignToPartitions, divisorsOf, largestDivisorAtMost } from './partition-alignment';

describe('divisorsOf', () => {
  it.each<[number, number[]]>([
    [1, [1]],
    [7, [1, 7]],
    [12, [1, 2, 3, 4, 6, 12]],
    [16, [1, 2, 4, 8, 16]],
  ])('%i → %j', (n, divisors) => expect(divisorsOf(n)).toEqual(divisors));
});

describe('largestDivisorAtMost', () => {
  it.each<[number, number, number]>([
    [12, 5, 4],
    [12, 12, 12],
    [12, 100, 12],
    [7, 6, 1],
    [7, 0, 1],
  ])('of %i at most %i is %i', (n, limit, d) => expect(largestDivisorAtMost(n, limit)).toBe(d));
});

describe('alignToPartitions', () => {
  it.each<[string, { target: number; current: number; partitions: number; upper: number }, number]>([
    ['scale-up rounds up to the next divisor', { target: 5, current: 2, partitions: 12, upper: 100 }, 6],
    [
      'scale-up past the partitions stops at the partition count',
      { target: 20, current: 4, partitions: 12, upper: 100 },
      12,
    ],
    ['a divisor target is kept', { target: 4, current: 2, partitions: 12, upper: 100 }, 4],
    [
      'the cap below the next divisor takes the largest divisor under it',
      { target: 5, current: 2, partitions: 12, upper: 5 },
      4,
    ],
    [
      'a cap that leaves no divisor above current keeps current',
      { target: 5, current: 4, partitions: 12, upper: 5 },
      4,
    ],
    [
      'a prime topic scales straight to its partition count',
      { target: 2, current: 1, partitions: 7, upper: 100 },
      7,
    ],
    [
      'scale-down rounds up to a divisor still below current',
      { target: 5, current: 12, partitions: 12, upper: 100 },
      6,
    ],
    [
      'scale-down with no divisor between target and current keeps current',
      { target: 5, current: 6, partitions: 12, upper: 100 },
      6,
    ],
    [
      'scale-down on a prime topic to 1 only when 1 is enough',
      { target: 1, current: 7, partitions: 7, upper: 100 },
      1,
    ],
    ['no change stays', { target: 4, current: 4, partitions: 12, upper: 100 }, 4],
    [
      'a current above the partitions is brought down',
      { target: 20, current: 20, partitions: 12, upper: 100 },
      12,
    ],
  ])('%s', (_, input, expected) => expect(alignToPartitions(input)).toBe(expected));

  it('property: a changed value divides the partitions, never passes them, never reverses direction', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 128 }),
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: 1, max: 128 }),
        fc.integer({ min: 1, max: 200 }),
        (partitions, target, currentRaw, upper) => {
          const current = Math.min(currentRaw, partitions);
          const aligned = alignToPartitions({ target, current, partitions, upper });
          expect(aligned).toBeLessThanOrEqual(partitions);
          expect(aligned).toBeGreaterThanOrEqual(1);
          if (aligned !== current) expect(partitions % aligned).toBe(0);
          if (target > current) {
            expect(aligned).toBeGreaterThanOrEqual(current);
            if (aligned > current) expect(aligned).toBeLessThanOrEqual(Math.max(upper, current));
          }
          if (target < current) {
            expect(aligned).toBeLessThanOrEqual(current);
            expect(aligned).toBeGreaterThanOrEqual(target);
          }
        },
      ),
    );
  });
});
