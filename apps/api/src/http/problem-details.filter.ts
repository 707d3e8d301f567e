import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';
import { type ErrorKind, RiffleError } from '@riffle/domain';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';

export const PROBLEM_JSON = 'application/problem+json';

const STATUS_BY_KIND: Record<ErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  quota: 422,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

/** Errors raised by the framework before a controller runs (routing, URL decoding). */
function fromFrameworkError(error: unknown): RiffleError | undefined {
  if (!(error instanceof HttpException)) return undefined;
  switch (error.getStatus()) {
    case 404:
      return new RiffleError('ROUTE_NOT_FOUND', 'not_found', 'No such endpoint. See /docs for the API.');
    case 413:
      return new RiffleError(
        'REQUEST_TOO_LARGE',
        'too_large',
        'The request body is larger than the API accepts.',
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

/**
 * The one place errors become HTTP: RFC 9457 problem details with a stable `code`, never a stack trace.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
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
    if (status >= 500) {
      this.logger.error(
        { err: exception, requestId: request.header('x-request-id') ?? response.getHeader('x-request-id') },
        'request failed',
      );
    }
    if (response.headersSent) return;
    if (status === 503) response.setHeader('retry-after', '2');
    response
      .status(status)
      .type(PROBLEM_JSON)
      .send(
        JSON.stringify({
          type: `urn:riffle:problem:${error.code}`,
          title: error.message,
          status,
          code: error.code,
          detail: error.message,
          instance: request.originalUrl.split('?')[0],
          request_id: response.getHeader('x-request-id'),
          ...error.details,
        }),
      );
  }
}
