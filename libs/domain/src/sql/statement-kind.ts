import type { ExecutionMode } from '../statements/statement';
import type { SqlStatementShape } from './analysis';

/**
 * What a statement is, as far as Riffle cares. Anything Riffle has no dedicated handling for (CREATE FUNCTION,
 * CREATE CATALOG/DATABASE, ALTER VIEW, ADD/REMOVE JAR, LOAD/UNLOAD MODULE, USE MODULES, …) is OTHER, so a
 * policy that allows kinds one by one rejects it without knowing it exists. Stored with every statement
 * (`sql_kind`): the names are stable.
 */
export const SQL_KINDS = [
  'SELECT',
  'INSERT_INTO',
  'CREATE_TABLE_AS',
  'STATEMENT_SET',
  'CREATE_TABLE',
  'ALTER_TABLE',
  'DROP_TABLE',
  'CREATE_VIEW',
  'DROP_VIEW',
  'SHOW',
  'DESCRIBE',
  'SHOW_CREATE_TABLE',
  'EXPLAIN',
  'SET',
  'RESET',
  'USE',
  'OTHER',
] as const;
export type SqlKind = (typeof SQL_KINDS)[number];

/** DESIGN §3: the control plane answers metadata statements; SELECT streams rows; the rest are long jobs. */
export const EXECUTION_MODE_BY_KIND: Readonly<Record<SqlKind, ExecutionMode>> = {
  SELECT: 'foreground',
  INSERT_INTO: 'background',
  CREATE_TABLE_AS: 'background',
  STATEMENT_SET: 'background',
  CREATE_TABLE: 'metadata',
  ALTER_TABLE: 'metadata',
  DROP_TABLE: 'metadata',
  CREATE_VIEW: 'metadata',
  DROP_VIEW: 'metadata',
  SHOW: 'metadata',
  DESCRIBE: 'metadata',
  SHOW_CREATE_TABLE: 'metadata',
  EXPLAIN: 'metadata',
  SET: 'metadata',
  RESET: 'metadata',
  USE: 'metadata',
  OTHER: 'metadata',
};

const BY_ANALYZER_KIND: Readonly<Record<string, SqlKind>> = {
  SELECT: 'SELECT',
  INSERT: 'INSERT_INTO',
  'STATEMENT SET': 'STATEMENT_SET',
  'CREATE TABLE': 'CREATE_TABLE',
  'CREATE TABLE LIKE': 'CREATE_TABLE',
  'CREATE TABLE AS': 'CREATE_TABLE_AS',
  'DROP TABLE': 'DROP_TABLE',
  'CREATE VIEW': 'CREATE_VIEW',
  'DROP VIEW': 'DROP_VIEW',
  'SHOW CREATE TABLE': 'SHOW_CREATE_TABLE',
  'SHOW CREATE VIEW': 'SHOW_CREATE_TABLE',
  DESCRIBE: 'DESCRIBE',
  EXPLAIN: 'EXPLAIN',
  SET: 'SET',
  RESET: 'RESET',
  USE: 'USE',
  'USE CATALOG': 'USE',
};

/** The SQL analyzer's kind (Flink's parser node, `ALTER TABLE ADD`, `SHOW TABLES` …) as Riffle's. */
export function sqlKindOf(shape: Pick<SqlStatementShape, 'kind'>): SqlKind {
  const known = BY_ANALYZER_KIND[shape.kind];
  if (known !== undefined) return known;
  if (shape.kind.startsWith('ALTER TABLE ')) return 'ALTER_TABLE';
  if (shape.kind.startsWith('SHOW ') && !shape.kind.startsWith('SHOW CREATE ')) return 'SHOW';
  return 'OTHER';
}
