import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Every response carries X-Request-Id: the caller's, when it is a sane token, else a new one. */
export function requestId(request: Request, response: Response, next: NextFunction): void {
  const given = request.header('x-request-id');
  const id = given && SAFE_ID.test(given) ? given : randomUUID();
  response.setHeader('x-request-id', id);
  next();
}
