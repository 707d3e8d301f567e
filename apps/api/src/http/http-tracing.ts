import { context, propagation, ROOT_CONTEXT, type Span, SpanStatusCode, trace } from '@opentelemetry/api';
import { SpanKind, untraced } from '@riffle/observability';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/** probes and scrapes arrive every few seconds and would bury the traces worth reading */
const UNTRACED = new Set(['/health', '/ready', '/metrics']);

const SPAN = Symbol('riffle.span');
type TracedRequest = FastifyRequest & { [SPAN]?: { span: Span; parent: ReturnType<typeof context.active> } };

/**
 * A SERVER span per request, named by method and route template (`POST /sql/v1/…/statements`), child
 * of the caller's `traceparent` when it sends one. It starts when the request arrives (so it covers
 * reading the body) and everything the route does — guards, the use case, the queue job it enqueues,
 * Kafka and Flink calls — runs inside it. A no-op while tracing is off.
 */
export function httpTracing(fastify: FastifyInstance): void {
  const tracer = trace.getTracer('riffle-api');
  fastify.addHook('onRequest', (request: TracedRequest, reply, done) => {
    const path = request.url.split('?', 1)[0]!;
    if (UNTRACED.has(path)) return done();
    const parent = propagation.extract(ROOT_CONTEXT, request.headers);
    const span = tracer.startSpan(
      request.method,
      {
        kind: SpanKind.SERVER,
        attributes: { 'http.request.method': request.method, 'url.path': path, 'url.scheme': 'http' },
      },
      parent,
    );
    request[SPAN] = { span, parent };
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      const route = request.routeOptions.url;
      if (route) {
        span.updateName(`${request.method} ${route}`);
        span.setAttribute('http.route', route);
      }
      span.setAttribute('http.response.status_code', reply.statusCode);
      if (!reply.raw.writableFinished) span.setAttribute('riffle.http.aborted', true);
      if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    };
    reply.raw.on('finish', end);
    reply.raw.on('close', end);
    done();
  });
  // the body has been read; the route runs synchronously from `done`, so inside the span's context
  fastify.addHook('preHandler', (request: TracedRequest, _reply, done) => {
    const traced = request[SPAN];
    if (!traced) return untraced(done);
    context.with(trace.setSpan(traced.parent, traced.span), done);
  });
}
