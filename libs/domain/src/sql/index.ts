export { classifyStatement, type StatementClassification } from './classify-statement';
export { MAX_STATEMENT_BYTES, type SqlPosition, type SqlSyntaxProblem } from './sql-errors';
export { EXECUTION_MODE_BY_KIND, SQL_KINDS, type SqlKind } from './statement-kind';
export { assertStatementName, STATEMENT_NAME_MAX_LENGTH } from './statement-name';
export type { SqlProperty } from './statement-properties';
