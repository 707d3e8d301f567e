import { type DynamicModule, Module } from '@nestjs/common';
import {
  AutoscaleStatement,
  CellRepository,
  ClusterFleet,
  IdentityRepository,
  JobRecovery,
  PlaceStatement,
  SizeStatement,
  SourcePartitions,
  SqlAnalyzer,
  StatementEngines,
  WatchCells,
  KafkaClusterRepository,
  LogicalClusterLogins,
  LogicalClusterTopics,
  PrepareStatementTables,
  PumpQueryResults,
  ReconcileStatement,
  ResultStore,
  ResultsQueue,
  StatementQueue,
  StatementRepository,
  TopicCatalog,
} from '@riffle/application';
import {
  databaseConfig,
  type Environment,
  egressConfig,
  fleetConfig,
  flinkConfig,
  kafkaConfig,
  loadConfigs,
  platformEndpoints,
  secretsKeyOf,
  redisConfig,
  resultsConfig,
  schedulerConfig,
  sqlAnalyzerConfig,
  tenancyConfig,
} from '@riffle/config';
import {
  FileCheckpointLocator,
  FlinkModule,
  FlinkStatementEngines,
  JobManagerCellObserver,
  JobManagerProbe,
  registerFlinkMetrics,
  SqlAnalyzerModule,
  SqlGatewayProbe,
} from '@riffle/flink';
import { DEFAULT_AUTOSCALER_OPTIONS } from '@riffle/domain';
import { KafkaLogicalClusterLogins, KafkaModule, KafkaProbe, KafkaTopicCatalog } from '@riffle/kafka';
import { Kafka } from 'kafkajs';
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
  PersistenceModule,
  PostgresProbe,
  SqlCellRepository,
  SqlComputePoolRepository,
  SqlIdentityRepository,
  ClusterSecrets,
  SqlKafkaClusterRepository,
  SqlPoolAdmission,
  RESULTS_DATA_SOURCE,
  SqlResultStore,
  SqlScalingDecisionLog,
  registerStateMetrics,
  SqlStatementRepository,
  SqlViewRepository,
} from '@riffle/persistence';
import {
  BullResultsQueue,
  BullStatementQueue,
  QUEUES,
  QueueModule,
  QueueWorker,
  QueueWorkerProbe,
  RedisProbe,
  queuePrefix,
  registerQueueMetrics,
} from '@riffle/queue';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { CellWatch } from './cell-watch';
import { createFleet, firstCell } from './fleet';
import { ResultRetention } from './result-retention';
import { StatementSweep } from './statement-sweep';

/** the results service's worker: a second QueueWorker, on the statement-results queue */
const RESULTS_WORKER = 'RESULTS_WORKER';

export function loadSchedulerConfig(env: Environment) {
  const config = loadConfigs(env, {
    scheduler: schedulerConfig,
    database: databaseConfig,
    redis: redisConfig,
    kafka: kafkaConfig,
    egress: egressConfig,
    tenancy: tenancyConfig,
    flink: flinkConfig,
    fleet: fleetConfig,
    results: resultsConfig,
    sqlAnalyzer: sqlAnalyzerConfig,
  });
  secretsKeyOf(config.tenancy); // statements cannot run without it: refuse to start
  return config;
}
export type SchedulerConfig = ReturnType<typeof loadSchedulerConfig>;

/**
 * The control loops: statement reconcile (admission, placement, autoscaling), the cell watch, and the
 * results service that moves running queries' rows into result pages, each on a queue and a worker pool
 * of its own, shared fairly across organizations.
 */
