import {
  apiConfig,
  billingConfig,
  databaseConfig,
  type Environment,
  flinkConfig,
  kafkaConfig,
  loadConfigs,
  redisConfig,
} from '@riffle/config';

export function loadApiConfig(env: Environment) {
  return loadConfigs(env, {
    api: apiConfig,
    database: databaseConfig,
    redis: redisConfig,
    kafka: kafkaConfig,
    flink: flinkConfig,
    billing: billingConfig,
  });
}
export type ApiConfig = ReturnType<typeof loadApiConfig>;
