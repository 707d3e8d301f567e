import {
  closeMinute,
  type LedgerEntry,
  ledgerWindowStartMs,
  minuteKey,
  type UsageMinute,
} from './usage-minutes';

/** 2026-11-22T05:04Z; offsets below are relative to it */
const M = Date.UTC(2026, 10, 22, 5, 4);
const MIN = 60_000;

/** [offset from M in ms, cfu]; seq follows the list order */
type Step = readonly [number, number];
const ledger = (steps: readonly Step[], statementUid: string): LedgerEntry[] =>
  steps.map(([at, cfu], i) => ({ statementUid, seq: i + 1, cfu, validFromMs: M + at }));

describe('closeMinute', () => {
  const a = ledger(
    [
      [-MIN, 2],
      [30_000, 0],
    ],
    'stmt-a',
  );
  const b = ledger(
    [
      [10_000, 1],
      [10_500, 0],
    ],
    'stmt-b',
  );
  const idle = ledger([[-5 * MIN, 0]], 'stmt-idle');
  const c = ledger([[-2 * MIN, 3]], 'stmt-c');
  const expected: UsageMinute[] = [
    { statementUid: 'stmt-a', minuteStartMs: M, cfuMs: 60_000n, minimumTopUpMs: 0n, billedCfuMs: 60_000n },
    { statementUid: 'stmt-b', minuteStartMs: M, cfuMs: 500n, minimumTopUpMs: 59_500n, billedCfuMs: 60_000n },
    { statementUid: 'stmt-c', minuteStartMs: M, cfuMs: 180_000n, minimumTopUpMs: 0n, billedCfuMs: 180_000n },
  ];

  it('closes a map of statements into records ordered by statement, skipping idle ones', () => {
    const byStatement = new Map([
      ['stmt-c', c],
      ['stmt-idle', idle],
      ['stmt-b', b],
      ['stmt-a', a],
      ['stmt-empty', []],
    ]);
    expect(closeMinute(byStatement, M)).toEqual(expected);
  });

  it('closes one flat list, grouped or not', () => {
    expect(closeMinute([...a, ...b, ...c, ...idle], M)).toEqual(expected);
    expect(closeMinute([...idle, c[0]!, ...b, a[1]!, a[0]!], M)).toEqual(expected);
    expect(closeMinute([], M)).toEqual([]);
  });

  it('rejects a map whose entries belong to another statement', () => {
    expect(() => closeMinute(new Map([['stmt-b', a]]), M)).toThrow(
      expect.objectContaining({ code: 'INVALID_LEDGER_ENTRY', kind: 'internal' }),
    );
  });

  it('gives the same answer every time', () => {
    const all = [...a, ...b, ...c];
    expect(closeMinute(all, M)).toEqual(closeMinute(all, M));
  });
});

describe('minute helpers', () => {
  it('names minutes like 2026-11-22T05:04Z', () => {
    expect(minuteKey(M)).toBe('2026-11-22T05:04Z');
    expect(minuteKey(0)).toBe('1970-01-01T00:00Z');
  });

  it('starts the ledger window one minute before the minute', () => {
    expect(ledgerWindowStartMs(M)).toBe(M - MIN);
    expect(() => ledgerWindowStartMs(M + 1)).toThrow(expect.objectContaining({ code: 'INVALID_MINUTE' }));
  });
});
