import type { GetStatement, Principal } from '@riffle/application';
import { RiffleError } from '@riffle/domain';
import { aStatementRecord } from '@riffle/testing';
import { fastify as createFastify, type FastifyInstance } from 'fastify';
import pino from 'pino';
import type { ApiKeyAuthenticator } from '../auth/api-key-authenticator';
import type { ResponseHeaders } from '../http/api-rate-limiter';
import { serveStatementReads, serveStatementReadsFirst } from './statement-read.route';
import { statementJson } from './statement.presenter';

const PATH = '/sql/v1/organizations/org-1/environments/env-1/statements/orders';
const principal: Principal = {
  organizationId: 'org-1',
  serviceAccountId: 'sa-1',
  apiKeyId: 'AAAABBBBCCCCDDDD',
  roles: [{ role: 'Viewer', environmentId: 'env-1' }],
};

/** the route on a Fastify instance of its own, over fakes of the authenticator and the use case */
async function server(
  authenticate: (
    authorization: string | undefined,
    answer: ResponseHeaders,
  ) => Promise<Principal> = async () => principal,
) {
  const fastify = createFastify();
  const record = Object.freeze(aStatementRecord());
  const authenticator = { authenticate } as unknown as ApiKeyAuthenticator;
  const getStatement = { execute: async () => record } as unknown as GetStatement;
  // the API's is Nest's problem+json filter (the e2e tests hold the route to it); here, which error arrived
  fastify.setErrorHandler((error: RiffleError, _request, reply) =>
    reply.code(418).send({ code: error.code }),
  );
  serveStatementReads(fastify, { authenticator, getStatement });
  await fastify.ready();
  return { fastify, record };
}

describe('GET …/statements/{name} (statement-read.route)', () => {
  it("answers the statement's cached JSON bytes", async () => {
    const { fastify, record } = await server();
    const response = await fastify.inject({ method: 'GET', url: PATH });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(response.rawPayload).toEqual(statementJson(record));
    await fastify.close();
  });

  it('passes what authentication throws to the error handler', async () => {
    const { fastify } = await server(async () => {
      throw new RiffleError('UNAUTHENTICATED', 'unauthenticated', 'no key');
    });
    const response = await fastify.inject({ method: 'GET', url: PATH });
    expect([response.statusCode, response.json()]).toEqual([418, { code: 'UNAUTHENTICATED' }]);
    await fastify.close();
  });

  it('refuses a principal of another organization as a missing environment', async () => {
    const { fastify } = await server(async () => ({ ...principal, organizationId: 'org-2' }));
    const response = await fastify.inject({ method: 'GET', url: PATH });
    expect([response.statusCode, response.json()]).toEqual([418, { code: 'ENVIRONMENT_NOT_FOUND' }]);
    await fastify.close();
  });
});

describe('GET …/statements/{name} served ahead of Fastify (serveStatementReadsFirst)', () => {
  const ROUTE = '/sql/v1/organizations/:org/environments/:env/statements/:name';
  const record = Object.freeze(aStatementRecord());
  const answered: string[] = [];
  const observed: [string, string, number][] = [];
  let base = '';
  let fastify: FastifyInstance;
  let authenticate: (authorization: string | undefined, answer: ResponseHeaders) => Promise<Principal>;

  beforeAll(async () => {
    fastify = createFastify();
    const reads = {
      authenticator: { authenticate: (...args) => authenticate(...args) } as ApiKeyAuthenticator,
      getStatement: { execute: async () => record } as unknown as GetStatement,
    };
    // what reaches Fastify says so: its route answers with a marker, its errors with 418
    fastify.addHook('onRequest', (request, _reply, done) => {
      answered.push(`fastify ${request.method} ${request.url}`);
      done();
    });
    fastify.setErrorHandler((error: RiffleError, _request, reply) =>
      reply.code(418).send({ code: error.code }),
    );
    serveStatementReads(fastify, reads);
    serveStatementReadsFirst(
      fastify,
      reads,
      (method, route, status) => observed.push([method, route, status]),
      pino({ level: 'silent' }),
    );
    base = await fastify.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => fastify.close());
  beforeEach(() => {
    answered.length = 0;
    observed.length = 0;
    authenticate = async (_authorization, answer) => {
      answer.header('x-ratelimit-remaining', '7');
      return principal;
    };
  });

  it("answers a plain path's GET itself: the cached bytes, the request id and the rate limit's headers, one metric", async () => {
    const response = await fetch(`${base}${PATH}`, { headers: { 'x-request-id': 'trace-me-1' } });
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer())).toEqual(statementJson(record));
    expect(Object.fromEntries(response.headers)).toMatchObject({
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(statementJson(record).length),
      'x-request-id': 'trace-me-1',
      'x-ratelimit-remaining': '7',
    });
    expect(answered).toEqual([]);
    expect(observed).toEqual([['GET', ROUTE, 200]]);
  });

  it('answers an error as problem+json, with the headers authentication set and a request id of its own', async () => {
    authenticate = async (_authorization, answer) => {
      answer.header('www-authenticate', 'Basic realm="riffle"');
      throw new RiffleError('UNAUTHENTICATED', 'unauthenticated', 'no key');
    };
    const response = await fetch(`${base}${PATH}`, { headers: { 'x-request-id': 'not a token' } });
    const requestId = response.headers.get('x-request-id');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect([
      response.status,
      response.headers.get('content-type'),
      response.headers.get('www-authenticate'),
    ]).toEqual([401, 'application/problem+json; charset=utf-8', 'Basic realm="riffle"']);
    expect(await response.json()).toMatchObject({
      code: 'UNAUTHENTICATED',
      instance: PATH,
      request_id: requestId,
    });
    expect(observed).toEqual([['GET', ROUTE, 401]]);
  });

  it('refuses a principal of another organization as a missing environment', async () => {
    authenticate = async () => ({ ...principal, organizationId: 'org-2' });
    const response = await fetch(`${base}${PATH}`);
    expect([response.status, ((await response.json()) as { code: string }).code]).toEqual([
      404,
      'ENVIRONMENT_NOT_FOUND',
    ]);
  });

  it('leaves every other request to Fastify: a query string, an encoded name, a trailing slash, HEAD, other paths', async () => {
    for (const [method, url] of [
      ['GET', `${PATH}?x=1`],
      ['GET', `${PATH}%2D1`],
      ['GET', `${PATH}/`],
      ['HEAD', PATH],
      ['GET', '/sql/v1/organizations/org-1/environments/env-1/statements'],
      ['PUT', PATH],
    ] as const)
      await fetch(`${base}${url}`, { method }).then((r) => r.arrayBuffer());
    expect(answered).toEqual([
      `fastify GET ${PATH}?x=1`,
      `fastify GET ${PATH}%2D1`,
      `fastify GET ${PATH}/`,
      `fastify HEAD ${PATH}`,
      'fastify GET /sql/v1/organizations/org-1/environments/env-1/statements',
      `fastify PUT ${PATH}`,
    ]);
    expect(observed).toEqual([]);
  });
});
