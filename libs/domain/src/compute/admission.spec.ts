import fc from 'fast-check';
import { RiffleError } from '../riffle-error';
import { admissionRecheckMs, admit, type PendingStatement } from './admission';

const pending = (uid: string, requestedCfu: number, submittedAt: number | Date): PendingStatement => ({
  uid,
  requestedCfu,
  submittedAt,
});
const uids = (list: { uid: string }[]) => list.map((s) => s.uid);

describe('admit', () => {
  it('admits while the pool has room, in submission order whatever the queue order', () => {
    const result = admit({
      pool: { maxCfu: 4, currentCfu: 0 },
      queue: [pending('c', 2, 3), pending('a', 1, 1), pending('b', 1, 2)],
    });
    expect(uids(result.admitted)).toEqual(['a', 'b', 'c']);
    expect(result.waiting).toEqual([]);
    expect(result.cfuAfter).toBe(4);
  });

  it('marks the rest POOL_EXHAUSTED with the pool figures', () => {
    const result = admit({
      pool: { maxCfu: 10, currentCfu: 8 },
      queue: [pending('a', 2, 1), pending('b', 3, 2)],
    });
    expect(uids(result.admitted)).toEqual(['a']);
    expect(result.waiting).toEqual([
      {
        uid: 'b',
        scalingState: 'POOL_EXHAUSTED',
        detail: 'waiting: pool exhausted (10/10 CFU); needs 3 CFU',
        ahead: 0,
      },
    ]);
  });

  it('never lets a later statement overtake one that does not fit, and says how many are ahead', () => {
    const result = admit({
      pool: { maxCfu: 10, currentCfu: 6 },
      queue: [pending('big', 5, 1), pending('small', 1, 2), pending('tiny', 1, 3)],
    });
    expect(result.admitted).toEqual([]);
    expect(result.waiting.map((w) => w.detail)).toEqual([
      'waiting: pool exhausted (6/10 CFU); needs 5 CFU',
      'waiting: pool exhausted (6/10 CFU); needs 1 CFU; 1 statement ahead in the queue',
      'waiting: pool exhausted (6/10 CFU); needs 1 CFU; 2 statements ahead in the queue',
    ]);
    expect(result.waiting.map((w) => w.ahead)).toEqual([0, 1, 2]);
  });

  it('counts what running statements hold and never evicts them, even above max_cfu', () => {
    const result = admit({ pool: { maxCfu: 10, currentCfu: 12 }, queue: [pending('a', 1, 1)] });
    expect(result.admitted).toEqual([]);
    expect(result.waiting[0]!.detail).toBe('waiting: pool exhausted (12/10 CFU); needs 1 CFU');
    expect(result.cfuAfter).toBe(12);
  });

  it('does not let a statement larger than the whole pool block the queue', () => {
    const result = admit({
      pool: { maxCfu: 4, currentCfu: 0 },
      queue: [pending('huge', 5, 1), pending('a', 2, 2)],
    });
    expect(uids(result.admitted)).toEqual(['a']);
    expect(result.waiting).toEqual([
      {
        uid: 'huge',
        scalingState: 'POOL_EXHAUSTED',
        detail: "waiting: needs 5 CFU, more than the pool's max_cfu 4; raise max_cfu to start it",
        ahead: 0,
      },
    ]);
  });

  it('breaks submission-time ties by uid and accepts Dates', () => {
    const at = new Date('2026-01-01T00:00:00Z');
    const result = admit({
      pool: { maxCfu: 1, currentCfu: 0 },
      queue: [pending('b', 1, at), pending('a', 1, at)],
    });
    expect(uids(result.admitted)).toEqual(['a']);
    expect(uids(result.waiting)).toEqual(['b']);
  });

  it('fills an exact fit', () => {
    expect(admit({ pool: { maxCfu: 3, currentCfu: 1 }, queue: [pending('a', 2, 1)] }).cfuAfter).toBe(3);
  });

  it('admits nothing from an empty queue', () => {
    expect(admit({ pool: { maxCfu: 3, currentCfu: 1 }, queue: [] })).toEqual({
      admitted: [],
      waiting: [],
      cfuAfter: 1,
    });
  });

  it.each<[string, Parameters<typeof admit>[0]]>([
    ['a request of 0 CFU', { pool: { maxCfu: 3, currentCfu: 0 }, queue: [pending('a', 0, 1)] }],
    ['a fractional request', { pool: { maxCfu: 3, currentCfu: 0 }, queue: [pending('a', 1.5, 1)] }],
    ['a negative max', { pool: { maxCfu: -1, currentCfu: 0 }, queue: [] }],
    ['a NaN current', { pool: { maxCfu: 3, currentCfu: NaN }, queue: [] }],
  ])('rejects %s', (_, input) => {
    expect(() => admit(input)).toThrow(RiffleError);
  });

  it('property: FIFO prefix within max_cfu, no overtaking, every statement accounted for once', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 20 }),
        fc.integer({ min: 0, max: 25 }),
        fc.uniqueArray(
          fc.record({
            uid: fc.uuid(),
            requestedCfu: fc.integer({ min: 1, max: 8 }),
            submittedAt: fc.nat(100),
          }),
          { selector: (s) => s.uid, maxLength: 12 },
        ),
        (maxCfu, currentCfu, queue) => {
          const result = admit({ pool: { maxCfu, currentCfu }, queue });
          const ordered = [...queue].sort(
            (a, b) => a.submittedAt - b.submittedAt || (a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0),
          );
          expect([...uids(result.admitted), ...uids(result.waiting)].sort()).toEqual(uids(queue).sort());
          const admittedCfu = result.admitted.reduce((sum, s) => sum + s.requestedCfu, 0);
          expect(result.cfuAfter).toBe(currentCfu + admittedCfu);
          if (result.admitted.length) expect(result.cfuAfter).toBeLessThanOrEqual(maxCfu);
          // the admitted ones are exactly the statements (that could ever fit) before the first one that did not
          const fitting = ordered.filter((s) => s.requestedCfu <= maxCfu);
          expect(uids(result.admitted)).toEqual(uids(fitting.slice(0, result.admitted.length)));
          const next = fitting[result.admitted.length];
          if (next) expect(result.cfuAfter + next.requestedCfu).toBeGreaterThan(maxCfu);
          for (const w of result.waiting) expect(w.scalingState).toBe('POOL_EXHAUSTED');
        },
      ),
    );
  });
});

describe('admissionRecheckMs', () => {
  it('has the head of the queue look every 2 s and the tail less often, at most every 30 s', () => {
    expect(admissionRecheckMs(0)).toBe(2_000);
    expect(admissionRecheckMs(4)).toBe(4_000);
    expect(admissionRecheckMs(10_000)).toBe(30_000);
  });
});
