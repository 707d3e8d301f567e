import fc from 'fast-check';
import {
  decideResultStep,
  fitRows,
  resultPollDelayMs,
  type ResultStepInput,
  truncationOfCut,
} from './query-results';

const limits = { maxRowsPerQuery: 100, maxBytesPerQuery: 10_000, maxBytesPerEnvironment: 50_000 };
const input = (overrides: Partial<ResultStepInput> = {}): ResultStepInput => ({
  stopped: false,
  kept: { rows: 0, bytes: 0 },
  environmentBytes: 0,
  lastReadMs: 1_000,
  nowMs: 2_000,
  idleTimeoutMs: 300_000,
  limits,
  ...overrides,
});

describe('decideResultStep', () => {
  it('fetches with the room left under every cap', () => {
    expect(decideResultStep(input({ kept: { rows: 40, bytes: 3_000 }, environmentBytes: 45_000 }))).toEqual({
      type: 'fetch',
      room: { rows: 60, bytes: 5_000, bytesCap: 'RESULTS_STORAGE_FULL' },
    });
    expect(decideResultStep(input({ kept: { rows: 0, bytes: 9_000 } }))).toMatchObject({
      room: { bytes: 1_000, bytesCap: 'RESULTS_BYTE_CAP' },
    });
  });

  it('stops a query its user stopped', () => {
    expect(decideResultStep(input({ stopped: true }))).toEqual({
      type: 'close',
      detail: 'Stopped by request.',
    });
  });

  it('stops a query nobody read for the idle timeout, saying how long', () => {
    expect(decideResultStep(input({ nowMs: 1_000 + 300_001 }))).toEqual({
      type: 'close',
      detail: 'Stopped: nobody read its results for 5 minutes.',
    });
  });

  it.each([
    ['RESULTS_ROW_CAP', { kept: { rows: 100, bytes: 10 } }, /cap of 100 rows per query/],
    ['RESULTS_BYTE_CAP', { kept: { rows: 1, bytes: 10_000 } }, /cap of 10,000 bytes per query/],
    ['RESULTS_STORAGE_FULL', { environmentBytes: 50_000 }, /environment's kept results reached 50,000 bytes/],
  ] as const)('stops a query at %s, keeping its rows readable', (code, overrides, detail) => {
    const step = decideResultStep(input(overrides));
    expect(step).toEqual({ type: 'close', truncation: code, detail: expect.stringMatching(detail) });
    expect(step.type === 'close' && step.detail).toMatch(/rows kept stay readable/i);
  });

  it('gives a stop request precedence over a cap', () => {
    expect(decideResultStep(input({ stopped: true, kept: { rows: 100, bytes: 0 } }))).toEqual({
      type: 'close',
      detail: 'Stopped by request.',
    });
  });
});

describe('fitRows', () => {
  it('takes the longest prefix that fits the rows and the bytes left', () => {
    expect(fitRows([10, 10, 10], { rows: 5, bytes: 25 })).toEqual({ take: 2, bytes: 20, cut: true });
    expect(fitRows([10, 10, 10], { rows: 2, bytes: 1_000 })).toEqual({ take: 2, bytes: 20, cut: true });
    expect(fitRows([10, 10], { rows: 2, bytes: 20 })).toEqual({ take: 2, bytes: 20, cut: false });
    expect(fitRows([], { rows: 0, bytes: 0 })).toEqual({ take: 0, bytes: 0, cut: false });
  });

  it('never keeps more than the room, and cuts only when something did not fit', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 500 }), { maxLength: 50 }),
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 0, max: 5_000 }),
        (sizes, rows, bytes) => {
          const fit = fitRows(sizes, { rows, bytes });
          expect(fit.take).toBeLessThanOrEqual(rows);
          expect(fit.bytes).toBeLessThanOrEqual(bytes);
          expect(fit.bytes).toBe(sizes.slice(0, fit.take).reduce((a, b) => a + b, 0));
          expect(fit.cut).toBe(fit.take < sizes.length);
          if (fit.cut) {
            const next = sizes[fit.take]!;
            expect(fit.take === rows || fit.bytes + next > bytes).toBe(true);
          }
        },
      ),
    );
  });
});

describe('resultPollDelayMs', () => {
  it('polls a stream with trickling rows every half second and backs a quiet one off to two seconds', () => {
    expect(resultPollDelayMs(0)).toBe(500);
    expect(resultPollDelayMs(5_000)).toBe(1_000);
    expect(resultPollDelayMs(60_000)).toBe(2_000);
  });
});

describe('truncationOfCut', () => {
  it('names the cap that cut a page', () => {
    expect(truncationOfCut(5, { rows: 5, bytes: 100, bytesCap: 'RESULTS_BYTE_CAP' })).toBe('RESULTS_ROW_CAP');
    expect(truncationOfCut(2, { rows: 5, bytes: 100, bytesCap: 'RESULTS_STORAGE_FULL' })).toBe(
      'RESULTS_STORAGE_FULL',
    );
  });
});
