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
  fastify.addHook('onResponse', (request, reply, done) => {
    histogram.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
    done();
  });
}
