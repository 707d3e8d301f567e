import { RiffleError } from '@riffle/domain';
import type { NextFunction, Request, Response } from 'express';

/**
 * Turns body-parser failures into domain errors with stable codes before Nest's router sees them
 * (Nest would otherwise collapse them into a generic 400).
 */
export function bodyErrors(error: unknown, _request: Request, _response: Response, next: NextFunction): void {
  const type = (error as { type?: unknown } | undefined)?.type;
  switch (type) {
    case 'entity.parse.failed':
      return next(new RiffleError('MALFORMED_JSON', 'invalid', 'The request body is not valid JSON.'));
    case 'entity.too.large':
      return next(
        new RiffleError('REQUEST_TOO_LARGE', 'too_large', 'The request body is larger than the API accepts.'),
      );
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return next(
        new RiffleError('UNSUPPORTED_ENCODING', 'invalid', 'The request body encoding is not supported.'),
      );
    default:
      return next(error);
  }
}
