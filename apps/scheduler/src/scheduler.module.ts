import { type DynamicModule, Module } from '@nestjs/common';
import {
  databaseConfig,
  type Environment,
  flinkConfig,
  kafkaConfig,
  loadConfigs,
  redisConfig,
  schedulerConfig,
} from '@riffle/config';
import { FlinkModule, JobManagerProbe, SqlGatewayProbe } from '@riffle/flink';
import { KafkaModule, KafkaProbe } from '@riffle/kafka';
import {
  createLogger,
  DEPENDENCY_PROBES,
  type DependencyProbe,
  HealthController,
} from '@riffle/observability';
import { PersistenceModule, PostgresProbe } from '@riffle/persistence';
import { QUEUES, QueueModule, QueueWorker, QueueWorkerProbe, RedisProbe } from '@riffle/queue';
import type { Logger } from 'pino';

export function loadSchedulerConfig(env: Environment) {
  return loadConfigs(env, {
    scheduler: schedulerConfig,
    database: databaseConfig,
    redis: redisConfig,
    kafka: kafkaConfig,
    flink: flinkConfig,
  });
}
export type SchedulerConfig = ReturnType<typeof loadSchedulerConfig>;

/** The control loops: statement reconcile, placement, fleet scaling, autoscaling. */
@Module({})
export class SchedulerModule {
  static forRoot(
    config: SchedulerConfig,
    logger: Logger = createLogger('scheduler', config.scheduler.logLevel),
  ): DynamicModule {
    return {
      module: SchedulerModule,
      imports: [
        PersistenceModule.forRoot(config.database),
        QueueModule.forRoot(config.redis, 'scheduler'),
        KafkaModule.forRoot(config.kafka, 'scheduler'),
        FlinkModule.forRoot(config.flink),
      ],
      controllers: [HealthController],
      providers: [
        {
          provide: QueueWorker,
          useFactory: () =>
            new QueueWorker(
              QUEUES.statementReconcile,
              {},
              config.redis,
              config.scheduler.concurrency,
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
          inject: [PostgresProbe, RedisProbe, KafkaProbe, SqlGatewayProbe, JobManagerProbe, QueueWorkerProbe],
          useFactory: (...probes: DependencyProbe[]) => probes,
        },
      ],
    };
  }
}
