import { RiffleError } from '@riffle/domain';
import type { FastifyInstance } from 'fastify';

/** `application/json` and the `application/*+json` family (problem+json, merge-patch+json, …) */
const JSON_TYPES = /^application\/(?:[\w.-]+\+)?json\b/i;

/**
 * The API takes JSON bodies only, up to `limitBytes`, UTF-8 and uncompressed. Every other body gets
 * a stable code: MALFORMED_JSON (400), REQUEST_TOO_LARGE (413, Fastify's own limit check, mapped by the
 * problem filter), UNSUPPORTED_ENCODING (400) and UNSUPPORTED_MEDIA_TYPE (415). An empty body with a
 * JSON content type is no body, as clients send on DELETE.
 */
export function acceptJsonBodies(fastify: FastifyInstance, limitBytes: number): void {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser(
    JSON_TYPES,
    { parseAs: 'string', bodyLimit: limitBytes },
    (request, body: string, done) => {
      const encoding = request.headers['content-encoding'];
      const charset = /;\s*charset="?([^";]+)/i.exec(request.headers['content-type'] ?? '')?.[1];
      if ((encoding && encoding !== 'identity') || (charset && !/^utf-?8$/i.test(charset)))
        return done(
          new RiffleError('UNSUPPORTED_ENCODING', 'invalid', 'Send the body as uncompressed UTF-8 JSON.'),
          undefined,
        );
      if (body.length === 0) return done(null, undefined);
      try {
        done(null, JSON.parse(body));
      } catch {
        done(new RiffleError('MALFORMED_JSON', 'invalid', 'The request body is not valid JSON.'), undefined);
      }
    },
  );
  fastify.addContentTypeParser('*', (_request, _payload, done) =>
    done(
      new RiffleError(
        'UNSUPPORTED_MEDIA_TYPE',
        'unsupported_media_type',
        'The API accepts JSON bodies only: send Content-Type: application/json.',
      ),
      undefined,
    ),
  );
}

/** `5mb`, `512kb`, `100b` → bytes (the API_BODY_LIMIT format) */
export function sizeInBytes(size: string): number {
  const match = /^(\d+)(b|kb|mb)$/i.exec(size);
  if (!match) throw new Error(`not a size: ${size}`);
  const unit = { b: 1, kb: 1024, mb: 1024 * 1024 }[match[2]!.toLowerCase() as 'b' | 'kb' | 'mb'];
  return Number(match[1]) * unit;
}
