import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { tracingConfig } from '@riffle/config';
import { installTracing, type Tracing } from '@riffle/observability';
import type { Job, JobsOptions, Queue } from 'bullmq';
import { addTracedJob, processTracedJob } from './queue-tracing';

/** the part of a BullMQ queue `addTracedJob` uses: it keeps what was added, as Redis would */
class FakeQueue {
  readonly added: { name: string; data: Record<string, unknown>; options: JobsOptions }[] = [];
  constructor(readonly name: string) {}
  async add(name: string, data: Record<string, unknown>, options: JobsOptions): Promise<void> {
    this.added.push({ name, data: JSON.parse(JSON.stringify(data)), options });
  }
}

/** a job as a worker sees it: BullMQ counts every start, and only failed runs as attempts made */
const jobOf = (queue: FakeQueue, runs: { attemptsStarted: number; attemptsMade: number }) =>
  ({ ...queue.added[0]!, id: 'uid-1', ...runs }) as unknown as Job;

describe('queue trace propagation', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;
  let queue: FakeQueue;

  beforeAll(() => {
    tracing = installTracing('test', tracingConfig.load({}), {
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
  });
  afterAll(() => tracing.shutdown());
  beforeEach(async () => {
    exporter.reset();
    queue = new FakeQueue('statement-reconcile');
    await addTracedJob(
      queue as unknown as Queue,
      'statement.reconcile',
      { statementUid: 'uid-1', organizationId: 'org-1' },
      { jobId: 'uid-1' },
    );
  });

  const spans = () => exporter.getFinishedSpans();
  const producer = () => spans().find((s) => s.kind === SpanKind.PRODUCER)!;
  const consumer = () => spans().find((s) => s.kind === SpanKind.CONSUMER)!;

  it('adds the contract plus the producer span’s traceparent to the job data', () => {
    expect(producer().name).toBe('queue statement-reconcile publish');
    expect(queue.added[0]!.data).toEqual({
      statementUid: 'uid-1',
      organizationId: 'org-1',
      traceparent: `00-${producer().spanContext().traceId}-${producer().spanContext().spanId}-01`,
    });
  });

  it.each([
    ['the first run', { attemptsStarted: 1, attemptsMade: 0 }],
    ['a retry after an error', { attemptsStarted: 2, attemptsMade: 1 }],
  ])('processes %s as a child of the producer', async (_, runs) => {
    await processTracedJob(queue.name, jobOf(queue, runs), async () => undefined);
    expect(consumer().name).toBe('queue statement-reconcile process');
    expect(consumer().spanContext().traceId).toBe(producer().spanContext().traceId);
    expect(consumer().parentSpanContext?.spanId).toBe(producer().spanContext().spanId);
  });

  it('processes a recheck in a new trace linked to the producer', async () => {
    await processTracedJob(queue.name, jobOf(queue, { attemptsStarted: 5, attemptsMade: 0 }), async () => 1);
    expect(consumer().spanContext().traceId).not.toBe(producer().spanContext().traceId);
    expect(consumer().parentSpanContext).toBeUndefined();
    expect(consumer().links.map((l) => l.context.spanId)).toEqual([producer().spanContext().spanId]);
  });

  it('processes a job enqueued without a trace context in a trace of its own', async () => {
    const old = { name: 'statement.reconcile', data: { statementUid: 'uid-1' }, attemptsStarted: 1 };
    await processTracedJob(queue.name, { ...old, attemptsMade: 0 } as unknown as Job, async () => 1);
    expect(consumer().parentSpanContext).toBeUndefined();
    expect(consumer().links).toEqual([]);
  });
});
