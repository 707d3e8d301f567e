import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { GetStatement } from '@riffle/application';
import type { FastifyInstance } from 'fastify';
import type { OpenAPIObject } from '@nestjs/swagger';
import type { Logger } from 'pino';
import { type ApiKeyAuthenticator, authorize } from '../auth/api-key-authenticator';
import type { ResponseHeaders } from '../http/api-rate-limiter';
import type { ObserveRequest } from '../http/http-metrics';
import { problemAnswer } from '../http/problem-details.filter';
import { requestIdFor } from '../http/request-ids';
import { statementJson } from './statement.presenter';

const ROUTE = '/sql/v1/organizations/:org/environments/:env/statements/:name';
/** the route's plain form: no percent-encoding, query, fragment or trailing slash (Fastify takes the rest) */
const PLAIN_PATH = /^\/sql\/v1\/organizations\/([^/?#%]+)\/environments\/([^/?#%]+)\/statements\/([^/?#%]+)$/;
const JSON_UTF8 = 'application/json; charset=utf-8';

/** what a statement read needs: the authenticator and the use case */
export interface StatementReads {
  authenticator: ApiKeyAuthenticator;
  getStatement: GetStatement;
}

/**
 * GET …/statements/{name}: the same authentication and rate limit as every route (ApiKeyAuthenticator),
 * the same permission check (`statement.read`), the same use case; the cached record's JSON bytes,
 * serialised once. Throws what Nest's routes throw.
 */
async function readStatement(
  { authenticator, getStatement }: StatementReads,
  authorization: string | undefined,
  org: string,
  env: string,
  name: string,
  answer: ResponseHeaders,
): Promise<Buffer> {
  const principal = await authenticator.authenticate(authorization, answer);
  authorize(principal, 'statement.read', org, env);
  return statementJson(await getStatement.execute(principal, org, env, name));
}

/**
 * The GET as a plain Fastify route rather than a Nest controller method: for a read served from the
 * statement cache, Nest's per-request pipeline (execution context, guard and parameter machinery,
 * response mapping) cost more CPU than everything else the GET does (bench:load). It has Fastify's hooks
 * (request id, tracing, metrics), and its errors reach Nest's global filter through Fastify's error
 * handler. It answers what `serveStatementReadsFirst` leaves to Fastify.
 */
export function serveStatementReads(fastify: FastifyInstance, reads: StatementReads): void {
  fastify.get<{ Params: { org: string; env: string; name: string } }>(ROUTE, async (request, reply) => {
    const { org, env, name } = request.params;
    const json = await readStatement(reads, request.headers.authorization, org, env, name, reply);
    // returned for Fastify to send, as async handlers do: returning the reply after sending it would make
    // the handler's promise adopt the reply as a thenable, one more job per request
    void reply.type(JSON_UTF8);
    return json;
  });
}

/**
 * The API's busiest call served ahead of Fastify, on the Node server's own request event: the GET of a
 * plain path (the bulk of them) skips Fastify's routing, request and reply objects and hooks, which cost
 * a cached read about as much CPU as the read itself (bench:load: 40–44 → 33–36 µs a GET). It answers
 * exactly as the Fastify route does, from the same `readStatement`: the X-Request-Id, the rate limit's
 * headers, the problem+json of the one error mapping (`problemAnswer`), the request metric under the
 * route's template. Everything else — other methods and paths, an encoded name, a query string, any
 * request once the server is closing (Fastify answers 503) — goes to Fastify unchanged. Not installed
 * when tracing is: spans come from Fastify's hooks.
 */
export function serveStatementReadsFirst(
  fastify: FastifyInstance,
  reads: StatementReads,
  observe: ObserveRequest,
  logger: Logger,
): void {
  const server = fastify.server;
  const listeners = server.listeners('request');
  if (listeners.length !== 1)
    throw new Error(`expected Fastify's one request listener, found ${listeners.length}`);
  const fastifyHandler = listeners[0] as RequestListener;
  let closing = false;
  fastify.addHook('preClose', (done) => {
    closing = true;
    done();
  });

  const serve = async (request: IncomingMessage, response: ServerResponse, path: RegExpExecArray) => {
    const started = performance.now();
    const requestId = requestIdFor(request.headers['x-request-id']);
    const headers: Record<string, string> = { 'x-request-id': requestId };
    const answer: ResponseHeaders = { header: (name, value) => (headers[name] = value) };
    let status = 200;
    let body: Buffer | string;
    try {
      body = await readStatement(reads, request.headers.authorization, path[1]!, path[2]!, path[3]!, answer);
      headers['content-type'] = JSON_UTF8;
    } catch (error) {
      const problem = problemAnswer(error, logger, path[0], requestId);
      ({ status, body } = problem);
      Object.assign(headers, problem.headers);
    }
    headers['content-length'] = String(Buffer.byteLength(body));
    response.writeHead(status, headers).end(body);
    observe('GET', ROUTE, status, (performance.now() - started) / 1000);
  };

  server.removeListener('request', fastifyHandler);
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const path = request.method === 'GET' && !closing ? PLAIN_PATH.exec(request.url!) : null;
    if (!path) return fastifyHandler(request, response);
    serve(request, response, path).catch((error: unknown) => {
      logger.error({ err: error }, 'statement read failed');
      response.destroy();
    });
  });
}

/** the route in the OpenAPI document, beside the controller's PUT and DELETE of the same path */
export function documentStatementReads(document: OpenAPIObject): void {
  const path = ROUTE.replace(/:(\w+)/g, '{$1}');
  document.paths[path] = {
    ...document.paths[path],
    get: {
      operationId: 'StatementsController_show',
      summary: 'The Statement resource: spec, status.phase, status.detail, metadata.resource_version',
      tags: ['statements'],
      security: [{ basic: [] }],
      parameters: ['org', 'env', 'name'].map((name) => ({
        name,
        in: 'path' as const,
        required: true,
        schema: { type: 'string' },
      })),
      responses: { '200': { description: 'the Statement' } },
    },
  };
}
