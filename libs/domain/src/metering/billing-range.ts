import { RiffleError } from '../riffle-error';

/** Dates are UTC calendar days, YYYY-MM-DD; start inclusive, end exclusive (as Confluent's billing API). */
export interface BillingRange {
  readonly startDate: string;
  readonly endDate: string;
}

export interface BillingRangeOptions {
  /** the longest range accepted, in days */
  readonly maxDays: number;
  /** today's UTC date, YYYY-MM-DD: a range may not start after it */
  readonly today: string;
}

const DAY_MS = 86_400_000;
const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Validates the `start_date` / `end_date` query parameters of the costs API and exports. Both are
 * required; the range covers [startDate, endDate), at most `maxDays` days, and starts no later than today.
 */
export function parseBillingRange(
  startDate: string | undefined,
  endDate: string | undefined,
  opts: BillingRangeOptions,
): BillingRange {
  const start = parseDay('start_date', startDate);
  const end = parseDay('end_date', endDate);
  if (end <= start) {
    throw new RiffleError(
      'INVALID_DATE_RANGE',
      'invalid',
      'end_date must be after start_date; end_date is exclusive, so to cover one day D pass ' +
        'start_date=D and end_date=the day after D.',
      { startDate, endDate },
    );
  }
  if (start > parseDay('today', opts.today)) {
    throw new RiffleError(
      'INVALID_DATE_RANGE',
      'invalid',
      `start_date must not be after today (${opts.today} UTC): there are no costs in the future yet.`,
      { startDate, endDate },
    );
  }
  const days = (end - start) / DAY_MS;
  if (days > opts.maxDays) {
    throw new RiffleError(
      'DATE_RANGE_TOO_LARGE',
      'invalid',
      `The range spans ${days} days but may span at most ${opts.maxDays}; split it into shorter ranges.`,
      { startDate, endDate, maxDays: opts.maxDays },
    );
  }
  return { startDate: startDate!, endDate: endDate! };
}

/** a real calendar date as YYYY-MM-DD → its UTC midnight in epoch ms */
function parseDay(parameter: string, text: string | undefined): number {
  const match = typeof text === 'string' ? DATE_PATTERN.exec(text) : null;
  if (match) {
    const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
    const date = new Date(0);
    date.setUTCFullYear(year, month - 1, day);
    if (date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day) {
      return date.getTime();
    }
  }
  const problem =
    text === undefined || text === '' ? 'is required' : `"${String(text).slice(0, 40)}" is not a date`;
  throw new RiffleError(
    'INVALID_DATE',
    'invalid',
    `${parameter} ${problem}: give a calendar date as YYYY-MM-DD, e.g. 2026-03-01 (UTC).`,
    { parameter },
  );
}
