import { type DynamicModule, Logger, Module, type Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import {
  AuthenticateApiKey,
  BillingExports,
  ComputePoolRepository,
  ComputePools,
  GetStatementUsage,
  GetTable,
  ListTables,
  ListCosts,
  ManageApiKeys,
  ManageRoleBindings,
  RequestBillingExport,
  UsageMinuteStore,
  CreateApiKey,
  CreateEnvironment,
  DeleteStatement,
  GetStatement,
  CachedIdentities,
  IdentityRepository,
  KafkaClusterRepository,
  LogicalClusterLogins,
  LogicalClusterTopics,
  ListStatementExceptions,
  ListStatements,
  ReadStatementResults,
  EgressGuard,
  RegisterKafkaCluster,
  ResultStore,
  PrepareStatementTables,
  SqlAnalyzer,
  StatementQueue,
  StatementRepository,
  SubmitStatement,
  TenantGate,
  TopicCatalog,
  UpdateStatement,
  ValidateStatement,
} from '@riffle/application';
import { platformEndpoints, secretsKeyOf } from '@riffle/config';
import type { EgressPolicy } from '@riffle/domain';
import {
  FlinkModule,
  JobManagerProbe,
  registerFlinkMetrics,
  SqlAnalyzerModule,
  SqlAnalyzerProbe,
  SqlGatewayProbe,
} from '@riffle/flink';
import {
  DnsEgressGuard,
  KafkaModule,
  KafkaProbe,
  KafkaLogicalClusterLogins,
  KafkaTopicCatalog,
  SchemaRegistryProbe,
} from '@riffle/kafka';
import { Kafka } from 'kafkajs';
import {
  DEPENDENCY_PROBES,
  type DependencyProbe,
  FlushTracesOnShutdown,
  HealthController,
  Metrics,
  MetricsController,
} from '@riffle/observability';
import {
  LocalDirectoryExportSink,
  PersistenceModule,
  PgStatementChangeFeed,
  SqlComputePoolRepository,
  SqlBillingExportRepository,
  SqlCostReader,
  SqlUsageMinuteStore,
  PostgresProbe,
  SqlIdempotencyRepository,
  SqlIdentityRepository,
  ClusterSecrets,
  SqlKafkaClusterRepository,
  SqlResultStore,
  SqlStatementRepository,
  SqlViewRepository,
  StatementReadCache,
} from '@riffle/persistence';
import {
  BullBillingExportQueue,
  BullStatementQueue,
  queuePrefix,
  QueueModule,
  RedisProbe,
} from '@riffle/queue';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { AdminModule } from './admin/admin.module';
import type { ApiConfig } from './api.config';
import { ApiKeyAuthenticator } from './auth/api-key-authenticator';
import { ApiKeyGuard } from './auth/api-key.guard';
import { ApiRateLimiter } from './http/api-rate-limiter';
import { TenantFairness } from './http/tenant-fairness.interceptor';
import { KafkaClustersController } from './catalog/kafka-clusters.controller';
import { TablesController } from './catalog/tables.controller';
import { IdentityController } from './identity/identity.controller';
import { BillingController } from './billing/billing.controller';
import { ComputePoolsController } from './compute/compute-pools.controller';
import { StatementsController } from './statements/statements.controller';

const PROBES = [
  PostgresProbe,
  RedisProbe,
  KafkaProbe,
  SchemaRegistryProbe,
  SqlGatewayProbe,
  JobManagerProbe,
  SqlAnalyzerProbe,
];

/** use cases are plain classes: Nest builds them from the ports they name */
/** where this API may connect for tenants: the allow-list, and the platform's own services it must refuse */
function egressPolicy(config: ApiConfig): EgressPolicy {
  return {
    allow: config.egress.allow,
    platform: platformEndpoints([
      ...config.kafka.brokers,
      config.kafka.schemaRegistryUrl,
      config.flink.restUrl,
      config.flink.sqlGatewayUrl,
      config.database.url,
      config.redis.url,
      config.sqlAnalyzer.url,
    ]),
  };
}

function useCase<T>(type: new (...args: never[]) => T, ports: unknown[]): Provider {
  return { provide: type, inject: ports as never[], useFactory: (...deps: never[]) => new type(...deps) };
}

@Module({})
export class ApiModule {
  static forRoot(config: ApiConfig): DynamicModule {
    const statementPorts = [IdentityRepository, StatementRepository];
    return {
      module: ApiModule,
      imports: [
        PersistenceModule.forRoot(config.database),
        QueueModule.forRoot(config.redis, 'api'),
        KafkaModule.forRoot(config.kafka, 'api'),
        FlinkModule.forRoot(config.flink),
        SqlAnalyzerModule.forRoot(config.sqlAnalyzer),
        AdminModule.forRoot({
          operatorOrganizationId: config.api.operatorOrganizationId,
          queuePrefix: queuePrefix(config.redis, config.database),
        }),
      ],
      controllers: [
        HealthController,
        MetricsController,
        IdentityController,
        KafkaClustersController,
        TablesController,
        StatementsController,
        BillingController,
        ComputePoolsController,
      ],
      providers: [
        FlushTracesOnShutdown,
        { provide: DEPENDENCY_PROBES, inject: PROBES, useFactory: (...p: DependencyProbe[]) => p },
        { provide: Metrics, useFactory: () => new Metrics('api') },
        {
          provide: 'FLINK_METRICS',
          inject: [Metrics],
          useFactory: (metrics: Metrics) => registerFlinkMetrics(metrics),
        },
        {
          provide: IdentityRepository,
          inject: [DataSource],
          useFactory: (db: DataSource) =>
            new CachedIdentities(new SqlIdentityRepository(db), config.api.identityCacheTtlMs),
        },
        {
          provide: StatementReadCache,
          inject: [DataSource],
          useFactory: (db: DataSource) => {
            const logger = new Logger(StatementReadCache.name);
            const feed = new PgStatementChangeFeed({
              url: config.database.url,
              log: (level, message) => (level === 'warn' ? logger.warn(message) : logger.log(message)),
            });
            return new StatementReadCache(
              new SqlStatementRepository(db),
              feed,
              config.statementCache.maxEntries,
            );
          },
        },
        {
          provide: StatementRepository,
          inject: [DataSource, StatementReadCache],
          // this replica's own spec changes leave its cache at once, without waiting for the NOTIFY
          useFactory: (db: DataSource, cache: StatementReadCache) =>
            new SqlStatementRepository(db, (scope, name) => cache.forget(scope, name)),
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
          useFactory: () => new LogicalClusterTopics(new KafkaTopicCatalog({ egress: egressPolicy(config) })),
        },
        { provide: EgressGuard, useFactory: () => new DnsEgressGuard(egressPolicy(config)) },
        {
          provide: RegisterKafkaCluster,
          inject: [IdentityRepository, KafkaClusterRepository, TopicCatalog, EgressGuard],
          useFactory: (
            identities: IdentityRepository,
            clusters: KafkaClusterRepository,
            catalog: TopicCatalog,
            egress: EgressGuard,
          ) => {
            const logger = new Logger(RegisterKafkaCluster.name);
            return new RegisterKafkaCluster(identities, clusters, catalog, egress, (message, error) =>
              logger.warn(`${message}: ${error instanceof Error ? error.message : String(error)}`),
            );
          },
        },
        useCase(ListTables, [IdentityRepository, KafkaClusterRepository, TopicCatalog]),
        useCase(GetTable, [IdentityRepository, KafkaClusterRepository, TopicCatalog]),
        {
          provide: SqlIdempotencyRepository,
          inject: [DataSource],
          useFactory: (db: DataSource) => new SqlIdempotencyRepository(db),
        },
        {
          provide: StatementQueue,
          inject: [Redis],
          useFactory: (redis: Redis) =>
            new BullStatementQueue(redis, queuePrefix(config.redis, config.database)),
        },
        useCase(AuthenticateApiKey, [IdentityRepository]),
        useCase(CreateEnvironment, [IdentityRepository, KafkaClusterRepository]),
        useCase(CreateApiKey, [IdentityRepository]),
        useCase(ManageApiKeys, [IdentityRepository]),
        useCase(ManageRoleBindings, [IdentityRepository]),
        {
          provide: SubmitStatement,
          inject: [
            ...statementPorts,
            StatementQueue,
            ComputePoolRepository,
            KafkaClusterRepository,
            SqlAnalyzer,
            ValidateStatement,
          ],
          useFactory: (
            identities: IdentityRepository,
            statements: StatementRepository,
            queue: StatementQueue,
            pools: ComputePoolRepository,
            clusters: KafkaClusterRepository,
            analyzer: SqlAnalyzer,
            validation: ValidateStatement,
          ) =>
            new SubmitStatement(
              identities,
              statements,
              queue,
              pools,
              clusters,
              analyzer,
              {
                ...config.api,
                maxOpenQueriesPerEnvironment: config.api.maxOpenQueriesPerEnvironment,
              },
              validation,
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
        useCase(ValidateStatement, [PrepareStatementTables, SqlAnalyzer]),
        {
          provide: ComputePoolRepository,
          inject: [DataSource],
          useFactory: (db: DataSource) => new SqlComputePoolRepository(db),
        },
        {
          provide: ComputePools,
          inject: [IdentityRepository, ComputePoolRepository],
          useFactory: (identities: IdentityRepository, pools: ComputePoolRepository) =>
            new ComputePools(identities, pools, config.api),
        },
        useCase(GetStatement, [IdentityRepository, StatementReadCache]),
        useCase(ListStatements, statementPorts),
        useCase(UpdateStatement, [...statementPorts, StatementQueue]),
        useCase(DeleteStatement, [...statementPorts, StatementQueue]),
        {
          provide: ResultStore,
          inject: [DataSource],
          useFactory: (db: DataSource) => new SqlResultStore(db),
        },
        {
          provide: ReadStatementResults,
          inject: [...statementPorts, ResultStore],
          useFactory: (
            identities: IdentityRepository,
            statements: StatementRepository,
            results: ResultStore,
          ) =>
            new ReadStatementResults(identities, statements, results, {
              resultsRetentionMs: config.results.retentionMs,
            }),
        },
        useCase(ListStatementExceptions, statementPorts),
        {
          provide: UsageMinuteStore,
          inject: [DataSource],
          useFactory: (db: DataSource) => new SqlUsageMinuteStore(db),
        },
        useCase(GetStatementUsage, [...statementPorts, UsageMinuteStore]),
        {
          provide: ListCosts,
          inject: [DataSource],
          useFactory: (db: DataSource) => new ListCosts(new SqlCostReader(db), config.billing),
        },
        {
          provide: RequestBillingExport,
          inject: [DataSource, Redis],
          useFactory: (db: DataSource, redis: Redis) =>
            new RequestBillingExport(
              new SqlBillingExportRepository(db),
              new BullBillingExportQueue(redis, queuePrefix(config.redis, config.database)),
              { ...config.billing, maxRangeDays: config.billing.exportMaxRangeDays },
            ),
        },
        {
          provide: BillingExports,
          inject: [DataSource],
          useFactory: (db: DataSource) =>
            new BillingExports(
              new SqlBillingExportRepository(db),
              new LocalDirectoryExportSink(config.billing.exportDirectory),
            ),
        },
        {
          provide: ApiRateLimiter,
          inject: [Redis],
          useFactory: (redis: Redis) =>
            new ApiRateLimiter(
              redis,
              queuePrefix(config.redis, config.database),
              config.api.rateLimitPerMinute,
            ),
        },
        useCase(ApiKeyAuthenticator, [AuthenticateApiKey, ApiRateLimiter]),
        {
          provide: TenantGate,
          useFactory: () =>
            new TenantGate(
              config.api.concurrentChangesPerOrganization,
              config.api.waitingChangesPerOrganization,
              config.api.changesPerSecondPerOrganization,
            ),
        },
        TenantFairness,
        { provide: APP_GUARD, useClass: ApiKeyGuard },
      ],
    };
  }
}
