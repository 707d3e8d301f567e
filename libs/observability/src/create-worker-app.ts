import type { DynamicModule, INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Logger } from 'pino';
import { NestPinoLogger } from './logger';

/**
 * Scheduler and metering are queue workers with a small HTTP side for /health, /ready and (later)
 * metrics. No request bodies are accepted.
 */
export async function createWorkerApp(module: DynamicModule, logger: Logger): Promise<INestApplication> {
  const app = await NestFactory.create(module, {
    logger: new NestPinoLogger(logger),
    bodyParser: false,
    abortOnError: false,
  });
  app.enableShutdownHooks();
  return app;
}
