import { RiffleError } from '../riffle-error';

/**
 * Pricing rule (exact decimal arithmetic with bigint; no floating point touches money):
 *  - Usage is metered in whole CFU-milliseconds. 1 CFU-hour = 3,600,000 CFU-ms.
 *  - A cost line prices the line's total billed CFU-ms (sum the usage minutes first, price once; never
 *    add rounded amounts).
 *  - quantity (CFU-hours) = billedCfuMs / 3,600,000, rounded half-to-even to 6 decimal places.
 *  - amount = billedCfuMs × unitPrice / 3,600,000, computed exactly and rounded half-to-even ONCE to
 *    6 decimal places. It is not quantity × unitPrice: that would round twice.
 *  - unitPrice is the price list's price per CFU-hour, echoed as written. A price is a non-negative
 *    decimal: digits with an optional fractional part ("0.21", "3", "0.000125"); no sign, exponent,
 *    grouping, spaces, leading zeros ("01") or bare point ("1.", ".5"); at most 100 characters.
 *  - quantity and amount are written with exactly 6 decimals: "0.016667", "1234.500000".
 *  - CFU-seconds (usage records, events) are exact: cfuMs / 1000 with up to 3 decimals, trailing zeros and
 *    a trailing point dropped: "12.345", "60", "0.001", "1.5", "0".
 */

export const CFU_MS_PER_CFU_HOUR = 3_600_000n;
/** quantity and amount decimals */
export const COST_DECIMALS = 6;

/** value = units / 10^scale */
export interface ExactDecimal {
  readonly units: bigint;
  readonly scale: number;
}

export interface PricedCostLine {
  /** CFU-hours, 6 decimals */
  readonly quantity: string;
  /** in the price list's currency, 6 decimals */
  readonly amount: string;
  /** per CFU-hour, as written in the price list */
  readonly unitPrice: string;
}

const PRICE_PATTERN = /^(0|[1-9][0-9]*)(?:\.([0-9]+))?$/;
const PRICE_MAX_LENGTH = 100;
const COST_SCALE = 10n ** BigInt(COST_DECIMALS);

export function isPrice(text: unknown): text is string {
  return typeof text === 'string' && text.length <= PRICE_MAX_LENGTH && PRICE_PATTERN.test(text);
}

/** Parses a price like "0.21" exactly; anything else is an INVALID_PRICE. */
export function parsePrice(text: unknown): ExactDecimal {
  const match = isPrice(text) ? PRICE_PATTERN.exec(text) : null;
  if (!match) {
    const shown =
      typeof text === 'string' ? `"${text.slice(0, 40)}${text.length > 40 ? '…' : ''}"` : typeof text;
    throw new RiffleError(
      'INVALID_PRICE',
      'invalid',
      `Price ${shown} is not a decimal like "0.21": write digits with an optional fractional part, ` +
        `without sign, exponent, spaces or leading zeros, in at most ${PRICE_MAX_LENGTH} characters.`,
    );
  }
  const fraction = match[2] ?? '';
  return { units: BigInt(match[1]! + fraction), scale: fraction.length };
}

/** Prices billedCfuMs at unitPricePerCfuHour by the rule at the top of this file. */
export function priceCostLine(billedCfuMs: bigint | number, unitPricePerCfuHour: string): PricedCostLine {
  const cfuMs = toCfuMs(billedCfuMs);
  const price = parsePrice(unitPricePerCfuHour);
  const quantity = divideHalfEven(cfuMs * COST_SCALE, CFU_MS_PER_CFU_HOUR);
  const amount = divideHalfEven(
    cfuMs * price.units * COST_SCALE,
    CFU_MS_PER_CFU_HOUR * 10n ** BigInt(price.scale),
  );
  return {
    quantity: formatFixed(quantity, COST_DECIMALS),
    amount: formatFixed(amount, COST_DECIMALS),
    unitPrice: unitPricePerCfuHour,
  };
}

/** Exact CFU-seconds: "12.345", "60", "0.001", "0". */
export function formatCfuSeconds(cfuMs: bigint | number): string {
  const value = toCfuMs(cfuMs);
  const seconds = value / 1000n;
  const millis = value % 1000n;
  if (millis === 0n) return seconds.toString();
  return `${seconds}.${millis.toString().padStart(3, '0').replace(/0+$/, '')}`;
}

/** numerator / denominator rounded half-to-even; both non-negative, denominator > 0 */
function divideHalfEven(numerator: bigint, denominator: bigint): bigint {
  const quotient = numerator / denominator;
  const twiceRemainder = (numerator % denominator) * 2n;
  if (twiceRemainder > denominator || (twiceRemainder === denominator && quotient % 2n === 1n)) {
    return quotient + 1n;
  }
  return quotient;
}

/** units / 10^decimals written with exactly `decimals` decimals (units >= 0) */
function formatFixed(units: bigint, decimals: number): string {
  const digits = units.toString().padStart(decimals + 1, '0');
  return `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
}

function toCfuMs(cfuMs: bigint | number): bigint {
  if (typeof cfuMs === 'number' ? Number.isSafeInteger(cfuMs) && cfuMs >= 0 : cfuMs >= 0n) {
    return BigInt(cfuMs);
  }
  throw new RiffleError(
    'INVALID_CFU_MS',
    'internal',
    `CFU-milliseconds must be a whole number of at least 0, not ${String(cfuMs)}.`,
  );
}
