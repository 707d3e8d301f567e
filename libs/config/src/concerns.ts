import { z } from 'zod';
import { type Endpoint, parseEgressAllow, parseEndpoint, parsePriceList } from '@riffle/domain';
import { ConfigurationError, defineConfig, httpUrl, port } from './define-config';

/** Defaults match the local stack started by `npm start` (deploy/local). */
export const LOCAL_DEFAULTS = {
  databaseUrl: 'postgres://postgres@127.0.0.1:5432/riffle',
  redisUrl: 'redis://127.0.0.1:6379',
  kafkaBootstrapServers: '127.0.0.1:9092',
  schemaRegistryUrl: 'http://127.0.0.1:8081/apis/ccompat/v7',
  flinkRestUrl: 'http://127.0.0.1:18081',
  flinkSqlGatewayUrl: 'http://127.0.0.1:18083',
} as const;

export const databaseConfig = defineConfig(
  'database',
  {
    DATABASE_URL: z
      .url({ protocol: /^postgres(ql)?$/, message: 'must be a postgres:// URL' })
      .default(LOCAL_DEFAULTS.databaseUrl),
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  },
  (v) => ({ url: v.DATABASE_URL, poolSize: v.DATABASE_POOL_SIZE }),
);
export type DatabaseOptions = ReturnType<typeof databaseConfig.load>;

export const redisConfig = defineConfig(
  'redis',
  {
    REDIS_URL: z
      .url({ protocol: /^rediss?$/, message: 'must be a redis:// URL' })
      .default(LOCAL_DEFAULTS.redisUrl),
    REDIS_QUEUE_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9:_-]{1,64}$/, 'must be 1-64 letters, digits, colons, dashes or underscores')
      .optional(),
  },
  (v) => ({ url: v.REDIS_URL, queuePrefix: v.REDIS_QUEUE_PREFIX }),
);
export type RedisOptions = ReturnType<typeof redisConfig.load>;

const hostPort = /^[A-Za-z0-9.-]+:\d{1,5}$/;
export const kafkaConfig = defineConfig(
  'kafka',
  {
    KAFKA_BOOTSTRAP_SERVERS: z
      .string()
      .default(LOCAL_DEFAULTS.kafkaBootstrapServers)
      .refine((s) => s.split(',').every((b) => hostPort.test(b.trim())), 'must be host:port[,host:port…]'),
    SCHEMA_REGISTRY_URL: httpUrl(LOCAL_DEFAULTS.schemaRegistryUrl),
    /** Riffle's own login to the platform Kafka (a super user: it manages every logical cluster) */
    KAFKA_SASL_MECHANISM: z.enum(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']).optional(),
    KAFKA_SASL_USERNAME: z.string().min(1).optional(),
    KAFKA_SASL_PASSWORD: z.string().min(1).optional(),
    KAFKA_TLS: z.enum(['true', 'false']).default('false'),
  },
  (v) => {
    if (v.KAFKA_SASL_MECHANISM && !(v.KAFKA_SASL_USERNAME && v.KAFKA_SASL_PASSWORD))
      throw new ConfigurationError(
        'Invalid kafka configuration:\n  KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD: must both be set with KAFKA_SASL_MECHANISM',
      );
    return kafkaOptions(v);
  },
);

function kafkaOptions(v: {
  KAFKA_BOOTSTRAP_SERVERS: string;
  SCHEMA_REGISTRY_URL: string;
  KAFKA_SASL_MECHANISM?: 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512';
  KAFKA_SASL_USERNAME?: string;
  KAFKA_SASL_PASSWORD?: string;
  KAFKA_TLS: 'true' | 'false';
}) {
  return {
    brokers: v.KAFKA_BOOTSTRAP_SERVERS.split(',').map((b) => b.trim()),
    schemaRegistryUrl: v.SCHEMA_REGISTRY_URL,
    /** the same shape as a registered cluster's credentials */
    credentials: {
      ...(v.KAFKA_TLS === 'true' ? { tls: true } : {}),
      ...(v.KAFKA_SASL_MECHANISM
        ? {
            sasl: {
              mechanism: v.KAFKA_SASL_MECHANISM,
              username: v.KAFKA_SASL_USERNAME ?? '',
              password: v.KAFKA_SASL_PASSWORD ?? '',
            },
          }
        : {}),
    },
  };
}
export type KafkaOptions = ReturnType<typeof kafkaConfig.load>;

/**
 * Where Riffle may connect on a tenant's behalf (domain egress-policy): public addresses only, plus what
 * EGRESS_ALLOW names (`host:port` endpoints and CIDR networks, comma-separated). The local stack allows
 * its own Kafka and registry so tests can register them as external clusters.
 */
export const egressConfig = defineConfig(
  'egress',
  {
    EGRESS_ALLOW: z
      .string()
      .default('')
      .superRefine((raw, ctx) => {
        try {
          parseEgressAllow(raw);
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: (error as Error).message });
        }
      }),
  },
  (v) => ({ allow: parseEgressAllow(v.EGRESS_ALLOW) }),
);
export type EgressOptions = ReturnType<typeof egressConfig.load>;

