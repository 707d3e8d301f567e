import type { StackComponent } from './component';
import { flinkCluster, flinkClusterUrls } from './components/flink';
import { kafka, kafkaBootstrap, kafkaTenantBootstrap } from './components/kafka';
import { registry, registryUrl } from './components/registry';
import { sqlAnalyzer, sqlAnalyzerUrl } from './components/sql-analyzer';
import { localSecretsKey } from './secrets';

/** What `npm start` runs on this machine. Tunables come from RIFFLE_* variables (docs/configuration.md). */
export interface LocalStackOptions {
  flinkClusters: number;
  taskManagersPerCluster: number;
  slotsPerTaskManager: number;
}

function positiveInt(name: string, fallback: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new Error(`${name} must be a whole number from 1 to ${max} (got ${JSON.stringify(raw)})`);
  }
  return value;
}

export function localStackOptions(): LocalStackOptions {
  return {
    flinkClusters: positiveInt('RIFFLE_FLINK_CLUSTERS', 1, 4),
    taskManagersPerCluster: positiveInt('RIFFLE_FLINK_TASKMANAGERS', 1, 8),
    slotsPerTaskManager: positiveInt('RIFFLE_FLINK_SLOTS', 4, 32),
  };
}

export function localStack(options: LocalStackOptions): StackComponent[] {
  const clusters = Array.from({ length: options.flinkClusters }, (_, clusterId) =>
    flinkCluster({
      clusterId,
      taskManagers: options.taskManagersPerCluster,
      slotsPerTaskManager: options.slotsPerTaskManager,
    }),
  );
  return [kafka(), registry(), ...clusters.flat(), sqlAnalyzer()];
}

/** The environment the three apps (and the e2e tests) need to reach the local stack. */
export function stackEnvironment(): Record<string, string> {
  const cluster = flinkClusterUrls(0);
  return {
    KAFKA_BOOTSTRAP_SERVERS: kafkaBootstrap(),
    KAFKA_TENANT_BOOTSTRAP_SERVERS: kafkaTenantBootstrap(),
    KAFKA_TENANT_SECURITY_PROTOCOL: 'SASL_PLAINTEXT',
    RIFFLE_SECRETS_KEY: localSecretsKey(),
    SCHEMA_REGISTRY_URL: `${registryUrl()}/apis/ccompat/v7`,
    FLINK_REST_URL: cluster.restUrl,
    FLINK_SQL_GATEWAY_URL: cluster.gatewayUrl,
    SQL_ANALYZER_URL: sqlAnalyzerUrl(),
    // tenants may register this machine's Kafka and registry as external clusters (e2e tests do)
    EGRESS_ALLOW: [kafkaBootstrap(), new URL(registryUrl()).host].join(','),
  };
}
