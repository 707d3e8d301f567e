import type { RedisOptions } from '@riffle/config';
import { DependencyProbe } from '@riffle/observability';
import { Redis } from 'ioredis';

/** BullMQ workers need `maxRetriesPerRequest: null`; the same settings serve queues and probes. */
/**
 * The app's shared connection, for commands made on behalf of a request or a job (queueing a job, a
 * rate-limit token, a probe): while Redis is away they fail at once instead of waiting in ioredis's
 * offline queue, so nothing hangs on it. Workers' blocking connections (createRedisConnection) wait.
 */
export function createCommandConnection(options: RedisOptions, name: string): Redis {
  const redis = new Redis(options.url, {
    connectionName: `riffle-${name}`,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    enableReadyCheck: true,
    lazyConnect: true,
    retryStrategy: (attempt) => Math.min(attempt * 200, 5_000),
  });
  redis.connect().catch(() => undefined); // reconnects by itself (retryStrategy)
  return redis;
}

export function createRedisConnection(options: RedisOptions, name: string): Redis {
  return new Redis(options.url, {
    connectionName: `riffle-${name}`,
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    lazyConnect: true,
    retryStrategy: (attempt) => Math.min(attempt * 200, 5_000),
  });
}

export class RedisProbe extends DependencyProbe {
  readonly name = 'redis';

  constructor(private readonly redis: Redis) {
    super();
  }

  async check(): Promise<void> {
    if (this.redis.status === 'wait') await this.redis.connect();
    const pong = await this.redis.ping();
    if (pong !== 'PONG') throw new Error(`unexpected PING answer ${pong}`);
  }
}
