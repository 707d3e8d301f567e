import { TenantGate } from '@riffle/application';
import type { RedisOptions } from '@riffle/config';
import { RiffleError } from '@riffle/domain';
import { DependencyProbe, type Metrics } from '@riffle/observability';
import { DelayedError, type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { processTracedJob } from './queue-tracing';
import { type JobContracts, type JobName, JOB_QUEUE, type QueueName } from './queues';
import { createRedisConnection } from './redis-connection';

/** a handler may ask to see the same job again later (a level-triggered control loop) */
export type HandlerOutcome = void | { recheckInMs: number } | { done: true };
export type JobHandlers = { [J in JobName]?: (data: JobContracts[J], job: Job) => Promise<HandlerOutcome> };

/**
 * One BullMQ worker per queue. Handlers are declared per job name and checked at startup: a handler
 * for a job that belongs to another queue is a programming error. Errors that are not retryable
 * become UnrecoverableError so BullMQ does not retry them; the rest retry with the job's backoff.
 */
export interface WorkerConcurrency {
  /** jobs this worker holds at once */
  jobs: number;
  /** of which one organization's (job data `organizationId`) run at once; the others wait for their turn */
  perOrganization: number;
}

export class QueueWorker {
  private worker: Worker | undefined;
  private connection: Redis | undefined;
  private readonly gate: TenantGate;

  /**
   * A worker holds up to `concurrency.jobs` jobs and runs at most `concurrency.perOrganization` of one
   * organization at once: a flood of one tenant's jobs waits in the worker without taking its CPU, and
   * another tenant's job (first in line, thanks to the queue's fair priorities) runs as soon as it is
   * taken, instead of behind the flood (DESIGN §9.1).
   */
  constructor(
    private readonly queue: QueueName,
    private readonly handlers: JobHandlers,
    private readonly redis: RedisOptions,
    private readonly prefix: string,
    private readonly concurrency: WorkerConcurrency,
    private readonly logger: Logger,
    metrics?: Metrics,
  ) {
    this.gate = new TenantGate(concurrency.perOrganization);
    this.jobDuration = metrics?.histogram(
      'queue_job_duration_seconds',
      'How long one job (e.g. one statement reconcile) took, by outcome',
      ['queue', 'job', 'outcome'],
      [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120],
    );
    this.jobErrors = metrics?.counter('queue_job_errors_total', 'Jobs that threw, by error code', [
      'queue',
      'job',
      'code',
    ]);
    for (const name of Object.keys(handlers) as JobName[]) {
      if (JOB_QUEUE[name] !== queue)
        throw new Error(`job ${name} belongs to queue ${JOB_QUEUE[name]}, not ${queue}`);
    }
  }

  /** Nest lifecycle: workers start once every module is ready, and drain before connections close */
  onApplicationBootstrap(): void {
    this.start();
  }

  /**
   * Shutdown: take no new job and let the active ones finish (a job that asks to be seen again goes
   * back to the queue, delayed). Bounded by the app's shutdown grace: a job still running when the
   * process exits keeps its lock until it expires, then another worker takes it over.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.logger.info({ queue: this.queue }, 'queue worker draining: no new jobs, finishing active ones');
    await this.stop();
  }

  start(): void {
    this.connection = createRedisConnection(this.redis, `${this.queue}-worker`);
    this.worker = new Worker(this.queue, (job, token) => this.process(job, token), {
      connection: this.connection,
      prefix: this.prefix,
      // a crashed worker's job is handed to another worker after at most ~2 × 15 s
      lockDuration: 15_000,
      stalledInterval: 15_000,
      concurrency: this.concurrency.jobs,
      autorun: true,
    });
    this.worker.on('error', (error) =>
      this.logger.error({ err: error, queue: this.queue }, 'queue worker error'),
    );
  }

  private readonly jobDuration;
  private readonly jobErrors;

  get queueName(): QueueName {
    return this.queue;
  }

  get running(): boolean {
    return this.worker?.isRunning() ?? false;
  }

  async stop(): Promise<void> {
    await this.worker?.close();
    // BullMQ closes only the connections it created; this one is ours
    this.connection?.disconnect();
  }

  private async process(job: Job, token: string | undefined): Promise<void> {
    const handler = this.handlers[job.name as JobName] as
      ((data: unknown, job: Job) => Promise<HandlerOutcome>) | undefined;
    if (!handler) throw new UnrecoverableError(`no handler for job ${job.name} on queue ${this.queue}`);
    const outcome = await processTracedJob(this.queue, job, async (span) => {
      const timer = this.jobDuration?.startTimer({ queue: this.queue, job: job.name });
      try {
        const tenant = (job.data as { organizationId?: unknown }).organizationId;
        const result = await this.gate.run(typeof tenant === 'string' ? tenant : '', () =>
          handler(job.data, job),
        );
        const again = Boolean(result && 'recheckInMs' in result);
        timer?.({ outcome: again ? 'again' : 'done' });
        span.setAttribute('riffle.job.outcome', again ? 'again' : 'done');
        return result;
      } catch (error) {
        timer?.({ outcome: 'error' });
        span.setAttribute('riffle.job.outcome', 'error');
        this.jobErrors?.inc({
          queue: this.queue,
          job: job.name,
          code: error instanceof RiffleError ? error.code : 'UNEXPECTED',
        });
        if (error instanceof RiffleError && !error.retryable)
          throw new UnrecoverableError(`${error.code}: ${error.message}`);
        throw error;
      }
    });
    if (outcome && 'recheckInMs' in outcome) {
      // same job id, run again later: the statement stays owned by exactly one queued job
      await job.moveToDelayed(Date.now() + outcome.recheckInMs, token);
      throw new DelayedError();
    }
  }
}

/** Ready when the worker is connected and pulling jobs. */
export class QueueWorkerProbe extends DependencyProbe {
  readonly name: string;

  constructor(private readonly worker: QueueWorker) {
    super();
    this.name = `worker:${worker.queueName}`;
  }

  async check(): Promise<void> {
    if (!this.worker.running) throw new Error('worker is not running');
  }
}
