import type { INestApplication } from '@nestjs/common';
import { databaseConfig } from '@riffle/config';
import { createLogger, createWorkerApp } from '@riffle/observability';
import { createDataSource } from '@riffle/persistence';
import type { TestTenant } from '@riffle/testing';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { createApiApp } from '../../../apps/api/src/create-api-app';
import { loadMeteringConfig, MeteringModule } from '../../../apps/metering/src/metering.module';
import { loadSchedulerConfig, SchedulerModule } from '../../../apps/scheduler/src/scheduler.module';

/** Riffle's apps in the test process, on the real stack, plus a connection to its database. */
export interface Riffle {
  api: INestApplication;
  scheduler?: INestApplication;
  metering?: INestApplication;
  db: DataSource;
  close(): Promise<void>;
}

export async function startRiffle(
  env: Record<string, string>,
  apps: { scheduler?: boolean; metering?: boolean } = {},
): Promise<Riffle> {
  const db = createDataSource(databaseConfig.load(env));
  await db.initialize();
  const api = (await createApiApp(env)).app;
  await api.init();
  let scheduler: INestApplication | undefined;
  let metering: INestApplication | undefined;
  if (apps.scheduler) {
    const config = loadSchedulerConfig(env);
    const logger = createLogger('scheduler', config.scheduler.logLevel);
    scheduler = await createWorkerApp(SchedulerModule.forRoot(config, logger), logger);
  }
  if (apps.metering) {
    const config = loadMeteringConfig(env);
    const logger = createLogger('metering', config.metering.logLevel);
    metering = await createWorkerApp(MeteringModule.forRoot(config, logger), logger);
  }
  const workers = [scheduler, metering].filter((w): w is INestApplication => w !== undefined);
  for (const worker of workers) await worker.init();
  return {
    api,
    scheduler,
    metering,
    db,
    close: async () => {
      await Promise.all([api.close(), ...workers.map((w) => w.close())]);
      await db.destroy();
    },
  };
}

/** HTTP calls as one tenant */
export const as = (api: INestApplication, tenant: TestTenant) => ({
  get: (path: string) => request(api.getHttpServer()).get(path).set('authorization', tenant.authorization),
  post: (path: string) => request(api.getHttpServer()).post(path).set('authorization', tenant.authorization),
  put: (path: string) => request(api.getHttpServer()).put(path).set('authorization', tenant.authorization),
  patch: (path: string) =>
    request(api.getHttpServer()).patch(path).set('authorization', tenant.authorization),
  delete: (path: string) =>
    request(api.getHttpServer()).delete(path).set('authorization', tenant.authorization),
});

/** registers the stack's Kafka (and registry) as the tenant environment's cluster `main` */
export async function registerKafka(api: INestApplication, tenant: TestTenant, env: Record<string, string>) {
  const response = await as(api, tenant)
    .post('/cmk/v2/clusters')
    .send({
      display_name: 'main',
      spec: {
        environment: { id: tenant.environmentId },
        bootstrap_servers: env.KAFKA_BOOTSTRAP_SERVERS,
        schema_registry_url: env.SCHEMA_REGISTRY_URL,
      },
    });
  if (response.status !== 201)
    throw new Error(`registering Kafka failed: ${response.status} ${response.text}`);
  return response.body as { id: string; display_name: string };
}
