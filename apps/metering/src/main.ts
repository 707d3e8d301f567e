import 'reflect-metadata';
import { processEnvironment } from '@riffle/config';
import { createLogger, createWorkerApp, runMain } from '@riffle/observability';
import { loadMeteringConfig, MeteringModule } from './metering.module';

runMain('metering', async () => {
  const config = loadMeteringConfig(processEnvironment());
  const logger = createLogger('metering', config.metering.logLevel);
  const app = await createWorkerApp(MeteringModule.forRoot(config, logger), logger);
  await app.listen(config.metering.port, config.metering.host);
  logger.info({ url: `http://${config.metering.host}:${config.metering.port}` }, 'listening');
});
