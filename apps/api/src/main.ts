import 'reflect-metadata';
import { processEnvironment } from '@riffle/config';
import { runMain } from '@riffle/observability';
import { createApiApp } from './create-api-app';

runMain('api', async () => {
  const { app, config, logger } = await createApiApp(processEnvironment());
  await app.listen(config.api.port, config.api.host);
  logger.info({ url: `http://${config.api.host}:${config.api.port}` }, 'listening');
});
