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
  HealthController,
} from '@riffle/observability';
import {
  LocalDirectoryExportSink,
  PersistenceModule,
  PostgresProbe,
  SqlBillingExportRepository,
  SqlCostReader,
  SqlUsageMinuteStore,
} from '@riffle/persistence';
import { QUEUES, queuePrefix, QueueModule, QueueWorker, QueueWorkerProbe, RedisProbe } from '@riffle/queue';
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
      controllers: [HealthController],
      providers: [
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
          inject: [RunBillingExport],
          useFactory: (exports: RunBillingExport) =>
            new QueueWorker(
              QUEUES.usageMetering,
              { 'billing.export': ({ exportId }) => exports.execute(exportId) },
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
