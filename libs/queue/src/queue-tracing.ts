import {
  type Attributes,
  extractTraceContext,
  injectTraceContext,
  inSpan,
  linksTo,
  type Span,
  SpanKind,
  type TraceCarrier,
} from '@riffle/observability';
import type { Job, JobsOptions, Queue } from 'bullmq';
import type { JobContracts, JobName } from './queues';

const SCOPE = '@riffle/queue';

const messaging = (queue: string, operation: 'send' | 'process', job: string, id?: string): Attributes => ({
  'messaging.system': 'bullmq',
  'messaging.destination.name': queue,
  'messaging.operation.type': operation,
  'messaging.operation.name': operation,
  'riffle.job.name': job,
  ...(id ? { 'messaging.message.id': id } : {}),
});

/**
 * Adds a job inside a PRODUCER span `queue <queue> publish`, with that span's W3C trace context in the
 * job data (`traceparent`, `tracestate`), so the worker continues the trace of the request that
 * asked for the work. With tracing off the data is exactly the contract.
 */
export async function addTracedJob<J extends JobName>(
  queue: Queue,
  name: J,
  data: JobContracts[J],
  options: JobsOptions,
): Promise<void> {
  await inSpan(
    SCOPE,
    `queue ${queue.name} publish`,
    { kind: SpanKind.PRODUCER, attributes: messaging(queue.name, 'send', name, options.jobId) },
    async () => {
      const traced: JobContracts[J] & TraceCarrier = { ...data, ...injectTraceContext() };
      await queue.add(name, traced, options);
    },
  );
}

/**
 * Runs a job's handler inside a CONSUMER span `queue <queue> process`. The first run (and a retry after
 * an error) is a child of the producer's span. A later run of the same job — a control loop asking to
 * see a statement again, every few seconds for as long as it runs, or a job taken over from a stalled
 * worker — starts its own trace with a link to the producer, so one submission's trace stays finite.
 */
export function processTracedJob<T>(queue: string, job: Job, work: (span: Span) => Promise<T>): Promise<T> {
  const producer = extractTraceContext(job.data as TraceCarrier | undefined);
  const rerun = job.attemptsStarted > job.attemptsMade + 1;
  return inSpan(
    SCOPE,
    `queue ${queue} process`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        ...messaging(queue, 'process', job.name, job.id),
        'messaging.bullmq.attempts_started': job.attemptsStarted,
      },
      ...(rerun ? { root: true, links: linksTo(producer) } : { parent: producer }),
    },
    work,
  );
}
