import { Writable } from 'node:stream';
import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { tracingConfig } from '@riffle/config';
import pino from 'pino';
import {
  activeTraceIds,
  extractTraceContext,
  injectTraceContext,
  inSpan,
  installTracing,
  SpanKind,
  type Tracing,
  untraced,
} from './tracing';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;

describe('tracing off (the default)', () => {
  it('installs nothing: spans are no-ops and no context is carried', async () => {
    const tracing = installTracing('test', tracingConfig.load({}));
    expect(tracing.enabled).toBe(false);
    await inSpan('test', 'work', {}, async (span) => {
      expect(span.isRecording()).toBe(false);
      expect(injectTraceContext()).toEqual({});
      expect(activeTraceIds()).toEqual({});
    });
  });
});

describe('tracing on', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;

  beforeAll(() => {
    tracing = installTracing('test', tracingConfig.load({}), {
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
  });
  afterAll(() => tracing.shutdown());
  beforeEach(() => exporter.reset());

  it('carries the active span through a job carrier to a child span on the other side', async () => {
    const carrier = await inSpan('test', 'enqueue', { kind: SpanKind.PRODUCER }, async () =>
      injectTraceContext(),
    );
    const [, traceId, spanId] = TRACEPARENT.exec(carrier.traceparent ?? '') ?? [];
    const producer = exporter.getFinishedSpans()[0]!;
    expect(traceId).toBe(producer.spanContext().traceId);
    expect(spanId).toBe(producer.spanContext().spanId);

    // the carrier survives a JSON round trip, as in Redis
    const parent = extractTraceContext(JSON.parse(JSON.stringify(carrier)));
    expect(trace.getSpanContext(parent)).toMatchObject({ traceId, spanId, isRemote: true });
    await inSpan('test', 'process', { kind: SpanKind.CONSUMER, parent }, async () => undefined);
    const consumer = exporter.getFinishedSpans()[1]!;
    expect(consumer.spanContext().traceId).toBe(traceId);
    expect(consumer.parentSpanContext?.spanId).toBe(spanId);
  });

  it.each([undefined, {}, { traceparent: 'not-a-traceparent' }, { traceparent: 42 as unknown as string }])(
    'starts a new trace when the carrier is %p',
    async (carrier) => {
      const parent = extractTraceContext(carrier);
      expect(trace.getSpanContext(parent)).toBeUndefined();
      await inSpan('test', 'process', { parent }, async () => undefined);
      expect(exporter.getFinishedSpans()[0]!.parentSpanContext).toBeUndefined();
    },
  );

  it('records a thrown error on the span and rethrows it', async () => {
    const failure = Object.assign(new Error('gateway away'), { code: 'FLINK_UNAVAILABLE' });
    await expect(
      inSpan('test', 'call', {}, async () => {
        throw failure;
      }),
    ).rejects.toBe(failure);
    const [span] = exporter.getFinishedSpans();
    expect(span!.status).toEqual({ code: 2, message: 'gateway away' });
    expect(span!.attributes['error.type']).toBe('FLINK_UNAVAILABLE');
    expect(span!.events[0]!.name).toBe('exception');
  });

  it('records nothing inside `untraced` (health probes)', async () => {
    await untraced(() => inSpan('test', 'probe', {}, async () => undefined));
    expect(exporter.getFinishedSpans()).toEqual([]);
  });

  it('puts trace_id and span_id on log lines written inside a span', async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    const logger = pino({ mixin: activeTraceIds }, sink);
    logger.info('outside');
    const ids = await inSpan('test', 'work', {}, async (span) => {
      logger.info('inside');
      return span.spanContext();
    });
    expect(lines[0]).not.toHaveProperty('trace_id');
    expect(lines[1]).toMatchObject({ msg: 'inside', trace_id: ids.traceId, span_id: ids.spanId });
  });
});
