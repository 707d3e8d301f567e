import 'reflect-metadata';
import { processEnvironment, shutdownConfig, tracingConfig } from '@riffle/config';
import {
  createLogger,
  createWorkerApp,
  installTracing,
  runMain,
  shutDownGracefullyOnSignals,
} from '@riffle/observability';
import { loadSchedulerConfig, SchedulerModule } from './scheduler.module';

runMain('scheduler', async () => {
  const env = processEnvironment();
  const config = loadSchedulerConfig(env);
  const shutdown = shutdownConfig.load(env);
  installTracing('scheduler', tracingConfig.load(env));
  const logger = createLogger('scheduler', config.scheduler.logLevel);
  const app = await createWorkerApp(SchedulerModule.forRoot(config, logger), logger);
  await app.listen(config.scheduler.port, config.scheduler.host);
  shutDownGracefullyOnSignals(app, logger, shutdown);
  logger.info({ url: `http://${config.scheduler.host}:${config.scheduler.port}` }, 'listening');
});
