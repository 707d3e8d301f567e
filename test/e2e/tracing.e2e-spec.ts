import { randomBytes } from 'node:crypto';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { tracingConfig } from '@riffle/config';
import { installTracing, type Tracing } from '@riffle/observability';
import { createTestTenant, eventually, stackEnv, type TestTenant, uniqueSuffix } from '@riffle/testing';
import { as, type Riffle, startRiffle } from './support/riffle';

/**
 * One statement submission is one trace: the API's request span, the queue job's producer and consumer
 * spans (the context travels in the job data through Redis), the scheduler's reconcile and its SQL
 * Gateway calls. The apps run in this process and share one tracer provider with an in-memory exporter.
 */
describe('tracing', () => {
  const env: Record<string, string> = { ...stackEnv(), LOG_LEVEL: 'warn' };
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;
  let riffle: Riffle;
  let tenant: TestTenant;

  beforeAll(async () => {
    tracing = installTracing('e2e', tracingConfig.load({}), {
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    riffle = await startRiffle(env, { scheduler: true });
    tenant = await createTestTenant(riffle.db, 'tracing');
  });

  afterAll(async () => {
    await riffle?.close();
    await tracing?.shutdown();
  });

  it('follows a statement from the HTTP request through the queue into the scheduler and the SQL Gateway', async () => {
    // the caller's own trace context: Riffle's spans must join it
    const traceId = randomBytes(16).toString('hex');
    const callerSpanId = randomBytes(8).toString('hex');
    const name = `traced-${uniqueSuffix()}`;
    await as(riffle.api, tenant)
      .post(tenant.statementsPath)
      .set('traceparent', `00-${traceId}-${callerSpanId}-01`)
      .send({ name, spec: { statement: 'SELECT id FROM (VALUES (1), (2)) AS t(id)' } })
      .expect(201);

    await eventually(
      `${name} to complete`,
      async () => {
        const { body } = await as(riffle.api, tenant).get(`${tenant.statementsPath}/${name}`);
        if (body.status?.phase === 'FAILED') throw new Error(`FAILED: ${body.status.detail}`);
        return body.status?.phase === 'COMPLETED' ? body : undefined;
      },
      { timeoutMs: 150_000 },
    );

    const spansOfTrace = () => exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
    const byId = () => new Map(spansOfTrace().map((s) => [s.spanContext().spanId, s]));
    const parentOf = (span: ReadableSpan) => byId().get(span.parentSpanContext?.spanId ?? '');
    const one = (what: string, match: (s: ReadableSpan) => boolean) =>
      eventually(what, async () => spansOfTrace().find(match), { timeoutMs: 30_000, intervalMs: 200 });

    const request = await one('the HTTP span', (s) => s.kind === SpanKind.SERVER);
    expect(request.name).toBe('POST /sql/v1/organizations/:org/environments/:env/statements');
    expect(request.instrumentationScope.name).toBe('riffle-api');
    expect(request.parentSpanContext?.spanId).toBe(callerSpanId);
    expect(request.attributes['http.response.status_code']).toBe(201);

    const publish = await one('the queue producer span', (s) => s.kind === SpanKind.PRODUCER);
    expect(publish.name).toBe('queue statement-reconcile publish');
    expect(parentOf(publish)).toBe(request);

    const process = await one('the queue consumer span', (s) => s.kind === SpanKind.CONSUMER);
    expect(process.name).toBe('queue statement-reconcile process');
    expect(process.instrumentationScope.name).toBe('@riffle/queue');
    expect(parentOf(process)).toBe(publish);

    const reconcile = await one('the reconcile span', (s) => s.name === 'statement reconcile');
    expect(reconcile.instrumentationScope.name).toBe('riffle-scheduler');
    expect(parentOf(reconcile)).toBe(process);

    const gateway = await one('a SQL Gateway call', (s) =>
      s.name.startsWith('sql-gateway POST /v4/sessions/:id/statements'),
    );
    expect(gateway.kind).toBe(SpanKind.CLIENT);
    expect(gateway.instrumentationScope.name).toBe('@riffle/flink');
    expect(gateway.attributes['http.response.status_code']).toBe(200);
    const ancestors: ReadableSpan[] = [];
    for (let s = parentOf(gateway); s; s = parentOf(s)) ancestors.push(s);
    expect(ancestors).toContain(reconcile);
    expect(ancestors.at(-1)).toBe(request);
  });
});
