export * from './analysis';
export {
  checkStatementText,
  classifyStatement,
  type StatementClassification,
  tablesOf,
} from './classify-statement';
export * from './policy';
export {
  MAX_STATEMENT_BYTES,
  type SqlPosition,
  type SqlSyntaxProblem,
  sqlValidationError,
} from './sql-errors';
export { MAX_SQL_DEPTH, MAX_SQL_NESTING, MAX_SQL_TOKENS, SQL_ANALYSIS_LIMITS } from './sql-limits';
export { EXECUTION_MODE_BY_KIND, SQL_KINDS, type SqlKind, sqlKindOf } from './statement-kind';
export { assertStatementName, STATEMENT_NAME_MAX_LENGTH } from './statement-name';
