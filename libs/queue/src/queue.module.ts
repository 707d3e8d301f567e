import { type DynamicModule, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { RedisOptions } from '@riffle/config';
import { Redis } from 'ioredis';
import { createCommandConnection, RedisProbe } from './redis-connection';

class RedisCloser implements OnApplicationShutdown {
  constructor(@Inject(Redis) private readonly redis: Redis) {}

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }
}

/** The app's Redis connection for queues and probes; workers open their own blocking connections. */
@Module({})
export class QueueModule {
  static forRoot(options: RedisOptions, app: string): DynamicModule {
    return {
      module: QueueModule,
      global: true,
      providers: [
        { provide: Redis, useFactory: () => createCommandConnection(options, app) },
        { provide: RedisProbe, inject: [Redis], useFactory: (redis: Redis) => new RedisProbe(redis) },
        RedisCloser,
      ],
      exports: [Redis, RedisProbe],
    };
  }
}
