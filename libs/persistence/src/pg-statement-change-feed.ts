import { Client } from 'pg';
import type { StatementChangeEvents, StatementChangeFeed } from './statement-read-cache';

/** the channel the `statements` trigger announces changes on (migration StatementChangeNotify) */
export const STATEMENT_CHANGED_CHANNEL = 'riffle_statement_changed';

export interface PgStatementChangeFeedOptions {
  url: string;
  /** how the connection shows in pg_stat_activity */
  applicationName?: string;
  /** how often the connection proves it is alive; a connection that silently died hears nothing */
  heartbeatMs?: number;
  /** how long connecting, LISTEN or a heartbeat may take before the connection counts as lost */
  timeoutMs?: number;
  firstRetryMs?: number;
  maxRetryMs?: number;
  log?: (level: 'info' | 'warn', message: string) => void;
  random?: () => number;
}

/**
 * Capped exponential backoff with jitter: attempt 0 waits about `firstMs`, each next one about twice as
 * long up to `maxMs`. Half of each wait is random, so replicas that lost Postgres together do not all
 * come back in the same instant.
 */
export function reconnectDelayMs(attempt: number, random: number, firstMs = 250, maxMs = 5_000): number {
  const ceiling = Math.min(maxMs, firstMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (random * ceiling) / 2);
}

/**
 * A dedicated connection (not one of the pool's, which are lent out per query) that LISTENs for
 * statement changes. When it fails or ends it reports `down` and reconnects with backoff; it never
 * throws into the process. A heartbeat query catches a connection that died without telling.
 */
export class PgStatementChangeFeed implements StatementChangeFeed {
  private events: StatementChangeEvents | undefined;
  /** the connection that is, or is becoming, the listening one */
  private client: Client | undefined;
  private connecting: Promise<void> | undefined;
  private retry: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private attempt = 0;
  private stopped = true;
  /** so an outage is logged once, not at every retry */
  private reportedDown = false;

  constructor(private readonly options: PgStatementChangeFeedOptions) {}

  async start(events: StatementChangeEvents): Promise<void> {
    this.events = events;
    this.stopped = false;
    this.reportedDown = false;
    this.attempt = 0;
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    clearInterval(this.heartbeat);
    await this.connecting;
    const client = this.client;
    this.client = undefined;
    if (client) await closeClient(client, this.timeoutMs);
  }

  private get timeoutMs(): number {
    return this.options.timeoutMs ?? 5_000;
  }

  private connect(): Promise<void> {
    this.connecting = this.listen().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async listen(): Promise<void> {
    if (this.stopped) return;
    const client = new Client({
      connectionString: this.options.url,
      application_name: this.options.applicationName ?? 'riffle-statement-cache',
      connectionTimeoutMillis: this.timeoutMs,
      query_timeout: this.timeoutMs,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
    });
    this.client = client;
    // errors and ends arrive as events too: handled here, never thrown at the process
    client.on('error', (error: Error) => this.lost(client, error.message));
    client.on('end', () => this.lost(client, 'the connection ended'));
    client.on('notification', (message) => {
      if (client !== this.client || message.channel !== STATEMENT_CHANGED_CHANNEL) return;
      if (message.payload) this.events?.changed(message.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${STATEMENT_CHANGED_CHANNEL}`);
    } catch (error) {
      this.lost(client, error instanceof Error ? error.message : String(error));
      return;
    }
    if (client !== this.client || this.stopped) return;
    this.attempt = 0;
    this.reportedDown = false;
    this.heartbeat = setInterval(() => this.beat(client), this.options.heartbeatMs ?? 5_000);
    this.heartbeat.unref();
    this.events?.up();
    this.options.log?.('info', 'statement read cache: listening for statement changes');
  }

  private beat(client: Client): void {
    client.query('SELECT 1').catch((error: unknown) => {
      this.lost(client, `heartbeat failed: ${error instanceof Error ? error.message : String(error)}`);
    });
  }

  /** the current connection failed: stop serving, drop it and try again later (each loss once) */
  private lost(client: Client, reason: string): void {
    if (client !== this.client) return;
    this.client = undefined;
    clearInterval(this.heartbeat);
    this.events?.down(reason);
    void closeClient(client, this.timeoutMs);
    if (this.stopped) return;
    const delay = reconnectDelayMs(
      this.attempt++,
      (this.options.random ?? Math.random)(),
      this.options.firstRetryMs,
      this.options.maxRetryMs,
    );
    if (!this.reportedDown) {
      this.reportedDown = true;
      this.options.log?.(
        'warn',
        `statement read cache: not listening (${reason}); reading Postgres until reconnected`,
      );
    }
    clearTimeout(this.retry);
    this.retry = setTimeout(() => void this.connect(), delay);
    this.retry.unref();
  }
}

/** ends a connection, forcing its socket shut if the server does not answer the goodbye in time */
async function closeClient(client: Client, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const ended = await Promise.race([
    client.end().then(
      () => true,
      () => true,
    ),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
      timer.unref();
    }),
  ]);
  clearTimeout(timer);
  if (!ended)
    (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
}
