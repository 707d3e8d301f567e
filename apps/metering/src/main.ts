import 'reflect-metadata';
import { processEnvironment, shutdownConfig, tracingConfig } from '@riffle/config';
import {
  createLogger,
  createWorkerApp,
  installTracing,
  runMain,
  shutDownGracefullyOnSignals,
} from '@riffle/observability';
import { loadMeteringConfig, MeteringModule } from './metering.module';

runMain('metering', async () => {
  const env = processEnvironment();
  const config = loadMeteringConfig(env);
  const shutdown = shutdownConfig.load(env);
  installTracing('metering', tracingConfig.load(env));
  const logger = createLogger('metering', config.metering.logLevel);
  const app = await createWorkerApp(MeteringModule.forRoot(config, logger), logger);
  await app.listen(config.metering.port, config.metering.host);
  shutDownGracefullyOnSignals(app, logger, shutdown);
  logger.info({ url: `http://${config.metering.host}:${config.metering.port}` }, 'listening');
});
