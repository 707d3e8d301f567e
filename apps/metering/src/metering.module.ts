import { type DynamicModule, Module } from '@nestjs/common';
import {
  CloseUsageMinutes,
  CostReader,
  PublishUsageEvents,
  RunBillingExport,
  UsageEventLog,
  UsageMinuteStore,
} from '@riffle/application';
import {
  billingConfig,
  databaseConfig,
  type Environment,
  kafkaConfig,
  loadConfigs,
  meteringConfig,
  redisConfig,
} from '@riffle/config';
import { KafkaModule, KafkaProbe, KafkaUsageEventLog } from '@riffle/kafka';
import {
  createLogger,
  DEPENDENCY_PROBES,
  type DependencyProbe,
  FlushTracesOnShutdown,
  HealthController,
  inSpan,
  Metrics,
  MetricsController,
} from '@riffle/observability';
import {
  LocalDirectoryExportSink,
  PersistenceModule,
  PostgresProbe,
  registerStateMetrics,
  SqlBillingExportRepository,
  SqlCostReader,
  SqlUsageMinuteStore,
} from '@riffle/persistence';
import {
  QUEUES,
  queuePrefix,
  QueueModule,
  QueueWorker,
  QueueWorkerProbe,
  RedisProbe,
  registerQueueMetrics,
} from '@riffle/queue';
import { Redis } from 'ioredis';
import { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { MeteringLoop } from './metering-loop';

export function loadMeteringConfig(env: Environment) {
  return loadConfigs(env, {
    metering: meteringConfig,
    billing: billingConfig,
    database: databaseConfig,
    redis: redisConfig,
    kafka: kafkaConfig,
  });
}
export type MeteringConfig = ReturnType<typeof loadMeteringConfig>;

/** one deployment's name, from its database: topics and transactional ids never mix deployments */
const deploymentName = (databaseUrl: string) =>
  decodeURIComponent(new URL(databaseUrl).pathname.replace(/^\//, '')) || 'default';

/** Usage minutes from the allocation ledger, their CloudEvents, and billing exports. */
@Module({})
export class MeteringModule {
  static forRoot(
    config: MeteringConfig,
    logger: Logger = createLogger('metering', config.metering.logLevel),
  ): DynamicModule {
    const deployment = deploymentName(config.database.url);
    return {
      module: MeteringModule,
      imports: [
        PersistenceModule.forRoot(config.database),
        QueueModule.forRoot(config.redis, 'metering'),
        KafkaModule.forRoot(config.kafka, 'metering'),
      ],
      controllers: [HealthController, MetricsController],
      providers: [
        FlushTracesOnShutdown,
        { provide: Metrics, useFactory: () => new Metrics('metering') },
        {
          provide: 'STATE_METRICS',
          inject: [Metrics, DataSource],
          useFactory: (metrics: Metrics, db: DataSource) => registerStateMetrics(metrics, db),
        },
        {
          provide: 'QUEUE_METRICS',
          inject: [Metrics, Redis],
          useFactory: (metrics: Metrics, redis: Redis) =>
            registerQueueMetrics(metrics, redis, queuePrefix(config.redis, config.database)),
        },
        {
          provide: UsageMinuteStore,
          inject: [DataSource],
          useFactory: (ds: DataSource) => new SqlUsageMinuteStore(ds),
        },
        { provide: CostReader, inject: [DataSource], useFactory: (ds: DataSource) => new SqlCostReader(ds) },
        {
          provide: UsageEventLog,
          inject: [Kafka],
          useFactory: (kafka: Kafka) =>
            new KafkaUsageEventLog(
              kafka,
              config.metering.eventsTopic ?? `riffle.${deployment}.usage-minutes`,
              `riffle-metering-${deployment}`,
            ),
        },
        {
          provide: MeteringLoop,
          inject: [UsageMinuteStore, UsageEventLog],
          useFactory: (store: UsageMinuteStore, log: UsageEventLog) =>
            new MeteringLoop(
              new CloseUsageMinutes(store, { graceMs: config.metering.closeGraceMs }),
              new PublishUsageEvents(store, log, {
                source: `/riffle/${config.billing.region}/${deployment}`,
              }),
              config.metering.tickMs,
              logger,
            ),
        },
        {
          provide: RunBillingExport,
          inject: [DataSource, CostReader],
          useFactory: (ds: DataSource, costs: CostReader) =>
            new RunBillingExport(
              new SqlBillingExportRepository(ds),
              costs,
              new LocalDirectoryExportSink(config.billing.exportDirectory),
              config.billing,
            ),
        },
        {
          provide: QueueWorker,
          inject: [RunBillingExport, Metrics],
          useFactory: (exports: RunBillingExport, metrics: Metrics) =>
            new QueueWorker(
              QUEUES.usageMetering,
              {
                'billing.export': ({ exportId }) =>
                  inSpan(
                    'riffle-metering',
                    'billing export',
                    { attributes: { 'riffle.export.id': exportId } },
                    () => exports.execute(exportId),
                  ),
              },
              config.redis,
              queuePrefix(config.redis, config.database),
              // export jobs carry no organization: one lane, as many at once as configured
              { jobs: config.metering.concurrency, perOrganization: config.metering.concurrency },
              logger,
              metrics,
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
