import type { DynamicModule, INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Logger } from 'pino';
import { NestPinoLogger } from './logger';

/**
 * Scheduler and metering are queue workers with a small HTTP side for /health, /ready and /metrics.
 * No request bodies are accepted. Signals are handled by `shutDownGracefullyOnSignals` in main.
 */
export async function createWorkerApp(module: DynamicModule, logger: Logger): Promise<INestApplication> {
  const app = await NestFactory.create(module, {
    logger: new NestPinoLogger(logger),
    bodyParser: false,
    abortOnError: false,
  });
  return app;
}
