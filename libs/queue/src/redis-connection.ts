import type { RedisOptions } from '@riffle/config';
import { DependencyProbe } from '@riffle/observability';
import { Redis } from 'ioredis';

/** BullMQ workers need `maxRetriesPerRequest: null`; the same settings serve queues and probes. */
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
