import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { databaseConfig } from '@riffle/config';
import { createTestTenant, stackEnv, type TestTenant } from '@riffle/testing';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { createDataSource } from '@riffle/persistence';
import { createApiApp } from '../../apps/api/src/create-api-app';

/**
 * Server-side request forgery through cluster registration (`POST /cmk/v2/clusters`): a tenant names
 * addresses, Riffle connects to them from inside the platform. Every target here is on 127.0.0.0/8 and
 * every server is this test's own; link-local, private and metadata addresses are decided by the same
 * policy without a connection (libs/domain egress-policy.spec.ts), so they are not probed from here.
 */
describe('egress: cluster registration cannot reach internal addresses', () => {
  const stack = stackEnv();
  const kafka = stack.KAFKA_BOOTSTRAP_SERVERS!;
  const url = (raw: string) => new URL(raw);
  const flinkRest = url(stack.FLINK_REST_URL!).host;
  const flinkGateway = url(stack.FLINK_SQL_GATEWAY_URL!).host;
  const platformRegistry = stack.SCHEMA_REGISTRY_URL!;
  const postgresPort = url(stack.DATABASE_URL!).port || '5432';
  const redisPort = url(stack.REDIS_URL ?? 'redis://127.0.0.1:6379').port || '6379';

  const hits = { redirector: 0, decoy: 0, notKafka: 0 };
  const servers: Server[] = [];
  const listen = async (handler: Parameters<typeof createServer>[1]): Promise<number> => {
    const server = createServer(handler);
    servers.push(server);
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    return (server.address() as AddressInfo).port;
  };
  let decoy: number;
  let redirector: number;
  let notKafka: number;
  let closed: number;
  let api: INestApplication;
  let db: DataSource;
  let tenant: TestTenant;

  const register = (bootstrap: string, registry: string) =>
    request(api.getHttpServer())
      .post('/cmk/v2/clusters')
      .set('authorization', tenant.authorization)
      .send({
        display_name: 'probe',
        spec: {
          environment: { id: tenant.environmentId },
          bootstrap_servers: bootstrap,
          schema_registry_url: registry,
        },
      });

  beforeAll(async () => {
    decoy = await listen((_, response) => {
      hits.decoy += 1;
      response.setHeader('content-type', 'application/json');
      response.end('[]');
    });
    redirector = await listen((_, response) => {
      hits.redirector += 1;
      response.writeHead(302, { location: `http://127.0.0.1:${decoy}/subjects` }).end();
    });
    notKafka = await listen((_, response) => response.end('hello'));
    servers.at(-1)!.on('connection', () => (hits.notKafka += 1));
    closed = await listen(() => undefined);
    await new Promise<void>((done) => servers.pop()!.close(() => done()));
    db = createDataSource(databaseConfig.load(stack));
    await db.initialize();
    tenant = await createTestTenant(db, 'egress');
    // the platform's Kafka and this test's servers are allowed; its registry, Postgres, Redis and Flink are not
    const allow = [kafka, ...[redirector, notKafka, closed].map((port) => `127.0.0.1:${port}`)];
    api = (await createApiApp({ ...stack, EGRESS_ALLOW: allow.join(','), LOG_LEVEL: 'error' })).app;
    await api.init();
  });

  afterAll(async () => {
    await api?.close();
    await db?.destroy();
    await Promise.all(servers.map((s) => new Promise((done) => s.close(done))));
  });

  const allowedRegistry = () => `http://127.0.0.1:${redirector}`;

  it.each([
    ['Postgres', () => `127.0.0.1:${postgresPort}`],
    ['Redis, by name', () => `localhost:${redisPort}`],
    ['the Flink REST endpoint', () => flinkRest],
    ['the SQL Gateway', () => flinkGateway],
    ['a closed loopback port', () => '127.0.0.1:1'],
    ['loopback beyond 127.0.0.1', () => '127.3.2.1:9092'],
    ['0.0.0.0 (this host)', () => `0.0.0.0:${postgresPort}`],
    ['loopback written as a decimal number', () => `2130706433:${postgresPort}`],
    ['IPv6 loopback', () => `[::1]:${postgresPort}`],
    ['one allowed broker and one internal', () => `${kafka},127.0.0.1:${postgresPort}`],
  ])('refuses bootstrap servers at %s, saying nothing about what answers there', async (_, bootstrap) => {
    const refused = await register(bootstrap(), allowedRegistry()).expect(400);
    expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(refused.body.code).toBe('EGRESS_NOT_ALLOWED');
    expect(refused.body.detail).toMatch(
      /^Riffle does not connect to \S+: only public addresses are reachable, unless the operator allows more \(EGRESS_ALLOW\)\.$/,
    );
  });

  it.each([
    ["the platform's registry", () => platformRegistry],
    ['the Flink REST endpoint', () => `http://${flinkRest}`],
    ['Postgres, by name', () => `http://localhost:${postgresPort}`],
    ['IPv6 loopback', () => `http://[::1]:${redisPort}`],
  ])('refuses a schema registry at %s', async (_, registry) => {
    const refused = await register(kafka, registry()).expect(400);
    expect(refused.body.code).toBe('EGRESS_NOT_ALLOWED');
  });

  it.each([
    ['a fragment choosing the path', () => `${platformRegistry}#`],
    ['a query choosing the path', () => `http://127.0.0.1:${redirector}/x?a=`],
    ['user info', () => `http://user:secret@127.0.0.1:${redirector}`],
    ['user info naming another host', () => `http://127.0.0.1:${redirector}@127.0.0.1:${postgresPort}`],
    ['an encoded dot segment', () => `http://127.0.0.1:${redirector}/%2e%2e/admin`],
    ['a backslash', () => `http://127.0.0.1:${redirector}\\@127.0.0.1:${postgresPort}`],
    ['file://', () => 'file:///etc/passwd'],
    ['gopher://', () => `gopher://127.0.0.1:${redisPort}/_INFO`],
  ])('refuses a registry URL with %s as invalid, before any connection', async (_, registry) => {
    const before = { ...hits };
    const refused = await register(kafka, registry()).expect(400);
    expect(refused.body.code).toBe('INVALID_KAFKA_CLUSTER');
    expect(hits).toEqual(before);
  });

  it('does not follow a redirect, and an allowed address that is not Kafka, or is closed, gets one answer', async () => {
    const answers = [
      await register(kafka, allowedRegistry()).expect(400),
      await register(`127.0.0.1:${notKafka}`, `http://127.0.0.1:${notKafka}`).expect(400),
      await register(`127.0.0.1:${closed}`, `http://127.0.0.1:${closed}`).expect(400),
    ];
    expect(hits.redirector).toBeGreaterThanOrEqual(1);
    expect(hits.decoy).toBe(0);
    expect(hits.notKafka).toBeGreaterThanOrEqual(1);
    expect(answers.map((a) => [a.body.code, a.body.detail])).toEqual(
      Array(3).fill([
        'KAFKA_CLUSTER_UNREACHABLE',
        'The cluster did not answer as Kafka with a Confluent-compatible schema registry at the given addresses.',
      ]),
    );
    for (const answer of answers)
      expect(JSON.stringify(answer.body)).not.toMatch(/ECONN|refused|timeout|302|redirect/i);
    const clusters = await request(api.getHttpServer())
      .get(`/cmk/v2/clusters?environment=${tenant.environmentId}`)
      .set('authorization', tenant.authorization)
      .expect(200);
    expect(clusters.body.data).toEqual([]);
  });
});

/** Flink cells take statements only through the SQL Gateway: the REST endpoint runs no uploaded code. */
describe('Flink cells refuse jar upload', () => {
  it('answers an error to POST /jars/upload and lists no jars', async () => {
    const rest = stackEnv().FLINK_REST_URL!;
    const form = new FormData();
    form.append(
      'jarfile',
      new Blob([Buffer.from('PK\u0003\u0004')], { type: 'application/x-java-archive' }),
      'x.jar',
    );
    const upload = await fetch(`${rest}/jars/upload`, { method: 'POST', body: form });
    expect(upload.status).toBeGreaterThanOrEqual(400);
    await upload.arrayBuffer();
    const jars = await fetch(`${rest}/jars`);
    expect(jars.status).toBe(404);
    await jars.arrayBuffer();
    // the REST endpoint itself is up: this is a refusal, not an outage
    expect((await fetch(`${rest}/overview`)).status).toBe(200);
  });
});