const DEFAULT_PORTS: Record<string, number> = {
  'http:': 80,
  'https:': 443,
  'postgres:': 5432,
  'postgresql:': 5432,
  'redis:': 6379,
  'rediss:': 6379,
};

/** the endpoints of the platform's own services (URLs or host:port), which tenants may never name */
export function platformEndpoints(addresses: readonly (string | undefined)[]): Endpoint[] {
  return addresses.flatMap((address) => {
    if (!address) return [];
    const plain = parseEndpoint(address);
    if (plain) return [plain];
    try {
      const url = new URL(address);
      const port = Number(url.port || DEFAULT_PORTS[url.protocol] || 0);
      return port ? [{ host: url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase(), port }] : [];
    } catch {
      return [];
    }
  });
}

/**
 * Logical clusters (docs/tenancy.md): each environment's default database lives on the platform Kafka
 * under a hidden topic prefix, and its Flink jobs log in to KAFKA_TENANT_BOOTSTRAP_SERVERS as the logical
 * cluster's own SCRAM principal, whose password is derived from RIFFLE_SECRETS_KEY (so none is stored).
 */
export const tenancyConfig = defineConfig(
  'tenancy',
  {
    RIFFLE_SECRETS_KEY: z
      .string()
      .optional()
      .refine(
        (raw) => raw === undefined || /^[A-Za-z0-9+/]{43}=$/.test(raw.trim()),
        'must be 32 random bytes in base64 (openssl rand -base64 32)',
      ),
    KAFKA_TENANT_BOOTSTRAP_SERVERS: z
      .string()
      .optional()
      .refine(
        (s) => s === undefined || s.split(',').every((b) => hostPort.test(b.trim())),
        'must be host:port[,host:port…]',
      ),
    KAFKA_TENANT_SECURITY_PROTOCOL: z.enum(['SASL_PLAINTEXT', 'SASL_SSL']).default('SASL_SSL'),
  },
  (v) => ({
    /** required by the apps that run statements (api, scheduler): {@link secretsKeyOf} */
    secretsKey:
      v.RIFFLE_SECRETS_KEY === undefined ? undefined : Buffer.from(v.RIFFLE_SECRETS_KEY.trim(), 'base64'),
    /** unset: the platform's KAFKA_BOOTSTRAP_SERVERS */
    tenantBootstrapServers: v.KAFKA_TENANT_BOOTSTRAP_SERVERS?.split(',').map((b) => b.trim()),
    tenantSecurityProtocol: v.KAFKA_TENANT_SECURITY_PROTOCOL,
  }),
);
export type TenancyOptions = ReturnType<typeof tenancyConfig.load>;

/** the secrets key, which the api and the scheduler cannot start without */
export function secretsKeyOf(tenancy: TenancyOptions): Buffer {
  if (tenancy.secretsKey) return tenancy.secretsKey;
  throw new ConfigurationError(
    "Invalid tenancy configuration:\n  RIFFLE_SECRETS_KEY: must be set: 32 random bytes in base64 (openssl rand -base64 32); keep it stable, logical clusters' Kafka passwords derive from it (got unset)",
  );
}

