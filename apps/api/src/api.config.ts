import {
  apiConfig,
  billingConfig,
  databaseConfig,
  defineConfig,
  egressConfig,
  type Environment,
  flinkConfig,
  kafkaConfig,
  loadConfigs,
  redisConfig,
  resultsConfig,
  secretsKeyOf,
  sqlAnalyzerConfig,
  tenancyConfig,
} from '@riffle/config';
import { z } from 'zod';

/**
 * How many statements an API replica keeps in its read cache (kept fresh by Postgres LISTEN/NOTIFY, so
 * there is no TTL). 0 turns it off: set it to 0 where LISTEN cannot work, e.g. behind a pooler in
 * transaction mode.
 */
export const statementCacheConfig = defineConfig(
  'statementCache',
  { API_STATEMENT_CACHE_MAX_ENTRIES: z.coerce.number().int().min(0).max(1_000_000).default(10_000) },
  (v) => ({ maxEntries: v.API_STATEMENT_CACHE_MAX_ENTRIES }),
);

export function loadApiConfig(env: Environment) {
  const config = loadConfigs(env, {
    api: apiConfig,
    database: databaseConfig,
    redis: redisConfig,
    kafka: kafkaConfig,
    egress: egressConfig,
    tenancy: tenancyConfig,
    flink: flinkConfig,
    billing: billingConfig,
    statementCache: statementCacheConfig,
    results: resultsConfig,
    sqlAnalyzer: sqlAnalyzerConfig,
  });
  secretsKeyOf(config.tenancy); // statements cannot be validated without it: refuse to start
  return config;
}
export type ApiConfig = ReturnType<typeof loadApiConfig>;
