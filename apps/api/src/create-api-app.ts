import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { GetStatement } from '@riffle/application';
import type { Environment } from '@riffle/config';
import { createLogger, Metrics, NestPinoLogger, tracingInstalled } from '@riffle/observability';
import type { Logger } from 'pino';
import { type ApiConfig, loadApiConfig } from './api.config';
import { ApiModule } from './api.module';
import { ApiKeyAuthenticator } from './auth/api-key-authenticator';
import { httpMetrics } from './http/http-metrics';
import { httpTracing } from './http/http-tracing';
import { acceptJsonBodies, sizeInBytes } from './http/json-body';
import { ProblemDetailsFilter } from './http/problem-details.filter';
import { requestIds } from './http/request-ids';
import {
  documentStatementReads,
  serveStatementReads,
  serveStatementReadsFirst,
} from './statements/statement-read.route';

export interface ApiApp {
  app: INestApplication;
  config: ApiConfig;
  logger: Logger;
}

/**
 * Builds and initialises the API without listening, so e2e tests drive the very same app through
 * supertest. Nest on Fastify: the HTTP edge (request ids, tracing, metrics, JSON bodies) is Fastify
 * hooks and one content-type parser; everything after routing is Nest, except the busiest read, the GET
 * of one statement, which is served ahead of Fastify and, in its rarer forms, by a plain Fastify route
 * (statement-read.route.ts says why).
 */
export async function createApiApp(env: Environment): Promise<ApiApp> {
  const config = loadApiConfig(env);
  const logger = createLogger('api', config.api.logLevel);
  const adapter = new FastifyAdapter({
    // no router limit of its own on path parameters (Node caps the request line at 16 KiB): an
    // overlong name reaches the use case and gets its problem+json answer, never the router's bare 414
    routerOptions: { maxParamLength: 16_384, ignoreTrailingSlash: true },
    bodyLimit: sizeInBytes(config.api.bodyLimit),
    // no Nest middleware here (the queue dashboard is a hijacked reply): without middie no request
    // walks an empty Express-style middleware chain
    skipMiddie: true,
  });
  const app = await NestFactory.create<NestFastifyApplication>(ApiModule.forRoot(config), adapter, {
    logger: new NestPinoLogger(logger),
    bodyParser: false,
    abortOnError: false,
  });
  const fastify = app.getHttpAdapter().getInstance();
  requestIds(fastify);
  // installed before the app is built (main, or the test); off, a span per request is pure cost
  if (tracingInstalled()) httpTracing(fastify);
  const observe = httpMetrics(fastify, app.get(Metrics));
  acceptJsonBodies(fastify, sizeInBytes(config.api.bodyLimit));
  app.useGlobalFilters(new ProblemDetailsFilter(logger));
  const reads = { authenticator: app.get(ApiKeyAuthenticator), getStatement: app.get(GetStatement) };
  serveStatementReads(fastify, reads);
  if (!tracingInstalled()) serveStatementReadsFirst(fastify, reads, observe, logger);

  const openApi = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Riffle API')
      .setDescription('Managed Flink SQL: statements, tables, compute pools and billing.')
      .setVersion('v1')
      .addBasicAuth({ type: 'http', scheme: 'basic', description: 'API key id and secret' })
      .build(),
  );
  documentStatementReads(openApi);
  SwaggerModule.setup('docs', app, openApi, { jsonDocumentUrl: 'openapi.json' });
  await app.init();
  await fastify.ready();
  return { app, config, logger };
}
