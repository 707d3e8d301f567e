import type { IncomingMessage, ServerResponse } from 'node:http';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { QUEUES } from '@riffle/queue';
import { Queue } from 'bullmq';
import express, { type Express } from 'express';
import type { Redis } from 'ioredis';
import { PROBLEM_JSON } from '../http/problem-details.filter';

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
  private app: Express | undefined;

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
    // bull-board ships an Express router; it runs in an Express app of its own on the raw request,
    // below the same path, and what it does not serve is a problem+json 404 like any unknown route
    this.app = express()
      .disable('x-powered-by')
      .use(QUEUE_DASHBOARD_PATH, server.getRouter() as express.Router)
      .use((request: express.Request, response: express.Response) => {
        response
          .status(404)
          .type(PROBLEM_JSON)
          .send(
            JSON.stringify({
              type: 'urn:riffle:problem:ROUTE_NOT_FOUND',
              title: 'No such endpoint. See /docs for the API.',
              status: 404,
              code: 'ROUTE_NOT_FOUND',
              detail: 'No such endpoint. See /docs for the API.',
              instance: request.originalUrl.split('?', 1)[0],
              request_id: response.getHeader('x-request-id'),
            }),
          );
      });
  }

  /** serves one request below QUEUE_DASHBOARD_PATH, writing the response itself */
  handle(request: IncomingMessage, response: ServerResponse): void {
    if (!this.app) throw new Error('the queue dashboard is not initialised');
    this.app(request, response);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.queues.map((queue) => queue.close()));
  }
}
