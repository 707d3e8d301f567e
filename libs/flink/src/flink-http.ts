import { EventEmitter } from 'node:events';
import { RiffleError } from '@riffle/domain';
import { inSpan, SpanKind } from '@riffle/observability';
import {
  BrokenCircuitError,
  type CircuitBreakerPolicy,
  circuitBreaker,
  ConsecutiveBreaker,
  handleWhen,
} from 'cockatiel';

/** every Flink REST call, for metrics: method, path with ids replaced by `:id`, duration, status (0 = no answer) */
export const flinkCalls = new EventEmitter<{
  call: [{ method: string; path: string; seconds: number; status: number }];
}>();

const pathTemplate = (path: string) =>
  path.split('?')[0]!.replace(/\/[0-9a-f]{32}|\/[0-9a-f-]{36}|\/\d+(?=\/|$)/gi, '/:id');

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** the SQL Gateway's REST API is versioned (`/v4/…`); the JobManager's is not */
const endpointOf = (path: string) => (/^\/v\d+\//.test(path) ? 'sql-gateway' : 'jobmanager');

/** `server.address`/`server.port` of a base URL, for spans */
function serverOf(baseUrl: string): Record<string, string | number> {
  if (!URL.canParse(baseUrl)) return {};
  const url = new URL(baseUrl);
  return {
    'server.address': url.hostname,
    'server.port': Number(url.port) || (url.protocol === 'https:' ? 443 : 80),
  };
}

/**
 * A JSON-over-HTTP call to a Flink endpoint (SQL Gateway or JobManager REST) with a deadline, in a
 * CLIENT span named like `sql-gateway POST /v4/sessions/:id/statements`.
 * Transport failures become FLINK_UNAVAILABLE (retryable); Flink's own error answers keep Flink's
 * first error line, which is what a user can act on, and drop its Java stack.
 */
export function flinkRequest<T>(
  baseUrl: string,
  method: Method,
  path: string,
  timeoutMs: number,
  body?: unknown,
): Promise<T> {
  const template = pathTemplate(path);
  const endpoint = endpointOf(path);
  return inSpan(
    '@riffle/flink',
    `${endpoint} ${method} ${template}`,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'http.request.method': method,
        'url.template': template,
        ...serverOf(baseUrl),
        'riffle.flink.endpoint': endpoint,
      },
    },
    async (span) => {
      const answer = await callFlink<T>(baseUrl, method, path, timeoutMs, body, template);
      span.setAttribute('http.response.status_code', answer.status);
      return answer.body;
    },
  );
}

/** a Flink endpoint that gave no answer this many times in a row is not called for a while */
export const FLINK_BREAKER = { consecutiveFailures: 5, openMs: 5_000 };

/** no answer at all (refused, reset, timed out): what the breakers count; Flink's own error answers are answers */
const noAnswer = (error: unknown) => error instanceof RiffleError && error.code === 'FLINK_UNAVAILABLE';

const breakers = new Map<string, CircuitBreakerPolicy>();

/**
 * One circuit breaker per Flink endpoint (base URL): after FLINK_BREAKER.consecutiveFailures calls
 * without an answer, calls fail at once with FLINK_UNAVAILABLE for FLINK_BREAKER.openMs, then one trial
 * call decides whether it closes again. A cell that is down then costs its callers nothing but the
 * error, instead of a connect timeout each; reconcile jobs back off and retry as for any outage.
 */
function breakerFor(baseUrl: string): CircuitBreakerPolicy {
  let breaker = breakers.get(baseUrl);
  if (!breaker) {
    breaker = circuitBreaker(handleWhen(noAnswer), {
      halfOpenAfter: FLINK_BREAKER.openMs,
      breaker: new ConsecutiveBreaker(FLINK_BREAKER.consecutiveFailures),
    });
    breakers.set(baseUrl, breaker);
  }
  return breaker;
}

/** forgets every breaker's state (tests) */
export function resetFlinkBreakers(): void {
  breakers.clear();
}

