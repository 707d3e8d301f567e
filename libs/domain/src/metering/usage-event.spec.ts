import { USAGE_MINUTE_EVENT_TYPE, usageMinuteEvent, usageMinuteEventId } from './usage-event';

const minute = Date.UTC(2026, 10, 22, 5, 4);
const usage = {
  statementUid: '5b0c3f1e-0000-4000-8000-000000000001',
  minuteStartMs: minute,
  cfuMs: 500n,
  minimumTopUpMs: 59_500n,
  billedCfuMs: 60_000n,
  organizationId: 'org-1',
  environmentId: 'env-1',
  computePoolId: null,
};

describe('usageMinuteEvent', () => {
  it('is a CloudEvents 1.0 structured event with exact CFU-seconds', () => {
    expect(usageMinuteEvent(usage, '/riffle/metering')).toEqual({
      specversion: '1.0',
      id: '5b0c3f1e-0000-4000-8000-000000000001:2026-11-22T05:04Z',
      type: USAGE_MINUTE_EVENT_TYPE,
      source: '/riffle/metering',
      subject: '5b0c3f1e-0000-4000-8000-000000000001',
      time: '2026-11-22T05:05:00Z',
      datacontenttype: 'application/json',
      data: {
        organization_id: 'org-1',
        environment_id: 'env-1',
        compute_pool_id: null,
        statement_uid: '5b0c3f1e-0000-4000-8000-000000000001',
        minute: '2026-11-22T05:04:00Z',
        cfu_seconds: '0.5',
        billed_cfu_seconds: '60',
        minimum_charge_cfu_seconds: '59.5',
      },
    });
    expect(USAGE_MINUTE_EVENT_TYPE).toBe('io.riffle.flink.usage.minute.closed.v1');
  });

  it('is the same event, and JSON, every time it is built', () => {
    const event = usageMinuteEvent({ ...usage, computePoolId: 'lfcp-1' }, 'src');
    expect(JSON.stringify(event)).toBe(
      JSON.stringify(usageMinuteEvent({ ...usage, computePoolId: 'lfcp-1' }, 'src')),
    );
    expect(event.data.compute_pool_id).toBe('lfcp-1');
  });

  it('ends the last minute of a day at midnight', () => {
    const last = Date.UTC(2026, 11, 31, 23, 59);
    const event = usageMinuteEvent({ ...usage, minuteStartMs: last }, 'src');
    expect([event.id, event.time, event.data.minute]).toEqual([
      `${usage.statementUid}:2026-12-31T23:59Z`,
      '2027-01-01T00:00:00Z',
      '2026-12-31T23:59:00Z',
    ]);
  });

  it('rejects a time that is not a minute start', () => {
    expect(() => usageMinuteEventId('s', minute + 1)).toThrow(
      expect.objectContaining({ code: 'INVALID_MINUTE' }),
    );
  });
});
