import { parseBillingRange } from './billing-range';

const opts = { maxDays: 31, today: '2026-11-22' };

describe('parseBillingRange', () => {
  it.each<[string, string, string]>([
    ['one day', '2026-11-21', '2026-11-22'],
    ['today, end exclusive', '2026-11-22', '2026-11-23'],
    ['exactly the longest range', '2026-10-01', '2026-11-01'],
    ['across a leap day', '2028-02-28', '2028-03-01'],
    ['across a year end', '2025-12-20', '2026-01-05'],
    ['an end in the future', '2026-11-01', '2026-12-01'],
  ])('accepts %s', (_name, startDate, endDate) => {
    expect(parseBillingRange(startDate, endDate, { ...opts, today: '2028-12-31' })).toEqual({
      startDate,
      endDate,
    });
  });

  it.each<[string, string | undefined, string | undefined, string, string]>([
    ['no start_date', undefined, '2026-11-02', 'INVALID_DATE', 'start_date is required'],
    ['no end_date', '2026-11-01', undefined, 'INVALID_DATE', 'end_date is required'],
    ['an empty start_date', '', '2026-11-02', 'INVALID_DATE', 'start_date is required'],
    ['February 30', '2026-02-30', '2026-03-02', 'INVALID_DATE', 'start_date "2026-02-30" is not a date'],
    ['February 29 of a common year', '2026-02-28', '2026-02-29', 'INVALID_DATE', 'end_date'],
    ['month 13', '2026-13-01', '2026-11-02', 'INVALID_DATE', 'YYYY-MM-DD'],
    ['day 00', '2026-11-00', '2026-11-02', 'INVALID_DATE', 'start_date'],
    ['a timestamp', '2026-11-01T00:00:00Z', '2026-11-02', 'INVALID_DATE', 'start_date'],
    ['no zero padding', '2026-1-01', '2026-11-02', 'INVALID_DATE', 'start_date'],
    [
      'end equal to start',
      '2026-11-01',
      '2026-11-01',
      'INVALID_DATE_RANGE',
      'end_date must be after start_date',
    ],
    ['end before start', '2026-11-02', '2026-11-01', 'INVALID_DATE_RANGE', 'exclusive'],
    ['a start after today', '2026-11-23', '2026-11-24', 'INVALID_DATE_RANGE', 'not be after today'],
    [
      'one day too many',
      '2026-10-01',
      '2026-11-02',
      'DATE_RANGE_TOO_LARGE',
      'spans 32 days but may span at most 31',
    ],
  ])('rejects %s', (_name, startDate, endDate, code, message) => {
    const parse = () => parseBillingRange(startDate, endDate, opts);
    expect(parse).toThrow(expect.objectContaining({ code, kind: 'invalid' }));
    expect(parse).toThrow(message);
  });
});