export const flinkConfig = defineConfig(
  'flink',
  {
    FLINK_REST_URL: httpUrl(LOCAL_DEFAULTS.flinkRestUrl),
    FLINK_SQL_GATEWAY_URL: httpUrl(LOCAL_DEFAULTS.flinkSqlGatewayUrl),
    FLINK_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(10_000),
  },
  (v) => ({
    restUrl: v.FLINK_REST_URL,
    sqlGatewayUrl: v.FLINK_SQL_GATEWAY_URL,
    requestTimeoutMs: v.FLINK_REQUEST_TIMEOUT_MS,
  }),
);
export type FlinkOptions = ReturnType<typeof flinkConfig.load>;

const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info');

export const apiConfig = defineConfig(
  'api',
  {
    API_HOST: z.string().default('127.0.0.1'),
    API_PORT: port(8080),
    API_BODY_LIMIT: z
      .string()
      .regex(/^\d+(b|kb|mb)$/i, 'must be a size like 5mb')
      .default('5mb'),
    API_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(10_000_000).default(3_000),
    API_MAX_STATEMENTS_PER_ENVIRONMENT: z.coerce.number().int().min(1).max(10_000_000).default(1_000),
    API_MAX_POOLS_PER_ENVIRONMENT: z.coerce.number().int().min(1).max(10_000).default(20),
    /** statement changes (create, update, delete) of one organization under way at once per API replica */
    API_CONCURRENT_CHANGES_PER_ORGANIZATION: z.coerce.number().int().min(1).max(1_000).default(4),
    /** … started per second at most */
    API_CHANGES_PER_SECOND_PER_ORGANIZATION: z.coerce.number().int().min(1).max(100_000).default(20),
    /** … and waiting their turn; more answer 429 TOO_MANY_CONCURRENT_REQUESTS */
    API_WAITING_CHANGES_PER_ORGANIZATION: z.coerce.number().int().min(0).max(100_000).default(1_000),
    /** queries (SELECT …) pending or running at once per environment; more answer 429 OPEN_QUERY_LIMIT */
    API_MAX_OPEN_QUERIES_PER_ENVIRONMENT: z.coerce.number().int().min(1).max(100_000).default(25),
    API_DEFAULT_POOL_MAX_CFU: z.coerce.number().int().min(1).max(10_000).default(10),
    /** the platform operator's organization: its OrgAdmins may open the queue dashboard (every tenant's jobs) */
    API_OPERATOR_ORGANIZATION_ID: z.uuid({ message: 'must be an organization id (a UUID)' }).optional(),
    /** how long an API replica keeps a key's roles and an environment; writes through it clear it at once */
    API_IDENTITY_CACHE_TTL_MS: z.coerce.number().int().min(0).max(300_000).default(5_000),
    LOG_LEVEL: logLevel,
  },
  (v) => ({
    host: v.API_HOST,
    port: v.API_PORT,
    bodyLimit: v.API_BODY_LIMIT,
    rateLimitPerMinute: v.API_RATE_LIMIT_PER_MINUTE,
    maxStatementsPerEnvironment: v.API_MAX_STATEMENTS_PER_ENVIRONMENT,
    maxPoolsPerEnvironment: v.API_MAX_POOLS_PER_ENVIRONMENT,
    maxOpenQueriesPerEnvironment: v.API_MAX_OPEN_QUERIES_PER_ENVIRONMENT,
    concurrentChangesPerOrganization: v.API_CONCURRENT_CHANGES_PER_ORGANIZATION,
    waitingChangesPerOrganization: v.API_WAITING_CHANGES_PER_ORGANIZATION,
    changesPerSecondPerOrganization: v.API_CHANGES_PER_SECOND_PER_ORGANIZATION,
    defaultPoolMaxCfu: v.API_DEFAULT_POOL_MAX_CFU,
    operatorOrganizationId: v.API_OPERATOR_ORGANIZATION_ID,
    identityCacheTtlMs: v.API_IDENTITY_CACHE_TTL_MS,
    logLevel: v.LOG_LEVEL,
  }),
);
export type ApiOptions = ReturnType<typeof apiConfig.load>;

