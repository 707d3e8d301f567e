import { RiffleError } from '../riffle-error';
import { formatCfuSeconds, parsePrice, priceCostLine } from './cost-lines';

const HOUR = 3_600_000n;

describe('priceCostLine', () => {
  it.each<[string, bigint, string, string, string]>([
    ['one CFU-hour', HOUR, '0.21', '1.000000', '0.210000'],
    ['the minimum charge', 60_000n, '0.21', '0.016667', '0.003500'],
    ['nothing', 0n, '0.21', '0.000000', '0.000000'],
    ['a free price', HOUR, '0', '1.000000', '0.000000'],
    ['quantity exactly half a micro-unit rounds down to even', 9n, '1', '0.000002', '0.000002'],
    ['quantity exactly half a micro-unit rounds up to even', 27n, '1', '0.000008', '0.000008'],
    ['below half rounds down', 8n, '1', '0.000002', '0.000002'],
    ['above half rounds up', 10n, '1', '0.000003', '0.000003'],
    ['amount exactly half rounds down to even', 18n, '0.5', '0.000005', '0.000002'],
    ['amount exactly half rounds up to even', 54n, '0.5', '0.000015', '0.000008'],
    ['amount is rounded once, not from the rounded quantity', 9n, '3', '0.000002', '0.000008'],
    ['10^15 CFU-ms', 10n ** 15n, '0.21', '277777777.777778', '58333333.333333'],
    ['10^15 CFU-ms at a large price', 10n ** 15n, '123456.789', '277777777.777778', '34293552500000.000000'],
    ['a price with many decimals', HOUR, '0.123456789012345678901234567890', '1.000000', '0.123457'],
    ['a price a hair under half a micro-unit', HOUR, '0.00000049999999999999999999', '1.000000', '0.000000'],
    ['a price of exactly half a micro-unit (0 is even)', HOUR, '0.0000005', '1.000000', '0.000000'],
    ['a price a hair over half a micro-unit', HOUR, '0.00000050000000000000000001', '1.000000', '0.000001'],
    ['one and a half micro-units rounds to even', HOUR, '0.0000015', '1.000000', '0.000002'],
    ['trailing zeros in the price change nothing', HOUR, '0.2100000', '1.000000', '0.210000'],
  ])('%s', (_name, billedCfuMs, price, quantity, amount) => {
    expect(priceCostLine(billedCfuMs, price)).toEqual({ quantity, amount, unitPrice: price });
  });

  it('accepts a safe-integer number of CFU-ms', () => {
    expect(priceCostLine(7_200_000, '0.21')).toEqual({
      quantity: '2.000000',
      amount: '0.420000',
      unitPrice: '0.21',
    });
  });

  it('agrees with an exact rational computation on many sizes', () => {
    for (let billed = 1n; billed < 10n ** 16n; billed = billed * 7n + 3n) {
      const { quantity, amount } = priceCostLine(billed, '0.37');
      // |exact - rounded| <= 1/2 micro-unit, checked in integers scaled by 3.6e6 × 100 × 10^6
      const exactAmount = billed * 37n * 10n ** 6n; // amount × 3.6e6 × 100 × 10^6
      const rounded = BigInt(amount.replace('.', '')) * HOUR * 100n;
      const diff = exactAmount > rounded ? exactAmount - rounded : rounded - exactAmount;
      expect(diff * 2n <= HOUR * 100n).toBe(true);
      expect(BigInt(quantity.replace('.', ''))).toBe(
        (billed * 10n ** 6n * 2n + HOUR) / (2n * HOUR) - tie(billed),
      );
    }
  });

  it('rejects negative usage', () => {
    expect(() => priceCostLine(-1n, '0.21')).toThrow(expect.objectContaining({ code: 'INVALID_CFU_MS' }));
    expect(() => priceCostLine(1.5, '0.21')).toThrow(expect.objectContaining({ code: 'INVALID_CFU_MS' }));
  });

  it('rejects an invalid price', () => {
    expect(() => priceCostLine(HOUR, '0.21 USD')).toThrow(expect.objectContaining({ code: 'INVALID_PRICE' }));
  });
});

/** 1 when billed/3.6 (in micro-units) is an exact tie with an even floor: half-up must then go down */
function tie(billed: bigint): bigint {
  const numerator = billed * 10n ** 6n;
  return (numerator % HOUR) * 2n === HOUR && (numerator / HOUR) % 2n === 0n ? 1n : 0n;
}

describe('parsePrice', () => {
  it.each<[string, bigint, number]>([
    ['0.21', 21n, 2],
    ['0.210', 210n, 3],
    ['3', 3n, 0],
    ['0', 0n, 0],
    ['1234567890.000000000000000000001', 1234567890000000000000000000001n, 21],
  ])('parses %s exactly', (text, units, scale) => {
    expect(parsePrice(text)).toEqual({ units, scale });
  });

  it.each<[string, unknown]>([
    ['empty', ''],
    ['negative', '-0.21'],
    ['a plus sign', '+0.21'],
    ['an exponent', '2.1e-1'],
    ['spaces', ' 0.21'],
    ['a trailing space', '0.21 '],
    ['a bare trailing point', '1.'],
    ['a bare leading point', '.5'],
    ['leading zeros', '01.5'],
    ['a comma', '0,21'],
    ['hex', '0x10'],
    ['NaN', 'NaN'],
    ['Infinity', 'Infinity'],
    ['non-ASCII digits', '٠.٢١'],
    ['over 100 characters', `0.${'1'.repeat(99)}`],
    ['a number', 0.21],
    ['null', null],
  ])('rejects %s', (_name, text) => {
    expect(() => parsePrice(text)).toThrow(RiffleError);
    expect(() => parsePrice(text)).toThrow(
      expect.objectContaining({ code: 'INVALID_PRICE', kind: 'invalid' }),
    );
  });

  it('says what a price looks like', () => {
    expect(() => parsePrice('1e3')).toThrow('Price "1e3" is not a decimal like "0.21"');
  });
});

describe('formatCfuSeconds', () => {
  it.each<[bigint | number, string]>([
    [12_345n, '12.345'],
    [60_000n, '60'],
    [1n, '0.001'],
    [0n, '0'],
    [1_500n, '1.5'],
    [10n, '0.01'],
    [59_500, '59.5'],
    [10n ** 15n + 1n, '1000000000000.001'],
  ])('%p CFU-ms is %s CFU-seconds', (cfuMs, text) => {
    expect(formatCfuSeconds(cfuMs)).toBe(text);
  });

  it('rejects negative values', () => {
    expect(() => formatCfuSeconds(-1n)).toThrow(expect.objectContaining({ code: 'INVALID_CFU_MS' }));
  });
});
