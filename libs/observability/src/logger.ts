import type { LoggerService } from '@nestjs/common';
import pino, { type Logger } from 'pino';
import { activeTraceIds } from './tracing';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/**
 * JSON lines on stdout, one logger per app; `app` is on every line, and `trace_id`/`span_id` on lines
 * written inside a span (when tracing is on), so a log line leads to its trace and back.
 */
export function createLogger(app: string, level: LogLevel): Logger {
  return pino({ level, base: { app }, timestamp: pino.stdTimeFunctions.isoTime, mixin: activeTraceIds });
}

/** Lets Nest's own messages (bootstrap, routes) go through the same JSON logger. */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, context?: string): void {
    this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string): void {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string): void {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string): void {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string): void {
    this.logger.trace({ context }, String(message));
  }
}