/**
 * SIGTERM/SIGINT in every app: readiness turns 503 at once, new work stops after the drain delay (time for
 * load balancers to notice), in-flight requests and jobs finish, and the process exits within the grace.
 */
export const shutdownConfig = defineConfig(
  'shutdown',
  {
    SHUTDOWN_GRACE_MS: z.coerce.number().int().min(100).max(3_600_000).default(25_000),
    SHUTDOWN_DRAIN_DELAY_MS: z.coerce.number().int().min(0).max(600_000).default(0),
  },
  (v) => ({ graceMs: v.SHUTDOWN_GRACE_MS, drainDelayMs: v.SHUTDOWN_DRAIN_DELAY_MS }),
);
export type ShutdownOptions = ReturnType<typeof shutdownConfig.load>;

export const schedulerConfig = defineConfig(
  'scheduler',
  {
    SCHEDULER_HOST: z.string().default('127.0.0.1'),
    SCHEDULER_PORT: port(8091),
    /** reconcile jobs a replica holds at once … */
    SCHEDULER_CONCURRENCY: z.coerce.number().int().min(1).max(1_024).default(32),
    /** … of which one organization's run at once */
    SCHEDULER_CONCURRENCY_PER_ORGANIZATION: z.coerce.number().int().min(1).max(1_024).default(4),
    SCHEDULER_SWEEP_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(10_000),
    SCHEDULER_OBSERVE_INTERVAL_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),
    AUTOSCALER_ENABLED: z.enum(['true', 'false']).default('true'),
    AUTOSCALER_INTERVAL_MS: z.coerce.number().int().min(500).max(3_600_000).default(15_000),
    AUTOSCALER_STABILIZATION_MS: z.coerce.number().int().min(0).max(86_400_000).default(180_000),
    AUTOSCALER_SCALE_DOWN_DELAY_MS: z.coerce.number().int().min(0).max(86_400_000).default(3_600_000),
    AUTOSCALER_CATCH_UP_MS: z.coerce.number().int().min(1_000).max(86_400_000).default(300_000),
    AUTOSCALER_TARGET_UTILIZATION: z.coerce.number().gt(0).max(1).default(0.7),
    AUTOSCALER_MAX_PARALLELISM: z.coerce.number().int().min(1).max(32_768).default(128),
    LOG_LEVEL: logLevel,
  },
  (v) => ({
    autoscaler: {
      enabled: v.AUTOSCALER_ENABLED === 'true',
      intervalMs: v.AUTOSCALER_INTERVAL_MS,
      stabilizationMs: v.AUTOSCALER_STABILIZATION_MS,
      scaleDownDelayMs: v.AUTOSCALER_SCALE_DOWN_DELAY_MS,
      catchUpMs: v.AUTOSCALER_CATCH_UP_MS,
      targetUtilization: v.AUTOSCALER_TARGET_UTILIZATION,
      maxParallelism: v.AUTOSCALER_MAX_PARALLELISM,
    },
    host: v.SCHEDULER_HOST,
    port: v.SCHEDULER_PORT,
    concurrency: { jobs: v.SCHEDULER_CONCURRENCY, perOrganization: v.SCHEDULER_CONCURRENCY_PER_ORGANIZATION },
    sweepIntervalMs: v.SCHEDULER_SWEEP_INTERVAL_MS,
    observeIntervalMs: v.SCHEDULER_OBSERVE_INTERVAL_MS,
    logLevel: v.LOG_LEVEL,
  }),
);

/**
 * The results service (DESIGN §9.1): how many result-stream steps a scheduler replica runs at once, what
 * a query and an environment may keep, and for how long after the query ends.
 */
