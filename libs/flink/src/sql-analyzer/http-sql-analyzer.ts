import type { SqlAnalyzer } from '@riffle/application';
import { sqlAnalyzerUnavailable } from '@riffle/application';
import { redactSecrets } from '../flink-http';
import {
  SQL_ANALYSIS_VERSION,
  type SqlAnalysisAnswer,
  type SqlAnalysisLimits,
  type SqlValidationAnswer,
  type SqlValidationRequest,
} from '@riffle/domain';
import { inSpan, SpanKind } from '@riffle/observability';
import {
  BrokenCircuitError,
  type CircuitBreakerPolicy,
  circuitBreaker,
  ConsecutiveBreaker,
  handleWhen,
} from 'cockatiel';

/** an analyzer that gave no answer this many times in a row is not called for a while */
export const SQL_ANALYZER_BREAKER = { consecutiveFailures: 5, openMs: 5_000 };

class NoAnswer extends Error {}

/**
 * The SQL analyzer over HTTP/JSON (deploy/sql-analyzer, contract version 1), in CLIENT spans named
 * `sql-analyzer POST /v1/analyze`. Every call has a deadline; no answer, an overloaded or failing analyzer
 * and an answer of another contract version are SQL_ANALYZER_UNAVAILABLE (retryable, HTTP 503), and after
 * SQL_ANALYZER_BREAKER.consecutiveFailures calls without an answer calls fail at once for a while.
 */
export class HttpSqlAnalyzer implements SqlAnalyzer {
  private readonly breaker: CircuitBreakerPolicy;

  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs: number,
  ) {
    this.breaker = circuitBreaker(
      handleWhen((error) => error instanceof NoAnswer),
      {
        halfOpenAfter: SQL_ANALYZER_BREAKER.openMs,
        breaker: new ConsecutiveBreaker(SQL_ANALYZER_BREAKER.consecutiveFailures),
      },
    );
  }

  analyze(statement: string, limits: SqlAnalysisLimits): Promise<SqlAnalysisAnswer> {
    return this.post<SqlAnalysisAnswer>('/v1/analyze', { statement, limits }, (answer) =>
      Boolean(answer.analysis ?? answer.error),
    );
  }

  validate(request: SqlValidationRequest): Promise<SqlValidationAnswer> {
    return this.post<SqlValidationAnswer>(
      '/v1/validate',
      request,
      (answer) => typeof answer.valid === 'boolean',
    );
  }

  /** GET /health: 200 once the analyzer has warmed up */
  async health(): Promise<void> {
    const response = await fetch(`${this.baseUrl}/health`, { signal: AbortSignal.timeout(this.timeoutMs) });
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`the SQL analyzer answered ${response.status}`);
  }

  private post<T extends object>(path: string, body: unknown, complete: (answer: T) => boolean): Promise<T> {
    return inSpan(
      '@riffle/flink',
      `sql-analyzer POST ${path}`,
      { kind: SpanKind.CLIENT, attributes: { 'http.request.method': 'POST', 'url.template': path } },
      async () => {
        try {
          const answer = await this.breaker.execute(() => this.call<T>(path, body));
          if ((answer as { version?: unknown }).version !== SQL_ANALYSIS_VERSION || !complete(answer)) {
            throw sqlAnalyzerUnavailable(
              `the analyzer answered ${path} in a contract other than version ${SQL_ANALYSIS_VERSION}`,
            );
          }
          return answer;
        } catch (error) {
          if (error instanceof BrokenCircuitError)
            throw sqlAnalyzerUnavailable(
              `the analyzer did not answer the last ${SQL_ANALYZER_BREAKER.consecutiveFailures} calls`,
            );
          if (error instanceof NoAnswer) throw sqlAnalyzerUnavailable(error.message);
          throw error;
        }
      },
    );
  }

  private async call<T>(path: string, body: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string }; name?: string }).cause?.code;
      throw new NoAnswer(`no answer from the analyzer (${cause ?? (error as Error).name})`);
    }
    // Flink's messages can quote table options, a logical cluster's login among them
    const text = redactSecrets(await response.text());
    if (response.status === 503) throw sqlAnalyzerUnavailable('the analyzer is busy');
    if (!response.ok) {
      let message = text.slice(0, 300);
      try {
        message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? message;
      } catch {
        // not JSON: its first characters
      }
      throw sqlAnalyzerUnavailable(`the analyzer answered ${response.status}: ${message}`);
    }
    return JSON.parse(text) as T;
  }
}
