import {
  type Attributes,
  type Context,
  context,
  type Link,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { suppressTracing, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  ParentBasedSampler,
  SimpleSpanProcessor,
  type SpanProcessor,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { TracingOptions } from '@riffle/config';

export { SpanKind } from '@opentelemetry/api';
export type { Attributes, Context, Span } from '@opentelemetry/api';

/** The process's tracing: `enabled` is false when nothing records spans (exporter `none`). */
export interface Tracing {
  readonly enabled: boolean;
  /** export the spans still buffered (on shutdown) */
  flush(): Promise<void>;
  /** flush, then uninstall: spans are no-ops again and `installTracing` may be called anew */
  shutdown(): Promise<void>;
}

const DISABLED: Tracing = { enabled: false, flush: async () => undefined, shutdown: async () => undefined };
let installed: Tracing = DISABLED;

/**
 * Installs this process's tracer provider, W3C `traceparent` propagation and async context, once, before
 * the app is built. With the exporter `none` and no extra processors nothing is installed: every span is
 * a no-op and no trace context travels. Tests pass `spanProcessors` (an in-memory exporter) to look at
 * the spans. Apps in one process (the e2e tests) share the one provider.
 */
export function installTracing(
  app: string,
  options: TracingOptions,
  extra: { spanProcessors?: SpanProcessor[] } = {},
): Tracing {
  if (installed.enabled) throw new Error('tracing is already installed in this process');
  const spanProcessors = [...exporterProcessors(options), ...(extra.spanProcessors ?? [])];
  if (!spanProcessors.length) return DISABLED;

  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.serviceName ?? `riffle-${app}` }),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(options.sampleRatio) }),
    spanProcessors,
  });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);

  const tracing: Tracing = {
    enabled: true,
    flush: () => provider.forceFlush(),
    shutdown: async () => {
      if (installed !== tracing) return;
      installed = DISABLED;
      await provider.shutdown();
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
  installed = tracing;
  return tracing;
}

function exporterProcessors(options: TracingOptions): SpanProcessor[] {
  switch (options.exporter) {
    case 'none':
      return [];
    case 'console':
      return [new SimpleSpanProcessor(new ConsoleSpanExporter())];
    case 'otlp':
      return [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${options.otlpEndpoint}/v1/traces` }))];
  }
}

/** whether spans are recorded in this process: with tracing off, the HTTP edge skips its span hooks */
export function tracingInstalled(): boolean {
  return installed.enabled;
}

/** Nest provider for each app: buffered spans are exported before the process exits. */
export class FlushTracesOnShutdown {
  async onApplicationShutdown(): Promise<void> {
    await installed.flush();
  }
}

export interface SpanSettings {
  kind?: SpanKind;
  attributes?: Attributes;
  links?: Link[];
  /** the parent; by default the active context */
  parent?: Context;
  /** start a new trace whatever the parent (links may still point at related spans) */
  root?: boolean;
}

/**
 * Runs `work` inside a new active span named `name`, from the tracer `scope` (the library or app that
 * makes it). A thrown error is recorded on the span and rethrown; the span ends when `work` settles.
 */
export function inSpan<T>(
  scope: string,
  name: string,
  settings: SpanSettings,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const { parent = context.active(), ...options } = settings;
  return trace.getTracer(scope).startActiveSpan(name, options, parent, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      failSpan(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Runs `work` with tracing suppressed: for health probes, which run every few seconds and mean little. */
export function untraced<T>(work: () => T): T {
  return context.with(suppressTracing(context.active()), work);
}

/** marks a span failed with the error's message (and `code`, for RiffleErrors) */
export function failSpan(span: Span, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  span.recordException(error instanceof Error ? error : message);
  span.setStatus({ code: SpanStatusCode.ERROR, message });
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') span.setAttribute('error.type', code);
}

/** W3C trace context as it travels in a queue job's data (both fields optional: older jobs have none). */
export interface TraceCarrier {
  traceparent?: string;
  tracestate?: string;
}

/** The active (or given) context as `traceparent`/`tracestate`; empty when tracing is off. */
export function injectTraceContext(from: Context = context.active()): TraceCarrier {
  const fields: Record<string, string> = {};
  propagation.inject(from, fields);
  const carrier: TraceCarrier = {};
  if (fields.traceparent) carrier.traceparent = fields.traceparent;
  if (fields.tracestate) carrier.tracestate = fields.tracestate;
  return carrier;
}

/** The remote parent a carrier names, as a context to start spans in; the root context when it names none. */
export function extractTraceContext(carrier: TraceCarrier | undefined): Context {
  const fields: Record<string, string> = {};
  if (typeof carrier?.traceparent === 'string') fields.traceparent = carrier.traceparent;
  if (typeof carrier?.tracestate === 'string') fields.tracestate = carrier.tracestate;
  return propagation.extract(ROOT_CONTEXT, fields);
}

/** a link to the span a context names (none for the root context), for a span that is not its child */
export function linksTo(from: Context): Link[] {
  const spanContext = trace.getSpanContext(from);
  return spanContext && trace.isSpanContextValid(spanContext) ? [{ context: spanContext }] : [];
}

/** `trace_id` and `span_id` of the active span, for log lines; empty outside a span or when tracing is off. */
export function activeTraceIds(): { trace_id?: string; span_id?: string } {
  const span = trace.getActiveSpan();
  if (!span) return {};
  const { traceId, spanId } = span.spanContext();
  return trace.isSpanContextValid(span.spanContext()) ? { trace_id: traceId, span_id: spanId } : {};
}
