import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';
import { type ErrorKind, RiffleError } from '@riffle/domain';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';

export const PROBLEM_JSON = 'application/problem+json';
const PROBLEM_JSON_UTF8 = `${PROBLEM_JSON}; charset=utf-8`;

const STATUS_BY_KIND: Record<ErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  gone: 410,
  conflict: 409,
  too_large: 413,
  unsupported_media_type: 415,
  quota: 422,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

/** Errors raised by the framework before a controller runs: routing, URL decoding, reading the body. */
function fromFrameworkError(error: unknown): RiffleError | undefined {
  const status =
    error instanceof HttpException
      ? error.getStatus()
      : typeof (error as { code?: unknown } | undefined)?.code === 'string' &&
          (error as { code: string }).code.startsWith('FST_')
        ? (error as { statusCode?: number }).statusCode
        : undefined;
  switch (status) {
    case 404:
      return new RiffleError('ROUTE_NOT_FOUND', 'not_found', 'No such endpoint. See /docs for the API.');
    case 413:
      return new RiffleError(
        'REQUEST_TOO_LARGE',
        'too_large',
        'The request body is larger than the API accepts.',
      );
    case 415:
      return new RiffleError(
        'UNSUPPORTED_MEDIA_TYPE',
        'unsupported_media_type',
        'The API accepts JSON bodies only: send Content-Type: application/json.',
      );
    case 400:
      return new RiffleError('BAD_REQUEST', 'invalid', 'The request could not be understood.');
    default:
      return undefined;
  }
}

/** Postgres unreachable or restarting: the request may be retried, it is not our bug. */
function fromDatabaseOutage(error: unknown): RiffleError | undefined {
  const e = error as { message?: unknown; code?: unknown } | undefined;
  const code = typeof e?.code === 'string' ? e.code : '';
  const message = typeof e?.message === 'string' ? e.message : '';
  const outage =
    message === 'Driver not Connected' ||
    /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE)$/.test(code) ||
    /^(08|57P0)/.test(code) ||
    /Connection terminated|timeout exceeded when trying to connect/i.test(message);
  return outage
    ? new RiffleError(
        'DATABASE_UNAVAILABLE',
        'unavailable',
        'The service is briefly unavailable; retry shortly.',
      )
    : undefined;
}

/** a problem+json answer: status, headers and body */
export interface ProblemAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * The one place errors become HTTP: RFC 9457 problem details with a stable `code`, never a stack trace.
 * Server-side failures (5xx) are logged here. Nest's filter sends it; so does the statement read served
 * ahead of Fastify.
 */
export function problemAnswer(
  exception: unknown,
  logger: Logger,
  instance: string,
  requestId: unknown,
): ProblemAnswer {
  const error =
    exception instanceof RiffleError
      ? exception
      : (fromFrameworkError(exception) ??
        fromDatabaseOutage(exception) ??
        new RiffleError(
          'INTERNAL_ERROR',
          'internal',
          'Something went wrong on our side; it has been logged.',
        ));
  const status = STATUS_BY_KIND[error.kind];
  if (status >= 500) logger.error({ err: exception, requestId }, 'request failed');
  return {
    status,
    headers:
      status === 503 || status === 429
        ? { 'content-type': PROBLEM_JSON_UTF8, 'retry-after': retryAfter(error) }
        : { 'content-type': PROBLEM_JSON_UTF8 },
    body: JSON.stringify({
      type: `urn:riffle:problem:${error.code}`,
      title: error.message,
      status,
      code: error.code,
      detail: error.message,
      instance,
      request_id: requestId,
      ...error.details,
    }),
  };
}

/** seconds a client should wait: the error's own `retry_after_seconds`, else 2 */
function retryAfter(error: RiffleError): string {
  const seconds = error.details.retry_after_seconds;
  return typeof seconds === 'number' && Number.isInteger(seconds) && seconds > 0 ? String(seconds) : '2';
}

/** Nest's global exception filter: every error of a Nest route, and what Fastify's error handler passes on */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const answer = problemAnswer(
      exception,
      this.logger,
      request.url.split('?', 1)[0]!,
      reply.getHeader('x-request-id'),
    );
    if (reply.sent || reply.raw.headersSent) return;
    void reply.status(answer.status).headers(answer.headers).send(answer.body);
  }
}
