import { formatCfuSeconds } from './cost-lines';
import { MINUTE_MS, minuteKey, type UsageMinute } from './usage-minutes';

/**
 * DESIGN §6: one CloudEvent (1.0, structured mode) per closed usage minute. Every field is a function of
 * the usage record, so re-publishing after a crash yields the same event and the same `id`
 * (`<statement_uid>:<minute>`), by which downstream billing deduplicates.
 */
export const USAGE_MINUTE_EVENT_TYPE = 'io.riffle.flink.usage.minute.closed.v1';

export interface UsageMinuteEventData {
  readonly organization_id: string;
  readonly environment_id: string;
  readonly compute_pool_id: string | null;
  readonly statement_uid: string;
  /** the minute's start, e.g. "2026-11-22T05:04:00Z" */
  readonly minute: string;
  /** exact decimal strings (see formatCfuSeconds) */
  readonly cfu_seconds: string;
  readonly billed_cfu_seconds: string;
  readonly minimum_charge_cfu_seconds: string;
}

export interface UsageMinuteCloudEvent {
  readonly specversion: '1.0';
  readonly id: string;
  readonly type: typeof USAGE_MINUTE_EVENT_TYPE;
  readonly source: string;
  readonly subject: string;
  /** the minute's end: when the usage became final */
  readonly time: string;
  readonly datacontenttype: 'application/json';
  readonly data: UsageMinuteEventData;
}

export type AttributedUsageMinute = UsageMinute & {
  readonly organizationId: string;
  readonly environmentId: string;
  readonly computePoolId: string | null;
};

/** The event's `id`: `<statement_uid>:<minute>`, e.g. `stmt-1:2026-11-22T05:04Z`. */
export function usageMinuteEventId(statementUid: string, minuteStartMs: number): string {
  return `${statementUid}:${minuteKey(minuteStartMs)}`;
}

export function usageMinuteEvent(usage: AttributedUsageMinute, source: string): UsageMinuteCloudEvent {
  return {
    specversion: '1.0',
    id: usageMinuteEventId(usage.statementUid, usage.minuteStartMs),
    type: USAGE_MINUTE_EVENT_TYPE,
    source,
    subject: usage.statementUid,
    time: isoSeconds(usage.minuteStartMs + MINUTE_MS),
    datacontenttype: 'application/json',
    data: {
      organization_id: usage.organizationId,
      environment_id: usage.environmentId,
      compute_pool_id: usage.computePoolId,
      statement_uid: usage.statementUid,
      minute: isoSeconds(usage.minuteStartMs),
      cfu_seconds: formatCfuSeconds(usage.cfuMs),
      billed_cfu_seconds: formatCfuSeconds(usage.billedCfuMs),
      minimum_charge_cfu_seconds: formatCfuSeconds(usage.minimumTopUpMs),
    },
  };
}

/** "2026-11-22T05:04:00Z" for a minute boundary (minuteKey validates it) */
function isoSeconds(minuteStartMs: number): string {
  return `${minuteKey(minuteStartMs).slice(0, -1)}:00Z`;
}
