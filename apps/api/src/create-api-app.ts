import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { Environment } from '@riffle/config';
import { createLogger, Metrics, NestPinoLogger } from '@riffle/observability';
import type { Logger } from 'pino';
import { type ApiConfig, loadApiConfig } from './api.config';
import { ApiModule } from './api.module';
import { bodyErrors } from './http/body-errors.middleware';
import { httpMetrics } from './http/http-metrics.middleware';
import { ProblemDetailsFilter } from './http/problem-details.filter';
import { requestId } from './http/request-id.middleware';
import { httpTracing } from './http/tracing.middleware';

export interface ApiApp {
  app: INestApplication;
  config: ApiConfig;
  logger: Logger;
}

/** Builds the API without listening, so e2e tests drive the very same app through supertest. */
export async function createApiApp(env: Environment): Promise<ApiApp> {
  const config = loadApiConfig(env);
  const logger = createLogger('api', config.api.logLevel);
  const app = await NestFactory.create<NestExpressApplication>(ApiModule.forRoot(config), {
    logger: new NestPinoLogger(logger),
    bodyParser: false,
    abortOnError: false,
  });
  app.disable('x-powered-by');
  app.use(httpTracing());
  app.use(requestId);
  app.use(httpMetrics(app.get(Metrics)));
  app.useBodyParser('json', {
    limit: config.api.bodyLimit,
    type: ['application/json', 'application/*+json'],
  });
  app.use(bodyErrors);
  app.useGlobalFilters(new ProblemDetailsFilter(logger));

  const openApi = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Riffle API')
      .setDescription('Managed Flink SQL: statements, tables, compute pools and billing.')
      .setVersion('v1')
      .addBasicAuth({ type: 'http', scheme: 'basic', description: 'API key id and secret' })
      .build(),
  );
  SwaggerModule.setup('docs', app, openApi, { jsonDocumentUrl: 'openapi.json' });
  return { app, config, logger };
}
