import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { QUEUES } from '@riffle/queue';
import { Queue } from 'bullmq';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Redis } from 'ioredis';

/** where the dashboard lives; its page, static files and JSON API are all below this path */
export const QUEUE_DASHBOARD_PATH = '/admin/queues';

const DESCRIPTIONS: Record<string, string> = {
  [QUEUES.statementReconcile]: 'observe → decide → act for one statement; job id = statement uid',
  [QUEUES.usageMetering]: 'billing exports; job id = export id',
};

/**
 * The BullMQ dashboard (bull-board) over Riffle's queues, read-only: it shows counts, jobs, their data
 * and failures, but cannot retry, remove, pause or add jobs. Postgres is the record and the sweep
 * re-derives jobs from it, so there is nothing an operator should change by hand in Redis.
 * Access is decided before a request reaches it (QueueDashboardController).
 */
export class QueueDashboard implements OnModuleInit, OnApplicationShutdown {
  private queues: Queue[] = [];
  private router: RequestHandler | undefined;

  constructor(
    private readonly connection: Redis,
    private readonly prefix: string,
  ) {}

  onModuleInit(): void {
    this.queues = Object.values(QUEUES).map(
      (name) => new Queue(name, { connection: this.connection, prefix: this.prefix }),
    );
    const server = new ExpressAdapter().setBasePath(QUEUE_DASHBOARD_PATH);
    createBullBoard({
      queues: this.queues.map(
        (queue) =>
          new BullMQAdapter(queue, {
            readOnlyMode: true,
            allowRetries: false,
            description: DESCRIPTIONS[queue.name] ?? '',
          }),
      ),
      serverAdapter: server,
      options: { uiConfig: { boardTitle: 'Riffle queues' } },
    });
    this.router = server.getRouter() as RequestHandler;
  }

  /** serves one request below QUEUE_DASHBOARD_PATH; what the dashboard does not know goes to `next` */
  handle(request: Request, response: Response, next: NextFunction): void {
    if (!this.router) throw new Error('the queue dashboard is not initialised');
    // the dashboard's routes are relative to its mount point, as if it were `app.use(path, router)`
    const { url, baseUrl } = request;
    request.baseUrl = QUEUE_DASHBOARD_PATH;
    request.url = url.slice(QUEUE_DASHBOARD_PATH.length) || '/';
    void this.router(request, response, (error?: unknown) => {
      request.url = url;
      request.baseUrl = baseUrl;
      next(error);
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.queues.map((queue) => queue.close()));
  }
}
