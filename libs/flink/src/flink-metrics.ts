import type { Metrics } from '@riffle/observability';
import { flinkCalls } from './flink-http';

/** SQL Gateway and JobManager REST latency per method and path template, for this app's metrics */
export function registerFlinkMetrics(metrics: Metrics): { onApplicationShutdown(): void } {
  const histogram = metrics.histogram(
    'flink_request_duration_seconds',
    'Flink REST calls (SQL Gateway, JobManager) by method, path template and status (0 = no answer)',
    ['method', 'path', 'status'],
    [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
  );
  const listener = (call: { method: string; path: string; seconds: number; status: number }) =>
    histogram.observe({ method: call.method, path: call.path, status: String(call.status) }, call.seconds);
  flinkCalls.on('call', listener);
  return { onApplicationShutdown: () => void flinkCalls.off('call', listener) };
}
