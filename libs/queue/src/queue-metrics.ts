import type { Metrics } from '@riffle/observability';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { QUEUES } from './queues';

/** Jobs per queue and state (waiting, delayed, active, failed…), read from Redis when scraped. */
export function registerQueueMetrics(
  metrics: Metrics,
  connection: Redis,
  prefix: string,
): { onApplicationShutdown(): Promise<void> } {
  const queues = Object.values(QUEUES).map((name) => new Queue(name, { connection, prefix }));
  metrics.gaugeFrom('queue_jobs', 'Jobs per queue and state', ['queue', 'state'], async () => {
    const all = await Promise.all(
      queues.map(async (q) => ({
        queue: q.name,
        counts: await q.getJobCounts('wait', 'delayed', 'active', 'failed', 'prioritized'),
      })),
    );
    return all.flatMap(({ queue, counts }) =>
      Object.entries(counts).map(([state, value]) => ({ labels: { queue, state }, value })),
    );
  });
  return { onApplicationShutdown: async () => void (await Promise.all(queues.map((q) => q.close()))) };
}
