import type { Metrics } from '@riffle/observability';
import type { FastifyInstance } from 'fastify';

/** counts one answered request: method, route template, status, seconds it took */
export type ObserveRequest = (method: string, route: string, status: number, seconds: number) => void;

/** request count and latency per method, route template and status, for every Fastify route */
export function httpMetrics(fastify: FastifyInstance, metrics: Metrics): ObserveRequest {
  const histogram = metrics.boundHistogram(
    'http_request_duration_seconds',
    'API requests by method, route template and status',
    ['method', 'route', 'status'],
    [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
  );
  // one series per method, route template and status, found by one string (a bounded set: templates, not URLs)
  const series = new Map<string, (seconds: number) => void>();
  const observe: ObserveRequest = (method, route, status, seconds) => {
    const key = `${method} ${status} ${route}`;
    let observed = series.get(key);
    if (!observed) series.set(key, (observed = histogram.bind(method, route, String(status))));
    observed(seconds);
  };
  fastify.addHook('onResponse', (request, reply, done) => {
    observe(
      request.method,
      request.routeOptions.url ?? 'unmatched',
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
    done();
  });
  return observe;
}
