import type { DynamicModule, INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from 'pino';
import { NestPinoLogger } from './logger';

/**
 * Scheduler and metering are queue workers with a small HTTP side for /health, /ready and /metrics.
 * No request bodies are accepted. Built and initialised (workers connected), not yet listening.
 * Signals are handled by `shutDownGracefullyOnSignals` in main.
 */
export async function createWorkerApp(module: DynamicModule, logger: Logger): Promise<INestApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    module,
    new FastifyAdapter({ skipMiddie: true }),
    {
      logger: new NestPinoLogger(logger),
      bodyParser: false,
      abortOnError: false,
    },
  );
  app.getHttpAdapter().getInstance().removeAllContentTypeParsers();
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}