export const resultsConfig = defineConfig(
  'results',
  {
    RESULTS_CONCURRENCY: z.coerce.number().int().min(1).max(1_024).default(32),
    RESULTS_CONCURRENCY_PER_ORGANIZATION: z.coerce.number().int().min(1).max(1_024).default(4),
    RESULTS_MAX_ROWS_PER_QUERY: z.coerce.number().int().min(1).max(1_000_000_000).default(100_000),
    RESULTS_MAX_BYTES_PER_QUERY: z.coerce
      .number()
      .int()
      .min(1_024)
      .max(2 ** 40)
      .default(64 * 2 ** 20),
    RESULTS_MAX_BYTES_PER_ENVIRONMENT: z.coerce
      .number()
      .int()
      .min(1_024)
      .max(2 ** 50)
      .default(2 ** 30),
    RESULTS_RETENTION_MS: z.coerce
      .number()
      .int()
      .min(1_000)
      .max(31 * 86_400_000)
      .default(86_400_000),
    STATEMENT_RESULTS_IDLE_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(86_400_000).default(300_000),
  },
  (v) => ({
    concurrency: { jobs: v.RESULTS_CONCURRENCY, perOrganization: v.RESULTS_CONCURRENCY_PER_ORGANIZATION },
    limits: {
      maxRowsPerQuery: v.RESULTS_MAX_ROWS_PER_QUERY,
      maxBytesPerQuery: v.RESULTS_MAX_BYTES_PER_QUERY,
      maxBytesPerEnvironment: v.RESULTS_MAX_BYTES_PER_ENVIRONMENT,
    },
    retentionMs: v.RESULTS_RETENTION_MS,
    idleTimeoutMs: v.STATEMENT_RESULTS_IDLE_TIMEOUT_MS,
  }),
);
export type ResultsOptions = ReturnType<typeof resultsConfig.load>;

export const meteringConfig = defineConfig(
  'metering',
  {
    METERING_HOST: z.string().default('127.0.0.1'),
    METERING_PORT: port(8092),
    METERING_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(2),
    METERING_TICK_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),
    METERING_CLOSE_GRACE_MS: z.coerce.number().int().min(0).max(86_400_000).default(5_000),
    METERING_EVENTS_TOPIC: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,200}$/, 'must be a Kafka topic name')
      .optional(),
    LOG_LEVEL: logLevel,
  },
  (v) => ({
    host: v.METERING_HOST,
    port: v.METERING_PORT,
    concurrency: v.METERING_CONCURRENCY,
    tickMs: v.METERING_TICK_MS,
    closeGraceMs: v.METERING_CLOSE_GRACE_MS,
    eventsTopic: v.METERING_EVENTS_TOPIC,
    logLevel: v.LOG_LEVEL,
  }),
);
export type MeteringOptions = ReturnType<typeof meteringConfig.load>;

const DEFAULT_PRICE_LIST = '{"currency":"USD","defaultUnitPrice":"0.21"}';

export const billingConfig = defineConfig(
  'billing',
  {
    BILLING_REGION: z
      .string()
      .regex(/^[a-z0-9-]{1,64}$/, 'must be a region name like eu-west-1')
      .default('local'),
    BILLING_PRICE_LIST: z
      .string()
      .default(DEFAULT_PRICE_LIST)
      .transform((text, ctx) => {
        try {
          return parsePriceList(JSON.parse(text));
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: `must be a price list: ${(error as Error).message}` });
          return z.NEVER;
        }
      }),
    BILLING_MAX_RANGE_DAYS: z.coerce.number().int().min(1).max(3660).default(31),
    BILLING_EXPORT_MAX_RANGE_DAYS: z.coerce.number().int().min(1).max(3660).default(366),
    BILLING_EXPORT_DIR: z.string().min(1).default('.riffle/exports'),
  },
  (v) => ({
    region: v.BILLING_REGION,
    priceList: v.BILLING_PRICE_LIST,
    maxRangeDays: v.BILLING_MAX_RANGE_DAYS,
    exportMaxRangeDays: v.BILLING_EXPORT_MAX_RANGE_DAYS,
    exportDirectory: v.BILLING_EXPORT_DIR,
  }),
);
export type BillingConfigOptions = ReturnType<typeof billingConfig.load>;
export type SchedulerOptions = ReturnType<typeof schedulerConfig.load>;
