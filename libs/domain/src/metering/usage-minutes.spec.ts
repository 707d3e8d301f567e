import { RiffleError } from '../riffle-error';
import { type LedgerEntry, usageForMinute } from './usage-minutes';

/** 2026-11-22T05:04Z; offsets below are relative to it */
const M = Date.UTC(2026, 10, 22, 5, 4);
const MIN = 60_000;

/** [offset from M in ms, cfu]; seq follows the list order */
type Step = readonly [number, number];
const ledger = (steps: readonly Step[], statementUid = 'stmt-a'): LedgerEntry[] =>
  steps.map(([at, cfu], i) => ({ statementUid, seq: i + 1, cfu, validFromMs: M + at }));
const usage = (steps: readonly Step[], minuteOffset = 0) => {
  const { cfuMs, minimumTopUpMs } = usageForMinute(ledger(steps), M + minuteOffset);
  return [Number(cfuMs), Number(minimumTopUpMs)];
};

describe('usageForMinute', () => {
  it.each<[string, Step[], number, [number, number]]>([
    ['nothing allocated', [], 0, [0, 0]],
    ['an entry exactly at the minute start counts the whole minute', [[0, 2]], 0, [2 * MIN, 0]],
    ['an entry at the next minute start does not count', [[MIN, 2]], 0, [0, 0]],
    ['the entry in effect before the window holds through the minute', [[-5 * MIN, 3]], 0, [3 * MIN, 0]],
    [
      'at equal timestamps the last entry wins',
      [
        [-MIN, 5],
        [0, 2],
        [0, 7],
      ],
      0,
      [7 * MIN, 0],
    ],
    [
      'a stop and a restart at the same instant continue the run',
      [
        [-30_000, 3],
        [0, 0],
        [0, 3],
      ],
      0,
      [3 * MIN, 0],
    ],
    [
      'a start and a stop at the same instant is no run (0-length)',
      [
        [10_000, 3],
        [10_000, 0],
      ],
      0,
      [0, 0],
    ],
    [
      'a stop then a start at the same instant starts a run',
      [
        [10_000, 0],
        [10_000, 3],
      ],
      0,
      [150_000, 0],
    ],
    [
      'a rescale mid-minute',
      [
        [-2 * MIN, 3],
        [30_000, 5],
      ],
      0,
      [3 * 30_000 + 5 * 30_000, 0],
    ],
    [
      'a rescale continues the run: one top-up',
      [
        [-10_000, 1],
        [5_000, 3],
        [10_000, 0],
      ],
      0,
      [20_000, 30_000],
    ],
    [
      'a short run inside the minute is topped up',
      [
        [10_000, 1],
        [10_500, 0],
      ],
      0,
      [500, 59_500],
    ],
    [
      'two short runs: two top-ups',
      [
        [1_000, 1],
        [2_000, 0],
        [5_000, 2],
        [6_000, 0],
      ],
      0,
      [3_000, 59_000 + 58_000],
    ],
    [
      'a stop while stopped changes nothing',
      [
        [1_000, 1],
        [2_000, 0],
        [3_000, 0],
      ],
      0,
      [1_000, 59_000],
    ],
    ['a run still open at the minute end is not topped up yet', [[50_000, 1]], 0, [10_000, 0]],
    [
      'a run of exactly one CFU-minute needs no top-up',
      [
        [-30_000, 1],
        [30_000, 0],
      ],
      0,
      [30_000, 0],
    ],
    [
      'a run under a minute across two minutes: first minute',
      [
        [-20_000, 1],
        [15_000, 0],
      ],
      -MIN,
      [20_000, 0],
    ],
    [
      'a run under a minute across two minutes: second minute',
      [
        [-20_000, 1],
        [15_000, 0],
      ],
      0,
      [15_000, 25_000],
    ],
    [
      'a high-CFU run across two minutes is over the minimum',
      [
        [-20_000, 2],
        [15_000, 0],
      ],
      0,
      [30_000, 0],
    ],
    [
      'a run ending exactly at a minute boundary: its last minute',
      [
        [-30_000, 1],
        [0, 0],
      ],
      -MIN,
      [30_000, 0],
    ],
    [
      'a run ending exactly at a minute boundary: the next minute tops up',
      [
        [-30_000, 1],
        [0, 0],
      ],
      0,
      [0, 30_000],
    ],
    [
      'a run from the window start, ending in the minute: 60 s+',
      [
        [-MIN, 1],
        [100, 0],
      ],
      0,
      [100, 0],
    ],
    [
      'a long run ends',
      [
        [-3 * 3_600_000, 4],
        [30_000, 0],
      ],
      0,
      [120_000, 0],
    ],
    [
      'after a long run ends',
      [
        [-3 * 3_600_000, 4],
        [30_000, 0],
      ],
      MIN,
      [0, 0],
    ],
    [
      'a run that ended in the previous minute is not topped up again',
      [
        [-50_000, 1],
        [-40_000, 0],
      ],
      0,
      [0, 0],
    ],
    [
      'entries after the minute are ignored',
      [
        [10_000, 1],
        [20_000, 0],
        [MIN, 9],
        [MIN + 1, 0],
      ],
      0,
      [10_000, 50_000],
    ],
  ])('%s', (_name, steps, minuteOffset, expected) => {
    expect(usage(steps, minuteOffset)).toEqual(expected);
  });

  it('only needs the entry in effect at the window start: older ones change nothing', () => {
    const full: Step[] = [
      [-5 * MIN, 1],
      [-3 * MIN, 0],
      [-2 * MIN - 1, 2],
      [10_000, 0],
    ];
    expect(usage(full)).toEqual([20_000, 0]);
    expect(usage(full.slice(2))).toEqual([20_000, 0]);
  });

  it('does not depend on the order of its input', () => {
    const steps: Step[] = [
      [-20_000, 1],
      [5_000, 0],
      [5_000, 2],
      [7_000, 0],
      [20_000, 0],
    ];
    const shuffled = [...ledger(steps)].reverse();
    expect(usageForMinute(shuffled, M)).toEqual(usageForMinute(ledger(steps), M));
    expect(usageForMinute(shuffled, M)).toEqual({
      cfuMs: 5_000n + 4_000n,
      minimumTopUpMs: 60_000n - 29_000n,
    });
  });

  it.each<[string, Partial<LedgerEntry>]>([
    ['a fractional cfu', { cfu: 1.5 }],
    ['a negative cfu', { cfu: -1 }],
    ['a fractional time', { validFromMs: M + 0.5 }],
    ['a NaN seq', { seq: Number.NaN }],
    ['another statement', { statementUid: 'stmt-b' }],
  ])('rejects a ledger entry with %s', (_name, patch) => {
    const entries = [...ledger([[0, 1]]), { ...ledger([[1_000, 2]])[0]!, seq: 2, ...patch }];
    expect(() => usageForMinute(entries, M)).toThrow(
      expect.objectContaining({ code: 'INVALID_LEDGER_ENTRY' }),
    );
  });

  it.each([M + 1, Number.NaN, 1.5])('rejects %p as a minute start', (minute) => {
    expect(() => usageForMinute([], minute)).toThrow(RiffleError);
    expect(() => usageForMinute([], minute)).toThrow(expect.objectContaining({ code: 'INVALID_MINUTE' }));
  });
});
