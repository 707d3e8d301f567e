import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Every response carries X-Request-Id: the caller's, when it is a sane token, else a new one. */
export function requestIds(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    const given = request.headers['x-request-id'];
    reply.header('x-request-id', typeof given === 'string' && SAFE_ID.test(given) ? given : randomUUID());
    done();
  });
}
