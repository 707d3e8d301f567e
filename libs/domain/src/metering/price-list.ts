import { z } from 'zod';
import { RiffleError } from '../riffle-error';
import { isPrice } from './cost-lines';

/**
 * Prices per CFU-hour, as decimal strings (see the pricing rule in cost-lines.ts). The most specific price
 * applies: an organization's override, then the region's price, then the default.
 */
export interface PriceList {
  /** ISO 4217, e.g. "USD" */
  readonly currency: string;
  readonly defaultUnitPrice: string;
  /** by cloud region, e.g. { "eu-west-1": "0.23" } */
  readonly regions?: Readonly<Record<string, string>>;
  /** by organization id */
  readonly organizations?: Readonly<Record<string, string>>;
}

const price = z.string().refine(isPrice, {
  message: 'must be a decimal price per CFU-hour like "0.21" (digits, optional fraction, no sign)',
});
const priceList = z.strictObject({
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 currency code like "USD"'),
  defaultUnitPrice: price,
  regions: z.record(z.string().min(1), price).optional(),
  organizations: z.record(z.string().min(1), price).optional(),
});

/** Validates a parsed price list file; the error lists every problem with its JSON path. */
export function parsePriceList(json: unknown): PriceList {
  const parsed = priceList.safeParse(json);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    return `${path || '(the whole list)'}: ${issue.message}`;
  });
  throw new RiffleError(
    'INVALID_PRICE_LIST',
    'invalid',
    `The price list is invalid; fix these and load it again: ${problems.join('; ')}. Expected ` +
      '{ "currency": "USD", "defaultUnitPrice": "0.21", "regions"?: { region: price }, ' +
      '"organizations"?: { organizationId: price } }.',
  );
}

/** The price per CFU-hour for a cost line: organization override > region > default. */
export function unitPriceFor(
  list: PriceList,
  scope: { readonly organizationId: string; readonly region?: string | null },
): string {
  const { organizations, regions } = list;
  if (organizations && Object.hasOwn(organizations, scope.organizationId)) {
    return organizations[scope.organizationId]!;
  }
  if (regions && scope.region != null && Object.hasOwn(regions, scope.region)) return regions[scope.region]!;
  return list.defaultUnitPrice;
}
