import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  FLINK_BREAKER,
  flinkErrorLines,
  flinkRequest,
  redactSecrets,
  resetFlinkBreakers,
} from './flink-http';

describe('flinkErrorLines', () => {
  it('keeps Flink error summaries and drops Java stack frames', () => {
    const body = JSON.stringify({
      errors: [
        'org.apache.flink.table.gateway.api.utils.SqlGatewayException: Failed to fetchResults.',
        "Caused by: org.apache.flink.table.api.ValidationException: Column 'nope' not found\n\tat org.apache.Foo.bar(Foo.java:1)\n\t... 12 more",
      ],
    });
    expect(flinkErrorLines(body)).toEqual([
      'org.apache.flink.table.gateway.api.utils.SqlGatewayException: Failed to fetchResults.',
      "Caused by: org.apache.flink.table.api.ValidationException: Column 'nope' not found",
    ]);
  });

  it('falls back to a bounded excerpt of a body that is not Flink JSON', () => {
    expect(flinkErrorLines('x'.repeat(2_000))[0]).toHaveLength(500);
  });
});

describe('the circuit breaker around Flink calls', () => {
  const calls: number[] = [];
  let server: Server;
  let refusedUrl: string;
  const saved = { ...FLINK_BREAKER };

  beforeAll(async () => {
    // a port that refuses: listen, note it, close
    server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    refusedUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await new Promise((r) => server.close(r));
  });
  beforeEach(() => {
    Object.assign(FLINK_BREAKER, { consecutiveFailures: 3, openMs: 200 });
    resetFlinkBreakers();
    calls.length = 0;
  });
  afterAll(() => {
    Object.assign(FLINK_BREAKER, saved);
    resetFlinkBreakers();
  });

  it('fails fast once an endpoint gave no answer several times in a row, then tries again', async () => {
    for (let i = 0; i < 3; i++)
      await expect(flinkRequest(refusedUrl, 'GET', '/overview', 2_000)).rejects.toMatchObject({
        code: 'FLINK_UNAVAILABLE',
        message: expect.stringContaining('did not answer GET /overview'),
      });
    const began = performance.now();
    await expect(flinkRequest(refusedUrl, 'GET', '/overview', 2_000)).rejects.toMatchObject({
      code: 'FLINK_UNAVAILABLE',
      message: expect.stringContaining('not calling it'),
      retryable: true,
    });
    expect(performance.now() - began).toBeLessThan(50);

    // the endpoint answers again: after the open period one trial call closes the breaker
    const back = createServer((_request, response) => {
      calls.push(1);
      response.setHeader('content-type', 'application/json');
      response.end('{"ok":true}');
    });
    await new Promise<void>((r) => back.listen(Number(new URL(refusedUrl).port), '127.0.0.1', r));
    try {
      await new Promise((r) => setTimeout(r, 250));
      await expect(flinkRequest(refusedUrl, 'GET', '/overview', 2_000)).resolves.toEqual({ ok: true });
      await expect(flinkRequest(refusedUrl, 'GET', '/overview', 2_000)).resolves.toEqual({ ok: true });
      expect(calls).toHaveLength(2);
    } finally {
      await new Promise((r) => back.close(r));
    }
  });

  it('does not count Flink error answers: a 500 is an answer, not an outage', async () => {
    const failing = createServer((_request, response) => {
      calls.push(1);
      response.statusCode = 500;
      response.end('{"errors":["Internal server error."]}');
    });
    await new Promise<void>((r) => failing.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(failing.address() as AddressInfo).port}`;
    try {
      for (let i = 0; i < 5; i++)
        await expect(flinkRequest(url, 'GET', '/jobs', 2_000)).rejects.toMatchObject({ code: 'FLINK_ERROR' });
      expect(calls).toHaveLength(5);
    } finally {
      await new Promise((r) => failing.close(r));
    }
  });
});

describe('redactSecrets', () => {
  it('masks JAAS passwords and secret-named options in what Flink says', () => {
    const said =
      "Unable to create a source for reading table 'env'.'main'.'orders'. Table options are: " +
      '\'properties.sasl.jaas.config\'=\'org.apache.flink.kafka.shaded.org.apache.kafka.common.security.scram.ScramLoginModule required username="lkc-1" password="s3cr=t";\' ' +
      "'value.avro-confluent.basic-auth.user-info'='u:p' 'topic'='lkc-1.orders'";
    const redacted = redactSecrets(said);
    expect(redacted).not.toMatch(/s3cr=t|u:p/);
    expect(redacted).toContain("'topic'='lkc-1.orders'");
    expect(redactSecrets('password=hunter2; other')).toBe('password=***; other');
    expect(redactSecrets(JSON.stringify({ m: 'password="x y"' }))).toBe('{"m":"password=\\"***\\""}');
    expect(flinkErrorLines(JSON.stringify({ errors: [said] })).join('\n')).not.toContain('s3cr=t');
  });
});
