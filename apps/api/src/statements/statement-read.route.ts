import type { GetStatement } from '@riffle/application';
import type { FastifyInstance } from 'fastify';
import type { OpenAPIObject } from '@nestjs/swagger';
import { type ApiKeyAuthenticator, authorize } from '../auth/api-key-authenticator';
import { statementJson } from './statement.presenter';

const ROUTE = '/sql/v1/organizations/:org/environments/:env/statements/:name';

/**
 * GET …/statements/{name}, the API's busiest call, as a plain Fastify route rather than a Nest
 * controller method: for a read served from the statement cache, Nest's per-request pipeline (execution
 * context, guard and parameter machinery, response mapping) cost more CPU than everything else the GET
 * does (bench:load). It is the same GET: the same authentication and rate limit (ApiKeyAuthenticator),
 * the same permission check (`statement.read`), the same use case, the same Fastify hooks (request id,
 * tracing, metrics), and its errors reach Nest's global filter through Fastify's error handler, so they
 * are the same problem+json. It sends the cached record's JSON text, serialised once.
 */
export function serveStatementReads(
  fastify: FastifyInstance,
  authenticator: ApiKeyAuthenticator,
  getStatement: GetStatement,
): void {
  fastify.get<{ Params: { org: string; env: string; name: string } }>(ROUTE, async (request, reply) => {
    const principal = await authenticator.authenticate(request, reply);
    const { org, env, name } = request.params;
    authorize(principal, 'statement.read', org, env);
    const statement = await getStatement.execute(principal, org, env, name);
    // returned for Fastify to send, as async handlers do: returning the reply after sending it would make
    // the handler's promise adopt the reply as a thenable, one more job per request
    void reply.type('application/json; charset=utf-8');
    return statementJson(statement);
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
