import 'reflect-metadata';
import { processEnvironment, shutdownConfig, tracingConfig } from '@riffle/config';
import { installTracing, runMain, shutDownGracefullyOnSignals } from '@riffle/observability';
import { createApiApp } from './create-api-app';

runMain('api', async () => {
  const env = processEnvironment();
  const shutdown = shutdownConfig.load(env);
  installTracing('api', tracingConfig.load(env));
  const { app, config, logger } = await createApiApp(env);
  await app.listen(config.api.port, config.api.host);
  shutDownGracefullyOnSignals(app, logger, shutdown);
  logger.info({ url: `http://${config.api.host}:${config.api.port}` }, 'listening');
});