async function callFlink<T>(
  baseUrl: string,
  method: Method,
  path: string,
  timeoutMs: number,
  body: unknown,
  template: string,
): Promise<{ status: number; body: T }> {
  try {
    return await breakerFor(baseUrl).execute(() =>
      callFlinkOnce<T>(baseUrl, method, path, timeoutMs, body, template),
    );
  } catch (error) {
    if (!(error instanceof BrokenCircuitError)) throw error;
    throw new RiffleError(
      'FLINK_UNAVAILABLE',
      'unavailable',
      `Flink at ${baseUrl} did not answer the last ${FLINK_BREAKER.consecutiveFailures} calls; not calling it for ${FLINK_BREAKER.openMs / 1000} s (${method} ${path})`,
      { circuit: 'open' },
    );
  }
}

async function callFlinkOnce<T>(
  baseUrl: string,
  method: Method,
  path: string,
  timeoutMs: number,
  body: unknown,
  template: string,
): Promise<{ status: number; body: T }> {
  let response: Response;
  const started = performance.now();
  const observe = (status: number) =>
    flinkCalls.emit('call', {
      method,
      path: template,
      seconds: (performance.now() - started) / 1000,
      status,
    });
  try {
    response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    observe(0);
    throw new RiffleError('FLINK_UNAVAILABLE', 'unavailable', `Flink did not answer ${method} ${path}`, {
      cause: error instanceof Error ? error.message : String(error),
    });
  }
  const text = await response.text();
  observe(response.status);
  if (!response.ok) {
    const lines = flinkErrorLines(text);
    throw new RiffleError(
      response.status >= 500 ? 'FLINK_ERROR' : 'FLINK_REJECTED',
      response.status === 404 ? 'not_found' : response.status >= 500 ? 'unavailable' : 'invalid',
      `Flink answered ${response.status} to ${method} ${path}: ${rootCause(lines)}`,
      { flinkErrors: lines },
    );
  }
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as T };
}

/**
 * Flink quotes a table's options in its errors ("Table options are: …"), and a logical cluster's tables
 * carry their principal's SASL login: every text taken from Flink goes through this before it is shown
 * or logged. Passwords in JAAS configs, and any option whose name says password or secret, are masked.
 */
export function redactSecrets(text: string): string {
  return (
    text
      // password="…" and, inside JSON, password=\"…\"
      .replace(/(password\s*=\s*)(\\?")(.*?)(\2)/gi, '$1$2***$4')
      .replace(/(password\s*=\s*)(?![\\"])[^\s;'"\\]+/gi, '$1***')
      .replace(/('[^']*(?:password|secret|jaas\.config|user-info)[^']*'\s*=\s*)'(?:[^']|'')*'/gi, "$1'***'")
  );
}

/** Flink answers errors as { errors: [summary, stack…] }; keep the readable lines only, secrets masked. */
export function flinkErrorLines(body: string): string[] {
  return readableErrorLines(redactSecrets(body));
}

function readableErrorLines(body: string): string[] {
  try {
    const parsed = JSON.parse(body) as { errors?: unknown };
    if (!Array.isArray(parsed.errors)) return [body.slice(0, 500)];
    return parsed.errors
      .filter((e): e is string => typeof e === 'string')
      .flatMap((e) => e.split('\n'))
      .filter((line) => line.trim() && !/^\s+at |^\s*\.\.\. \d+ more/.test(line))
      .slice(0, 20);
  } catch {
    return [body.slice(0, 500)];
  }
}

/** The innermost "Caused by" is usually the one a person can act on. */
export function rootCause(lines: readonly string[]): string {
  const causes = lines.filter((line) => line.startsWith('Caused by: '));
  const line =
    causes.at(-1) ??
    lines.find((l) => !/^Internal server error\.?$|^<Exception on server side:$/.test(l)) ??
    '';
  return line.replace(/^Caused by: /, '').slice(0, 1_000);
}
