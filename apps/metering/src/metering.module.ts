import { type DynamicModule, Module } from '@nestjs/common';
import {
  databaseConfig,
  type Environment,
  kafkaConfig,
  loadConfigs,
  meteringConfig,
  redisConfig,
} from '@riffle/config';
import { KafkaModule, KafkaProbe } from '@riffle/kafka';
import {
  createLogger,
  DEPENDENCY_PROBES,
  type DependencyProbe,
  HealthController,
} from '@riffle/observability';
import { PersistenceModule, PostgresProbe } from '@riffle/persistence';
import { QUEUES, queuePrefix, QueueModule, QueueWorker, QueueWorkerProbe, RedisProbe } from '@riffle/queue';
import type { Logger } from 'pino';

export function loadMeteringConfig(env: Environment) {
  return loadConfigs(env, {
    metering: meteringConfig,
    database: databaseConfig,
    redis: redisConfig,
    kafka: kafkaConfig,
  });
}
export type MeteringConfig = ReturnType<typeof loadMeteringConfig>;

/** Usage minutes from the allocation ledger, cost lines and exports. */
@Module({})
export class MeteringModule {
  static forRoot(
    config: MeteringConfig,
    logger: Logger = createLogger('metering', config.metering.logLevel),
  ): DynamicModule {
    return {
      module: MeteringModule,
      imports: [
        PersistenceModule.forRoot(config.database),
        QueueModule.forRoot(config.redis, 'metering'),
        KafkaModule.forRoot(config.kafka, 'metering'),
      ],
      controllers: [HealthController],
      providers: [
        {
          provide: QueueWorker,
          useFactory: () =>
            new QueueWorker(
              QUEUES.usageMetering,
              {},
              config.redis,
              queuePrefix(config.redis, config.database),
              config.metering.concurrency,
              logger,
            ),
        },
        {
          provide: QueueWorkerProbe,
          inject: [QueueWorker],
          useFactory: (w: QueueWorker) => new QueueWorkerProbe(w),
        },
        {
          provide: DEPENDENCY_PROBES,
          inject: [PostgresProbe, RedisProbe, KafkaProbe, QueueWorkerProbe],
          useFactory: (...probes: DependencyProbe[]) => probes,
        },
      ],
    };
  }
}
