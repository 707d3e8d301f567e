import { FlinkSqlParserListener } from 'dt-sql-parser';
import type {
  ResetStatementContext,
  SetKeyValueDefinitionContext,
  SetStatementContext,
  SqlStatementContext,
  TablePropertyContext,
  TablePropertyKeyContext,
  WithOptionContext,
} from 'dt-sql-parser/dist/lib/flink/FlinkSqlParser';
import { type LexedToken, walkParseTree } from './parse-flink-sql';
import { unquoteSqlText } from './sql-text';

/**
 * A key the statement sets, for a policy to judge (DESIGN §7): `SET 'k' = 'v'` and `RESET 'k'` (SESSION),
 * a `WITH ('k' = 'v')` / `ALTER … SET ('k' = 'v')` option of a table, catalog or database (OPTIONS), or a
 * table option `ALTER TABLE … RESET ('k')` resets (RESET_OPTIONS, value null).
 */
export interface SqlProperty {
  source: 'SET' | 'RESET' | 'OPTIONS' | 'RESET_OPTIONS';
  /** unquoted */
  key: string;
  /** unquoted; null for RESET */
  value: string | null;
}

export function propertiesOf(statement: SqlStatementContext): SqlProperty[] {
  const collector = new PropertyCollector();
  walkParseTree(collector, statement);
  return collector.properties;
}

/** `/*+ … *\/`: an optimizer hint such as `OPTIONS('k'='v')`, which the grammar lexes as a comment. */
export function isHint(token: LexedToken): boolean {
  return token.type === 'BRACKETED_COMMENT' && token.text.startsWith('/*+');
}

/** The hints among a statement's tokens, exactly as written; they never appear in the parse tree. */
export function hintsOf(statementTokens: readonly LexedToken[]): string[] {
  return statementTokens.filter(isHint).map((token) => token.text);
}

class PropertyCollector extends FlinkSqlParserListener {
  readonly properties: SqlProperty[] = [];

  override enterSetStatement = (set: SetStatementContext): void => {
    const property = set.tableProperty();
    if (property !== null) this.properties.push(propertyOf('SET', property));
  };

  override enterResetStatement = (reset: ResetStatementContext): void => {
    const key = reset.tablePropertyKey();
    if (key !== null) this.properties.push({ source: 'RESET', key: keyOf(key), value: null });
  };

  override enterWithOption = (option: WithOptionContext): void => {
    for (const property of option.tablePropertyList().tableProperty()) {
      this.properties.push(propertyOf('OPTIONS', property));
    }
  };

  override enterSetKeyValueDefinition = (definition: SetKeyValueDefinitionContext): void => {
    for (const property of definition.tablePropertyList().tableProperty()) {
      this.properties.push(propertyOf('OPTIONS', property));
    }
  };
}

function propertyOf(source: SqlProperty['source'], property: TablePropertyContext): SqlProperty {
  const value = property.tablePropertyValue();
  return {
    source,
    key: keyOf(property.tablePropertyKey()),
    value: value === null ? null : unquoteSqlText(value.getText()),
  };
}

function keyOf(key: TablePropertyKeyContext): string {
  return unquoteSqlText(key.getText());
}
