import { context, propagation, ROOT_CONTEXT, SpanStatusCode, trace } from '@opentelemetry/api';
import { SpanKind, untraced } from '@riffle/observability';
import type { NextFunction, Request, Response } from 'express';

/** probes and scrapes arrive every few seconds and would bury the traces worth reading */
const UNTRACED = new Set(['/health', '/ready', '/metrics']);

/**
 * A SERVER span per request, named by method and route template (`POST /sql/v1/…/statements`), child
 * of the caller's `traceparent` when it sends one. Everything the request does — the use case, the
 * queue job it enqueues, Kafka and Flink calls — runs inside it. A no-op while tracing is off.
 */
export function httpTracing() {
  const tracer = trace.getTracer('riffle-api');
  return (request: Request, response: Response, next: NextFunction) => {
    if (UNTRACED.has(request.path)) return untraced(next);
    const parent = propagation.extract(ROOT_CONTEXT, request.headers);
    const span = tracer.startSpan(
      request.method,
      {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': request.method,
          'url.path': request.path,
          'url.scheme': request.protocol,
        },
      },
      parent,
    );
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      const route = (request.route as { path?: string } | undefined)?.path;
      if (route) {
        span.updateName(`${request.method} ${request.baseUrl}${route}`);
        span.setAttribute('http.route', `${request.baseUrl}${route}`);
      }
      span.setAttribute('http.response.status_code', response.statusCode);
      if (!response.writableFinished) span.setAttribute('riffle.http.aborted', true);
      if (response.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    };
    response.on('finish', end);
    response.on('close', end);
    context.with(trace.setSpan(parent, span), next);
  };
}
