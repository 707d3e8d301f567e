import type { Metrics } from '@riffle/observability';
import type { NextFunction, Request, Response } from 'express';

/** request count and latency per method, route template and status */
export function httpMetrics(metrics: Metrics) {
  const histogram = metrics.histogram(
    'http_request_duration_seconds',
    'API requests by method, route template and status',
    ['method', 'route', 'status'],
    [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
  );
  return (request: Request, response: Response, next: NextFunction) => {
    const end = histogram.startTimer();
    response.on('finish', () => {
      const route = (request.route as { path?: string } | undefined)?.path;
      end({
        method: request.method,
        route: route ? `${request.baseUrl}${route}` : 'unmatched',
        status: String(response.statusCode),
      });
    });
    next();
  };
}
