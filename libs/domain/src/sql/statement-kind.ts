import type {
  DdlStatementContext,
  DmlStatementContext,
  ShowStatementContext,
  SqlStatementContext,
  UseStatementContext,
} from 'dt-sql-parser/dist/lib/flink/FlinkSqlParser';
import type { ExecutionMode } from '../statements/statement';

/**
 * What a statement is, as far as Riffle cares. Anything Riffle has no dedicated handling for (CREATE FUNCTION,
 * CREATE CATALOG/DATABASE, ALTER VIEW, ADD/REMOVE JAR, LOAD/UNLOAD MODULE, USE MODULES, …) is OTHER, so a
 * policy that allows kinds one by one rejects it without knowing it exists.
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

export function sqlKindOf(statement: SqlStatementContext): SqlKind {
  const ddl = statement.ddlStatement();
  if (ddl !== null) return ddlKindOf(ddl);
  const dml = statement.dmlStatement();
  if (dml !== null) return dmlKindOf(dml);
  const show = statement.showStatement();
  if (show !== null) return showKindOf(show);
  const use = statement.useStatement();
  if (use !== null) return useKindOf(use);
  if (statement.describeStatement() !== null) return 'DESCRIBE';
  if (statement.explainStatement() !== null) return 'EXPLAIN';
  if (statement.setStatement() !== null) return 'SET';
  if (statement.resetStatement() !== null) return 'RESET';
  return 'OTHER';
}

function ddlKindOf(ddl: DdlStatementContext): SqlKind {
  const createTable = ddl.createTable();
  if (createTable !== null) {
    // the grammar's CTAS rule also matches `CREATE TABLE t WITH (…)` with no AS and no columns
    return createTable.createTableAsSelect()?.queryStatement() ? 'CREATE_TABLE_AS' : 'CREATE_TABLE';
  }
  if (ddl.alterTable() !== null) return 'ALTER_TABLE';
  if (ddl.dropTable() !== null) return 'DROP_TABLE';
  if (ddl.createView() !== null) return 'CREATE_VIEW';
  if (ddl.dropView() !== null) return 'DROP_VIEW';
  return 'OTHER';
}

function dmlKindOf(dml: DmlStatementContext): SqlKind {
  const insert = dml.insertStatement();
  if (insert === null) return 'SELECT';
  return insert.insertSimpleStatement() !== null ? 'INSERT_INTO' : 'STATEMENT_SET';
}

function showKindOf(show: ShowStatementContext): SqlKind {
  return show.KW_CREATE() !== null && show.KW_TABLE() !== null ? 'SHOW_CREATE_TABLE' : 'SHOW';
}

function useKindOf(use: UseStatementContext): SqlKind {
  return use.useModuleStatement() !== null ? 'OTHER' : 'USE';
}
