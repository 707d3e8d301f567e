import type { ParserRuleContext } from 'antlr4ng';
import { FlinkSqlParserListener } from 'dt-sql-parser';
import type {
  DdlStatementContext,
  InsertSimpleStatementContext,
  LikeDefinitionContext,
  QueryStatementContext,
  RenameDefinitionContext,
  SqlStatementContext,
  TablePrimaryContext,
  WindowTVFParamContext,
  WithItemContext,
} from 'dt-sql-parser/dist/lib/flink/FlinkSqlParser';
import { walkParseTree } from './parse-flink-sql';
import { unquoteSqlText } from './sql-text';
import type { SqlKind } from './statement-kind';

export interface TableReferences {
  /** tables (and views) the statement reads, as written (`orders`, `cat.db.t`, `` `my-topic` ``), once each */
  tablesRead: string[];
  /** tables (and views) it creates, changes, drops or inserts into */
  tablesWritten: string[];
}

/**
 * EXPLAIN writes nothing: every table it mentions, insert targets included, counts as read. CTE names are
 * not tables and are left out where they are in scope.
 */
export function tableReferencesOf(statement: SqlStatementContext, kind: SqlKind): TableReferences {
  const collector = new QueryTableCollector();
  walkParseTree(collector, statement);
  const read = kind === 'EXPLAIN' ? [...collector.read, ...collector.insertTargets] : [...collector.read];
  const written = kind === 'EXPLAIN' ? [] : [...collector.insertTargets];
  read.unshift(...explicitlyReadTables(statement));
  written.unshift(...explicitlyWrittenTables(statement.ddlStatement()));
  return { tablesRead: distinct(read), tablesWritten: distinct(written) };
}

/** Tables named by the statement itself (DESCRIBE t, SHOW CREATE TABLE t, SHOW COLUMNS FROM t). */
function explicitlyReadTables(statement: SqlStatementContext): string[] {
  const describe = statement.describeStatement();
  if (describe !== null) return [describe.tablePath().getText()];
  const show = statement.showStatement();
  const shown = show?.tablePath() ?? show?.viewPath() ?? null;
  return shown === null ? [] : [shown.getText()];
}

function explicitlyWrittenTables(ddl: DdlStatementContext | null): string[] {
  if (ddl === null) return [];
  const createTable = ddl.createTable();
  const target =
    createTable?.simpleCreateTable()?.tablePathCreate() ??
    createTable?.createTableAsSelect()?.tablePathCreate() ??
    ddl.createView()?.viewPathCreate() ??
    ddl.dropTable()?.tablePath() ??
    ddl.dropView()?.viewPath() ??
    null;
  if (target !== null) return [target.getText()];
  const alterTable = ddl.alterTable();
  if (alterTable !== null) {
    return [alterTable.tablePath().getText(), ...renamedTo(alterTable.renameDefinition())];
  }
  const alterView = ddl.alterView();
  if (alterView !== null) {
    return [alterView.viewPath().getText(), ...renamedTo(alterView.renameDefinition())];
  }
  return [];
}

/** `ALTER TABLE t RENAME TO u` writes u too; `RENAME c TO d` renames a column, not a table. */
function renamedTo(rename: RenameDefinitionContext | null): string[] {
  if (rename === null) return [];
  const [first, second] = rename.uid();
  return first !== undefined && second === undefined ? [first.getText()] : [];
}

function distinct(names: readonly string[]): string[] {
  return [...new Set(names)];
}

/** Collects, in source order, the tables a query reads and the targets of INSERTs, minding CTE scopes. */
class QueryTableCollector extends FlinkSqlParserListener {
  readonly read: string[] = [];
  readonly insertTargets: string[] = [];
  private readonly cteScopes: Set<string>[] = [];

  override enterQueryStatement = (query: QueryStatementContext): void => {
    if (query.withClause() !== null) this.cteScopes.push(new Set());
  };

  override exitQueryStatement = (query: QueryStatementContext): void => {
    if (query.withClause() !== null) this.cteScopes.pop();
  };

  /** a CTE is visible after its own definition: `WITH a AS (SELECT * FROM a)` reads the table a */
  override exitWithItem = (item: WithItemContext): void => {
    this.cteScopes.at(-1)?.add(unquoteSqlText(item.withItemName().getText()));
  };

  override enterTablePrimary = (primary: TablePrimaryContext): void => {
    const path = primary.tablePath() ?? primary.viewPath();
    if (path !== null) this.addRead(path);
  };

  /** `TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), …))` */
  override enterWindowTVFParam = (parameter: WindowTVFParamContext): void => {
    const table = parameter.KW_TABLE() === null ? null : parameter.timeAttrColumn();
    if (table !== null) this.addRead(table.uid());
  };

  /** `CREATE TABLE t (…) WITH (…) LIKE source` */
  override enterLikeDefinition = (like: LikeDefinitionContext): void => {
    this.addRead(like.tablePath());
  };

  override enterInsertSimpleStatement = (insert: InsertSimpleStatementContext): void => {
    this.insertTargets.push(insert.tablePath().getText());
  };

  private addRead(path: ParserRuleContext): void {
    const name = path.getText();
    const isCte =
      path.getChildCount() === 1 && this.cteScopes.some((scope) => scope.has(unquoteSqlText(name)));
    if (!isCte) this.read.push(name);
  }
}
