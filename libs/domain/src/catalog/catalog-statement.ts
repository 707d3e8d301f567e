import type { SqlAnalysis } from '../sql/analysis';

/**
 * The metadata statements Riffle answers from its catalog without a Flink job (DESIGN §3), read from
 * Flink's analysis of them:
 * - `SHOW CATALOGS | DATABASES | TABLES [FROM|IN [catalog.]database] | VIEWS | COLUMNS FROM|IN table |
 *   CURRENT CATALOG | CURRENT DATABASE`, with `[NOT] [I]LIKE 'pattern'` where Flink takes one;
 * - `DESCRIBE|DESC [EXTENDED] table`, `SHOW CREATE TABLE|VIEW table`;
 * - `DROP TABLE [IF EXISTS] table`, `ALTER TABLE table …`.
 * Other SHOW statements (FUNCTIONS, MODULES …) come back as `{ kind: 'other' }`.
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

export function catalogStatementOf(analysis: SqlAnalysis): CatalogStatement {
  const like = analysis.show?.like ? { like: analysis.show.like } : {};
  const path = analysis.show?.path;
  const named = (use: string) =>
    analysis.references.find((r) => (r.type === 'TABLE' || r.type === 'VIEW') && r.use === use)?.path ?? [];
  switch (analysis.kind) {
    case 'SHOW CATALOGS':
      return { kind: 'show-catalogs', ...like };
    case 'SHOW DATABASES':
      return { kind: 'show-databases', ...(path ? { catalog: path[0]! } : {}), ...like };
    case 'SHOW TABLES':
      return { kind: 'show-tables', ...(path ? { database: path } : {}), ...like };
    case 'SHOW VIEWS':
      return { kind: 'show-views', ...(path ? { database: path } : {}), ...like };
    case 'SHOW COLUMNS':
      return { kind: 'show-columns', table: path ?? [], ...like };
    case 'SHOW CURRENT CATALOG':
      return { kind: 'show-current-catalog' };
    case 'SHOW CURRENT DATABASE':
      return { kind: 'show-current-database' };
    case 'SHOW CREATE TABLE':
    case 'SHOW CREATE VIEW':
      return { kind: 'show-create-table', table: named('describe') };
    case 'DESCRIBE':
      return { kind: 'describe', table: named('describe'), extended: analysis.extended === true };
    case 'DROP TABLE':
      return { kind: 'drop-table', table: named('drop'), ifExists: analysis.drop?.ifExists === true };
  }
  if (analysis.kind.startsWith('ALTER TABLE')) return { kind: 'alter-table', table: named('alter') };
  return { kind: 'other', what: analysis.kind.replace(/^SHOW /, '') };
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
