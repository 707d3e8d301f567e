import type { Metrics } from '@riffle/observability';
import type { FastifyInstance } from 'fastify';

/** request count and latency per method, route template and status */
export function httpMetrics(fastify: FastifyInstance, metrics: Metrics): void {
  const histogram = metrics.histogram(
    'http_request_duration_seconds',
    'API requests by method, route template and status',
    ['method', 'route', 'status'],
    [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
  );
  // one series per method, route template and status, looked up by a string rather than by hashing a
  // labels object on every response (a bounded set: templates, not URLs)
  const series = new Map<string, ReturnType<typeof histogram.labels>>();
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const key = `${request.method} ${reply.statusCode} ${route}`;
    let observed = series.get(key);
    if (!observed)
      series.set(key, (observed = histogram.labels(request.method, route, String(reply.statusCode))));
    observed.observe(reply.elapsedTime / 1000);
    done();
  });
}
