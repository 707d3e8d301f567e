/**
 * Every failure Riffle reports has a stable SCREAMING_SNAKE `code` (part of the public API, never renamed)
 * and a kind; the HTTP edge maps kinds to status codes, workers map them to retry or give up.
 */
export type ErrorKind =
  | 'invalid'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  /** it existed and is gone for good (e.g. results past their retention) */
  | 'gone'
  | 'conflict'
  | 'too_large'
  | 'unsupported_media_type'
  | 'quota'
  | 'rate_limited'
  | 'unavailable'
  | 'internal';

export class RiffleError extends Error {
  override readonly name = 'RiffleError';

  constructor(
    readonly code: string,
    readonly kind: ErrorKind,
    message: string,
    /** safe to show to the caller: no stack traces, no internal host names */
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
  }

  /** worth retrying later without changing the request */
  get retryable(): boolean {
    return this.kind === 'unavailable' || this.kind === 'rate_limited';
  }
}
