import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** the caller's X-Request-Id when it is a sane token, else a new one */
export function requestIdFor(given: string | string[] | undefined): string {
  return typeof given === 'string' && SAFE_ID.test(given) ? given : randomUUID();
}

/** Every response carries X-Request-Id (`requestIdFor`). */
export function requestIds(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', requestIdFor(request.headers['x-request-id']));
    done();
  });
}
