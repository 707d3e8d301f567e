export * from './analysis';
export { classifyStatement, type StatementClassification } from './classify-statement';
export * from './policy';
export { MAX_STATEMENT_BYTES, type SqlPosition, type SqlSyntaxProblem } from './sql-errors';
export {
  MAX_PARSE_TREE_DEPTH,
  MAX_PREDICTION_CLOSURES,
  MAX_PREDICTION_STEPS,
  MAX_SQL_NESTING,
  MAX_SQL_TOKENS,
} from './sql-limits';
export { EXECUTION_MODE_BY_KIND, SQL_KINDS, type SqlKind } from './statement-kind';
export { assertStatementName, STATEMENT_NAME_MAX_LENGTH } from './statement-name';
export type { SqlProperty } from './statement-properties';
