import type { GetStatement, Principal } from '@riffle/application';
import { RiffleError } from '@riffle/domain';
import { aStatementRecord } from '@riffle/testing';
import { fastify as createFastify } from 'fastify';
import type { ApiKeyAuthenticator } from '../auth/api-key-authenticator';
import { serveStatementReads } from './statement-read.route';
import { statementJson } from './statement.presenter';

const PATH = '/sql/v1/organizations/org-1/environments/env-1/statements/orders';
const principal: Principal = {
  organizationId: 'org-1',
  serviceAccountId: 'sa-1',
  apiKeyId: 'AAAABBBBCCCCDDDD',
  roles: [{ role: 'Viewer', environmentId: 'env-1' }],
};

/** the route on a Fastify instance of its own, over fakes of the authenticator and the use case */
async function server(authenticate: () => Promise<Principal> = async () => principal) {
  const fastify = createFastify();
  const record = Object.freeze(aStatementRecord());
  const authenticator = { authenticate } as unknown as ApiKeyAuthenticator;
  const getStatement = { execute: async () => record } as unknown as GetStatement;
  // the API's is Nest's problem+json filter (the e2e tests hold the route to it); here, which error arrived
  fastify.setErrorHandler((error: RiffleError, _request, reply) =>
    reply.code(418).send({ code: error.code }),
  );
  serveStatementReads(fastify, authenticator, getStatement);
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
