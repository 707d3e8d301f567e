import fc from 'fast-check';
import { admitInOrder } from './admit-in-order';

const entry = (uid: string, requestedCfu: number, submittedAt: number) => ({
  uid,
  requestedCfu,
  submittedAt,
});

describe('admitInOrder', () => {
  it('admits while the pool has room, in submission order', () => {
    const decisions = admitInOrder({
      pool: { maxCfu: 2, currentCfu: 0 },
      queue: [entry('c', 1, 3), entry('a', 1, 1), entry('b', 1, 2)],
    });
    expect(decisions.get('a')).toEqual({ admitted: true });
    expect(decisions.get('b')).toEqual({ admitted: true });
    expect(decisions.get('c')).toEqual({
      admitted: false,
      reason: expect.stringMatching(/^waiting: pool exhausted \(2\/2 CFU\)/),
    });
  });

  it('counts what running statements hold and never evicts them', () => {
    const decisions = admitInOrder({ pool: { maxCfu: 10, currentCfu: 12 }, queue: [entry('a', 1, 1)] });
    expect(decisions.get('a')).toMatchObject({ admitted: false, reason: expect.stringContaining('12/10') });
  });

  it('does not let a small statement overtake a large one that waits', () => {
    const decisions = admitInOrder({
      pool: { maxCfu: 4, currentCfu: 1 },
      queue: [entry('big', 4, 1), entry('small', 1, 2)],
    });
    expect(decisions.get('big')?.admitted).toBe(false);
    expect(decisions.get('small')?.admitted).toBe(false);
  });

  it('breaks equal submission times by uid', () => {
    const decisions = admitInOrder({
      pool: { maxCfu: 1, currentCfu: 0 },
      queue: [entry('b', 1, 5), entry('a', 1, 5)],
    });
    expect(decisions.get('a')?.admitted).toBe(true);
    expect(decisions.get('b')?.admitted).toBe(false);
  });

  it('never admits beyond max_cfu and admits a prefix of the queue', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 0, max: 60 }),
        fc.array(
          fc.record({
            requestedCfu: fc.integer({ min: 1, max: 8 }),
            submittedAt: fc.integer({ min: 0, max: 100 }),
          }),
          {
            maxLength: 30,
          },
        ),
        (maxCfu, currentCfu, raw) => {
          const queue = raw.map((r, i) => ({ ...r, uid: `s${String(i).padStart(3, '0')}` }));
          const decisions = admitInOrder({ pool: { maxCfu, currentCfu }, queue });
          const ordered = [...queue].sort(
            (a, b) => a.submittedAt - b.submittedAt || a.uid.localeCompare(b.uid),
          );
          const admitted = ordered.filter((e) => decisions.get(e.uid)?.admitted);
          expect(ordered.slice(0, admitted.length)).toEqual(admitted);
          if (admitted.length)
            expect(currentCfu + admitted.reduce((t, e) => t + e.requestedCfu, 0)).toBeLessThanOrEqual(maxCfu);
        },
      ),
    );
  });
});
