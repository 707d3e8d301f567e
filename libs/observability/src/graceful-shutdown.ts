import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import type { Logger } from 'pino';
import { HealthController } from './health.controller';

export interface GracefulShutdownOptions {
  /** the whole shutdown must end within this; past it the process exits 1 with work unfinished */
  graceMs: number;
  /** readiness is 503 this long before the app stops accepting work (load balancers notice meanwhile) */
  drainDelayMs: number;
  /** runs after the app has closed, before exit (e.g. export the last buffered trace spans) */
  afterClose?: () => Promise<void>;
}

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * Replaces Nest's `enableShutdownHooks` (which re-raises the signal, so the process never exits 0).
 * On SIGTERM or SIGINT:
 * 1. `/ready` answers 503 at once;
 * 2. after `drainDelayMs`, `app.close()` runs Nest's hooks in order: queue workers stop taking jobs and
 *    finish the ones they hold (a job that asks to be seen again goes back to the queue, delayed);
 *    sweeps and loops stop; the HTTP listener stops accepting and in-flight requests complete; then
 *    Postgres, Redis and Kafka connections close;
 * 3. the process exits 0 — or 1 if that took longer than `graceMs` (a job still running then keeps
 *    its lock until it expires, and another scheduler takes it over: nothing is lost, only delayed).
 * A second signal while shutting down is logged and otherwise ignored: the grace timer decides.
 */
export function shutDownGracefullyOnSignals(
  app: INestApplication,
  logger: Logger,
  options: GracefulShutdownOptions,
): void {
  let shuttingDown = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (shuttingDown) {
      logger.warn({ signal }, 'already shutting down');
      return;
    }
    shuttingDown = true;
    void shutDown(app, logger, options, signal);
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);
}

async function shutDown(
  app: INestApplication,
  logger: Logger,
  { graceMs, drainDelayMs, afterClose }: GracefulShutdownOptions,
  signal: NodeJS.Signals,
): Promise<void> {
  const started = Date.now();
  logger.info({ signal, grace_ms: graceMs, drain_delay_ms: drainDelayMs }, 'shutting down');
  const deadline = setTimeout(() => {
    logger.error(
      { elapsed_ms: Date.now() - started, grace_ms: graceMs },
      'shutdown did not finish within the grace period; exiting with work unfinished',
    );
    process.exit(1);
  }, graceMs);
  deadline.unref();

  app.get(HealthController, { strict: false }).drain();
  if (drainDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, drainDelayMs));

  // keep-alive connections that sit idle would hold the listener open until they time out
  const server = app.getHttpServer() as Server;
  const idleCloser = setInterval(() => server.closeIdleConnections?.(), 250);
  idleCloser.unref();
  try {
    await app.close();
    await afterClose?.();
  } catch (error) {
    logger.error({ err: error }, 'shutdown failed');
    process.exit(1);
  }
  clearInterval(idleCloser);
  logger.info({ elapsed_ms: Date.now() - started }, 'shut down cleanly');
  process.exit(0);
}
