import { formatCfuSeconds, type PriceList, priceCostLine, unitPriceFor } from '@riffle/domain';
import type { CostGroup } from './metering.ports';

export interface PricingContext {
  priceList: PriceList;
  region: string;
}

/** One billing line as the costs API, the JSON Lines export and the CSV export show it. */
export interface CostLine {
  api_version: 'billing/v1';
  kind: 'Cost';
  id: string;
  start_date: string;
  end_date: string;
  granularity: 'DAILY';
  product: 'FLINK';
  line_type: 'FLINK_NUM_CFUS';
  organization_id: string;
  resource: { id: string; environment: { id: string } };
  statement?: { uid: string; name: string };
  /** CFU-hours, exact to 6 decimals */
  quantity: string;
  unit: 'CFU-hour';
  price: string;
  amount: string;
  currency: string;
  /** the exact usage behind the line */
  cfu_seconds: string;
  billed_cfu_seconds: string;
}

export const DEFAULT_POOL = 'default';

const nextDay = (day: string) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

export function costLine(group: CostGroup, pricing: PricingContext): CostLine {
  const unitPrice = unitPriceFor(pricing.priceList, {
    organizationId: group.organizationId,
    region: pricing.region,
  });
  const priced = priceCostLine(group.billedCfuMs, unitPrice);
  const pool = group.computePoolId ?? DEFAULT_POOL;
  return {
    api_version: 'billing/v1',
    kind: 'Cost',
    id: [group.day, group.environmentId, pool, ...(group.statementUid ? [group.statementUid] : [])].join(':'),
    start_date: group.day,
    end_date: nextDay(group.day),
    granularity: 'DAILY',
    product: 'FLINK',
    line_type: 'FLINK_NUM_CFUS',
    organization_id: group.organizationId,
    resource: { id: pool, environment: { id: group.environmentId } },
    ...(group.statementUid
      ? { statement: { uid: group.statementUid, name: group.statementName ?? '' } }
      : {}),
    quantity: priced.quantity,
    unit: 'CFU-hour',
    price: priced.unitPrice,
    amount: priced.amount,
    currency: pricing.priceList.currency,
    cfu_seconds: formatCfuSeconds(group.cfuMs),
    billed_cfu_seconds: formatCfuSeconds(group.billedCfuMs),
  };
}

export const CSV_COLUMNS = [
  'start_date',
  'end_date',
  'organization_id',
  'environment_id',
  'compute_pool_id',
  'statement_uid',
  'statement_name',
  'product',
  'line_type',
  'quantity',
  'unit',
  'price',
  'amount',
  'currency',
  'cfu_seconds',
  'billed_cfu_seconds',
] as const;

const csvField = (value: string) => (/[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

export function csvRow(line: CostLine): string {
  const values = [
    line.start_date,
    line.end_date,
    line.organization_id,
    line.resource.environment.id,
    line.resource.id,
    line.statement?.uid ?? '',
    line.statement?.name ?? '',
    line.product,
    line.line_type,
    line.quantity,
    line.unit,
    line.price,
    line.amount,
    line.currency,
    line.cfu_seconds,
    line.billed_cfu_seconds,
  ];
  return `${values.map(csvField).join(',')}\n`;
}
