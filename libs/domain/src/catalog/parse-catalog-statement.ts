import { SqlTokens } from './sql-tokens';

/**
 * The metadata statements Riffle answers from its catalog without a Flink job (DESIGN §3), read from
 * statements dt-sql-parser has already accepted:
 * - `SHOW CATALOGS | DATABASES [FROM|IN catalog] | TABLES [FROM|IN [catalog.]database] | VIEWS | COLUMNS
 *   FROM|IN table | CURRENT CATALOG | CURRENT DATABASE`, each listing one with `[NOT] [I]LIKE 'pattern'`;
 * - `DESCRIBE|DESC [EXTENDED] table`, `SHOW CREATE TABLE table`;
 * - `DROP TABLE [IF EXISTS] table`, `ALTER TABLE table …`.
 * Other SHOW statements (FUNCTIONS, MODULES, JOBS …) come back as `{ kind: 'other' }`.
 */
export type CatalogStatement =
  | { kind: 'show-catalogs'; like?: LikeFilter }
  | { kind: 'show-databases'; catalog?: string; like?: LikeFilter }
  | { kind: 'show-tables'; database?: string[]; like?: LikeFilter }
  | { kind: 'show-views'; database?: string[]; like?: LikeFilter }
  | { kind: 'show-columns'; table: string[]; like?: LikeFilter }
  | { kind: 'show-current-catalog' }
  | { kind: 'show-current-database' }
  | { kind: 'show-create-table'; table: string[] }
  | { kind: 'describe'; table: string[]; extended: boolean }
  | { kind: 'drop-table'; table: string[]; ifExists: boolean }
  | { kind: 'alter-table'; table: string[] }
  | { kind: 'other'; what: string };

export interface LikeFilter {
  pattern: string;
  not: boolean;
  caseInsensitive: boolean;
}

export function parseCatalogStatement(sql: string): CatalogStatement {
  const tokens = new SqlTokens(sql);
  if (tokens.acceptWords('DESCRIBE') || tokens.acceptWords('DESC')) {
    const extended = tokens.acceptWords('EXTENDED');
    const table = tokens.path();
    tokens.expectEnd();
    return { kind: 'describe', table, extended };
  }
  if (tokens.acceptWords('DROP', 'TABLE')) {
    const ifExists = tokens.acceptWords('IF', 'EXISTS');
    const table = tokens.path();
    tokens.expectEnd();
    return { kind: 'drop-table', table, ifExists };
  }
  if (tokens.acceptWords('ALTER', 'TABLE')) {
    tokens.acceptWords('IF', 'EXISTS');
    return { kind: 'alter-table', table: tokens.path() };
  }
  tokens.expectWords('SHOW');
  if (tokens.acceptWords('CREATE', 'TABLE')) {
    const table = tokens.path();
    tokens.expectEnd();
    return { kind: 'show-create-table', table };
  }
  if (tokens.acceptWords('CURRENT', 'CATALOG')) return ended(tokens, { kind: 'show-current-catalog' });
  if (tokens.acceptWords('CURRENT', 'DATABASE')) return ended(tokens, { kind: 'show-current-database' });
  if (tokens.acceptWords('CATALOGS')) return ended(tokens, { kind: 'show-catalogs', ...like(tokens) });
  if (tokens.acceptWords('DATABASES')) {
    const catalog = from(tokens)?.[0];
    return ended(tokens, { kind: 'show-databases', ...(catalog ? { catalog } : {}), ...like(tokens) });
  }
  const listed = tokens.isWords('TABLES')
    ? 'show-tables'
    : tokens.isWords('VIEWS')
      ? 'show-views'
      : undefined;
  if (listed) {
    tokens.next();
    const database = from(tokens);
    const kind = listed;
    return ended(tokens, { kind, ...(database ? { database } : {}), ...like(tokens) });
  }
  if (tokens.acceptWords('COLUMNS')) {
    const table = from(tokens);
    if (!table) throw tokens.unexpected('FROM or IN and a table');
    return ended(tokens, { kind: 'show-columns', table, ...like(tokens) });
  }
  const what = tokens.atEnd() ? '' : tokens.next().value;
  return { kind: 'other', what };
}

function ended<T>(tokens: SqlTokens, statement: T): T {
  tokens.expectEnd();
  return statement;
}

function from(tokens: SqlTokens): string[] | undefined {
  return tokens.acceptWords('FROM') || tokens.acceptWords('IN') ? tokens.path() : undefined;
}

function like(tokens: SqlTokens): { like?: LikeFilter } {
  const not = tokens.acceptWords('NOT');
  const caseInsensitive = tokens.acceptWords('ILIKE');
  if (!caseInsensitive && !tokens.acceptWords('LIKE')) {
    if (not) throw tokens.unexpected('LIKE or ILIKE');
    return {};
  }
  return { like: { pattern: tokens.string('a LIKE pattern'), not, caseInsensitive } };
}

/** SQL LIKE: `%` any run of characters, `_` one character, everything else literal. */
export function matchesLike(value: string, filter: LikeFilter | undefined): boolean {
  if (!filter) return true;
  const source = [...filter.pattern]
    .map((c) => (c === '%' ? '.*' : c === '_' ? '.' : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  const matches = new RegExp(`^${source}$`, filter.caseInsensitive ? 'is' : 's').test(value);
  return matches !== filter.not;
}