@Module({})
export class SchedulerModule {
  static forRoot(
    config: SchedulerConfig,
    logger: Logger = createLogger('scheduler', config.scheduler.logLevel),
  ): DynamicModule {
    const { scheduler } = config;
    return {
      module: SchedulerModule,
      imports: [
        PersistenceModule.forRoot(config.database, { results: true }),
        QueueModule.forRoot(config.redis, 'scheduler'),
        KafkaModule.forRoot(config.kafka, 'scheduler'),
        FlinkModule.forRoot(config.flink),
        SqlAnalyzerModule.forRoot(config.sqlAnalyzer),
      ],
      controllers: [HealthController, MetricsController],
      providers: [
        FlushTracesOnShutdown,
        { provide: Metrics, useFactory: () => new Metrics('scheduler') },
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
          provide: 'FLINK_METRICS',
          inject: [Metrics],
          useFactory: (metrics: Metrics) => registerFlinkMetrics(metrics),
        },
        {
          provide: StatementRepository,
          inject: [DataSource],
          useFactory: (db: DataSource) => new SqlStatementRepository(db),
        },
        {
          provide: StatementQueue,
          inject: [Redis],
          useFactory: (redis: Redis) =>
            new BullStatementQueue(redis, queuePrefix(config.redis, config.database)),
        },
        {
          provide: IdentityRepository,
          inject: [DataSource],
          useFactory: (db: DataSource) => new SqlIdentityRepository(db),
        },
        {
          provide: KafkaClusterRepository,
          inject: [DataSource],
          useFactory: (db: DataSource) =>
            new SqlKafkaClusterRepository(
              db,
              {
                bootstrapServers: config.kafka.brokers.join(','),
                schemaRegistryUrl: config.kafka.schemaRegistryUrl,
                credentials: config.kafka.credentials,
              },
              new ClusterSecrets(secretsKeyOf(config.tenancy)),
            ),
        },
        {
          provide: TopicCatalog,
          useFactory: () =>
            new LogicalClusterTopics(
              new KafkaTopicCatalog({
                egress: {
                  allow: config.egress.allow,
                  platform: platformEndpoints([
                    ...config.kafka.brokers,
                    config.kafka.schemaRegistryUrl,
                    config.flink.restUrl,
                    config.flink.sqlGatewayUrl,
                    ...(config.fleet.cells ?? []).flatMap((cell) => [cell.restUrl, cell.gatewayUrl]),
                    config.database.url,
                    config.redis.url,
                    config.sqlAnalyzer.url,
                  ]),
                },
              }),
            ),
        },
        {
          provide: PrepareStatementTables,
          inject: [
            IdentityRepository,
            KafkaClusterRepository,
            TopicCatalog,
            SqlAnalyzer,
            LogicalClusterLogins,
            DataSource,
          ],
          useFactory: (
            identities: IdentityRepository,
            clusters: KafkaClusterRepository,
            catalog: TopicCatalog,
            analyzer: SqlAnalyzer,
            logins: LogicalClusterLogins,
            db: DataSource,
          ) =>
            new PrepareStatementTables(
              identities,
              clusters,
              catalog,
              analyzer,
              logins,
              new SqlViewRepository(db),
            ),
        },
        {
          provide: LogicalClusterLogins,
          inject: [Kafka],
          useFactory: (platform: Kafka) =>
            new KafkaLogicalClusterLogins(platform, {
              secretsKey: secretsKeyOf(config.tenancy),
              bootstrapServers: config.tenancy.tenantBootstrapServers ?? config.kafka.brokers,
              securityProtocol: config.tenancy.tenantSecurityProtocol,
            }),
        },
        { provide: ClusterFleet, useFactory: () => createFleet(config.fleet, config.flink) },
        {
          provide: CellRepository,
          inject: [DataSource],
          useFactory: (db: DataSource) => new SqlCellRepository(db),
        },
        {
          provide: StatementEngines,
          inject: [CellRepository],
          useFactory: (cells: CellRepository) =>
            new FlinkStatementEngines(
              cells,
              firstCell(config.fleet, config.flink),
              config.flink.requestTimeoutMs,
            ),
        },
        {
          provide: PlaceStatement,
          inject: [CellRepository, ClusterFleet, DataSource, StatementRepository],
          useFactory: (
            cells: CellRepository,
            fleet: ClusterFleet,
            db: DataSource,
            statements: StatementRepository,
          ) =>
            new PlaceStatement(
              cells,
              fleet,
              new JobManagerCellObserver(3_000),
              new SqlComputePoolRepository(db),
              statements,
            ),
        },
        {
          provide: CellWatch,
          inject: [ClusterFleet, CellRepository, StatementRepository, StatementQueue],
          useFactory: (
            fleet: ClusterFleet,
            cells: CellRepository,
            statements: StatementRepository,
            queue: StatementQueue,
          ) =>
            new CellWatch(
              fleet,
              cells,
              new WatchCells(
                cells,
                new JobManagerCellObserver(3_000),
                fleet,
                statements,
                new FileCheckpointLocator(),
                queue,
                { lostAfterMs: config.fleet.lostAfterMs },
              ),
              config.fleet.probeIntervalMs,
              logger,
            ),
        },
        {
          provide: ResultStore,
          inject: [RESULTS_DATA_SOURCE],
          useFactory: (db: DataSource) => new SqlResultStore(db),
        },
        {
          provide: ResultsQueue,
          inject: [Redis],
          useFactory: (redis: Redis) =>
            new BullResultsQueue(redis, queuePrefix(config.redis, config.database)),
        },
        {
          provide: ReconcileStatement,
          inject: [
            StatementRepository,
            StatementEngines,
            PrepareStatementTables,
            DataSource,
            KafkaClusterRepository,
            TopicCatalog,
            PlaceStatement,
            ResultStore,
            ResultsQueue,
          ],
          useFactory: (
            statements: StatementRepository,
            engines: StatementEngines,
            tables: PrepareStatementTables,
            db: DataSource,
            clusters: KafkaClusterRepository,
            topics: TopicCatalog,
            placement: PlaceStatement,
            results: ResultStore,
            resultsQueue: ResultsQueue,
          ) => {
            const admission = new SqlPoolAdmission(db);
            const sources = new SourcePartitions(clusters, topics);
            const autoscaler = scheduler.autoscaler.enabled
              ? new AutoscaleStatement(
                  engines,
                  statements,
                  admission,
                  sources,
                  new SqlScalingDecisionLog(db),
                  {
                    ...DEFAULT_AUTOSCALER_OPTIONS,
                    ...scheduler.autoscaler,
                  },
                )
              : undefined;
            return new ReconcileStatement(
              {
                statements,
                engines,
                tables,
                admission,
                results,
                resultsQueue,
                autoscaler,
                placement,
                sizing: new SizeStatement(sources, new SqlComputePoolRepository(db)),
                recovery: new JobRecovery(
                  new SqlCellRepository(db),
                  new FileCheckpointLocator(),
                  firstCell(config.fleet, config.flink).id,
                ),
              },
              { observeEveryMs: scheduler.observeIntervalMs },
            );
          },
        },
        {
          provide: PumpQueryResults,
          inject: [StatementRepository, ResultStore, StatementEngines],
          useFactory: (statements: StatementRepository, results: ResultStore, engines: StatementEngines) =>
            new PumpQueryResults(statements, results, engines, {
              idleTimeoutMs: config.results.idleTimeoutMs,
              limits: config.results.limits,
              maxPagesPerStep: 20,
              stepBudgetMs: 1_000,
            }),
        },
        {
          provide: QueueWorker,
          inject: [ReconcileStatement, Metrics],
          useFactory: (reconcile: ReconcileStatement, metrics: Metrics) =>
            new QueueWorker(
              QUEUES.statementReconcile,
              {
                'statement.reconcile': (data) =>
                  inSpan(
                    'riffle-scheduler',
                    'statement reconcile',
                    { attributes: { 'riffle.statement.uid': data.statementUid } },
                    () => reconcile.execute(data.statementUid),
                  ),
              },
              config.redis,
              queuePrefix(config.redis, config.database),
              scheduler.concurrency,
              logger,
              metrics,
            ),
        },
        {
          provide: RESULTS_WORKER,
          inject: [PumpQueryResults, Metrics],
          useFactory: (pump: PumpQueryResults, metrics: Metrics) =>
            new QueueWorker(
              QUEUES.statementResults,
              {
                'statement.results': (data) =>
                  inSpan(
                    'riffle-scheduler',
                    'statement results',
                    { attributes: { 'riffle.statement.uid': data.statementUid } },
                    () => pump.execute(data.statementUid),
                  ),
              },
              config.redis,
              queuePrefix(config.redis, config.database),
              config.results.concurrency,
              logger,
              metrics,
            ),
        },
        {
          provide: ResultRetention,
          inject: [ResultStore],
          useFactory: (results: ResultStore) =>
            new ResultRetention(results, config.results.retentionMs, logger),
        },
        {
          provide: StatementSweep,
          inject: [StatementRepository, StatementQueue],
          useFactory: (statements: StatementRepository, queue: StatementQueue) =>
            new StatementSweep(statements, queue, scheduler.sweepIntervalMs, logger),
        },
        {
          provide: DEPENDENCY_PROBES,
          inject: [
            PostgresProbe,
            RedisProbe,
            KafkaProbe,
            SqlGatewayProbe,
            JobManagerProbe,
            QueueWorker,
            RESULTS_WORKER,
          ],
          useFactory: (...deps: [...DependencyProbe[], QueueWorker, QueueWorker]) => [
            ...(deps.slice(0, 5) as DependencyProbe[]),
            ...(deps.slice(5) as QueueWorker[]).map((worker) => new QueueWorkerProbe(worker)),
          ],
        },
      ],
    };
  }
}
