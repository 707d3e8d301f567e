import type { ParserRuleContext } from 'antlr4ng';
import { FlinkSqlParserListener } from 'dt-sql-parser';
import type {
  CatalogPathContext,
  DatabasePathContext,
  FunctionNameWithParamsContext,
  IdentifierContext,
  SqlStatementContext,
  TablePathContext,
  TablePathCreateContext,
  ViewPathContext,
  ViewPathCreateContext,
} from 'dt-sql-parser/dist/lib/flink/FlinkSqlParser';
import type { RiffleError } from '../../riffle-error';
import { type LexedToken, walkParseTree } from '../parse-flink-sql';
import { unquoteSqlText } from '../sql-text';
import { tableOutsideEnvironment } from './policy-errors';
import type { StatementPolicyContext } from './statement-policy-context';

/**
 * Flink's own catalogs (and names other engines use for system catalogs): never a tenant's, even if an
 * environment had one of these names. Compared ignoring case.
 */
const RESERVED_CATALOGS = new Set(['default_catalog', 'system', 'sys', 'information_schema', 'builtin']);

type PathKind = 'table' | 'database' | 'catalog' | 'function';

interface NamedPath {
  kind: PathKind;
  /** unquoted parts */
  parts: string[];
  /** as written */
  text: string;
}

const LABEL: Readonly<Record<PathKind, string>> = {
  table: 'Table',
  database: 'Database',
  catalog: 'Catalog',
  function: 'Function',
};

/**
 * Refuses names outside the tenant's environment: a catalog other than its own (or one of Flink's), a
 * database that is not one of its Kafka clusters. Unqualified names resolve inside the environment. Names
 * come from the table-references extraction, from every path in the parse tree (USE, SHOW … FROM, LIKE)
 * and from the tokens: a dotted name followed by `(` is a call to Flink even where dt-sql-parser reads a
 * column and an alias (`SELECT cat.db.f(x)`), so a place one of them misses another still sees.
 */
export function checkEnvironmentScope(
  statement: SqlStatementContext,
  tokens: readonly LexedToken[],
  tableNames: readonly string[],
  context: StatementPolicyContext,
): RiffleError | undefined {
  const collector = new PathCollector();
  walkParseTree(collector, statement);
  const fromNames = tableNames.map((text): NamedPath => ({ kind: 'table', parts: sqlNameParts(text), text }));
  for (const path of [...fromNames, ...collector.paths, ...dottedCallsOf(tokens)]) {
    const refusal = scopeRefusal(path, context);
    if (refusal !== undefined) return refusal;
  }
  return undefined;
}

function scopeRefusal(path: NamedPath, context: StatementPolicyContext): RiffleError | undefined {
  const name = `${LABEL[path.kind]} ${path.text}`;
  // a catalog is the first of three parts of a table or function, of two of a database, or the only one
  const catalogParts = { table: 3, function: 3, database: 2, catalog: 1 }[path.kind];
  const databaseIndex = path.parts.length - (path.kind === 'database' ? 1 : 2);
  if (path.parts.length > catalogParts) return tableOutsideEnvironment(name, 'it has too many parts');
  if (path.parts.length === catalogParts) {
    const catalog = path.parts[0] ?? '';
    if (RESERVED_CATALOGS.has(catalog.toLowerCase()) || catalog !== context.catalog) {
      return tableOutsideEnvironment(
        name,
        `catalog ${catalog} is not this environment's (${context.catalog})`,
      );
    }
  }
  if (path.kind !== 'catalog' && databaseIndex >= 0) {
    const database = path.parts[databaseIndex] ?? '';
    if (!context.databases.includes(database)) {
      return tableOutsideEnvironment(name, `${database} is not a Kafka cluster of this environment`);
    }
  }
  return undefined;
}

/** `cat.db.t`, `` `my.db`.t ``, `'x'.y` → unquoted parts; dots inside quotes belong to the part. */
export function sqlNameParts(name: string): string[] {
  const parts: string[] = [];
  let start = 0;
  let quote: string | undefined;
  for (let index = 0; index < name.length; index += 1) {
    const char = name[index] ?? '';
    if (quote !== undefined) {
      if (char === quote && name[index + 1] === quote) index += 1;
      else if (char === quote) quote = undefined;
    } else if (char === '`' || char === '"' || char === "'") {
      quote = char;
    } else if (char === '.') {
      parts.push(unquoteSqlText(name.slice(start, index)));
      start = index + 1;
    }
  }
  parts.push(unquoteSqlText(name.slice(start)));
  return parts;
}

const NAME_TOKEN = /^(ID_LITERAL|STRING_LITERAL|DIG_LITERAL|KW_\w+)$/;

/** `a.b(` and `a.b.c(`, comments skipped: qualified function calls (or table paths with a column list). */
function dottedCallsOf(tokens: readonly LexedToken[]): NamedPath[] {
  const visible = tokens.filter((token) => !token.hidden);
  const calls: NamedPath[] = [];
  let parts: string[] = [];
  let expectName = true;
  for (const token of visible) {
    if (expectName && NAME_TOKEN.test(token.type)) {
      parts.push(unquoteSqlText(token.text));
      expectName = false;
    } else if (!expectName && token.type === 'DOT') {
      expectName = true;
    } else {
      if (!expectName && token.type === 'LR_BRACKET' && parts.length > 1) {
        calls.push({ kind: 'function', parts, text: parts.join('.') });
      }
      parts = NAME_TOKEN.test(token.type) ? [unquoteSqlText(token.text)] : [];
      expectName = !NAME_TOKEN.test(token.type);
    }
  }
  return calls;
}

class PathCollector extends FlinkSqlParserListener {
  readonly paths: NamedPath[] = [];

  override enterTablePath = (path: TablePathContext): void => this.add('table', path, path.identifier());
  override enterTablePathCreate = (path: TablePathCreateContext): void =>
    this.add('table', path, path.identifier());
  override enterViewPath = (path: ViewPathContext): void => this.add('table', path, path.identifier());
  override enterViewPathCreate = (path: ViewPathCreateContext): void =>
    this.add('table', path, path.identifier());
  override enterDatabasePath = (path: DatabasePathContext): void =>
    this.add('database', path, path.identifier());
  override enterCatalogPath = (path: CatalogPathContext): void =>
    this.add('catalog', path, [path.identifier()]);

  override enterFunctionNameWithParams = (name: FunctionNameWithParamsContext): void => {
    const uid = name.uid();
    if (uid !== null) this.add('function', uid, uid.identifier());
  };

  private add(kind: PathKind, path: ParserRuleContext, identifiers: IdentifierContext[]): void {
    const parts = identifiers.map((identifier) => unquoteSqlText(identifier.getText()));
    this.paths.push({ kind, parts, text: path.getText() });
  }
}
