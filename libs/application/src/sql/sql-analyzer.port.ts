import {
  RiffleError,
  type SqlAnalysisAnswer,
  type SqlAnalysisLimits,
  type SqlValidationAnswer,
  type SqlValidationRequest,
} from '@riffle/domain';

/**
 * Flink's own parser and planner (the SQL analyzer service, deploy/sql-analyzer): what a statement is, and
 * whether Flink would accept it in a session set up as Riffle sets it up, with its plan. Adapters throw
 * SQL_ANALYZER_UNAVAILABLE (retryable) when the service does not answer, never a verdict on the SQL.
 */
export abstract class SqlAnalyzer {
  abstract analyze(statement: string, limits: SqlAnalysisLimits): Promise<SqlAnalysisAnswer>;
  abstract validate(request: SqlValidationRequest): Promise<SqlValidationAnswer>;
}

export function sqlAnalyzerUnavailable(why: string): RiffleError {
  return new RiffleError(
    'SQL_ANALYZER_UNAVAILABLE',
    'unavailable',
    `Riffle cannot check SQL right now (${why}); nothing was stored. Retry shortly.`,
  );
}
