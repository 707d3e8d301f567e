import 'reflect-metadata';
import { processEnvironment } from '@riffle/config';
import { createLogger, createWorkerApp, runMain } from '@riffle/observability';
import { loadSchedulerConfig, SchedulerModule } from './scheduler.module';

runMain('scheduler', async () => {
  const config = loadSchedulerConfig(processEnvironment());
  const logger = createLogger('scheduler', config.scheduler.logLevel);
  const app = await createWorkerApp(SchedulerModule.forRoot(config, logger), logger);
  await app.listen(config.scheduler.port, config.scheduler.host);
  logger.info({ url: `http://${config.scheduler.host}:${config.scheduler.port}` }, 'listening');
});
