import type { RiffleError } from '../../riffle-error';
import type { SqlReference } from '../analysis';
import { tableOutsideEnvironment } from './policy-errors';
import type { StatementPolicyContext } from './statement-policy-context';

/**
 * Flink's own catalogs (and names other engines use for system catalogs): never a tenant's, even if an
 * environment had one of these names. Compared ignoring case.
 */
const RESERVED_CATALOGS = new Set(['default_catalog', 'system', 'sys', 'information_schema', 'builtin']);

const LABEL: Readonly<Record<string, string>> = {
  TABLE: 'Table',
  VIEW: 'View',
  DATABASE: 'Database',
  CATALOG: 'Catalog',
  FUNCTION: 'Function',
  MODEL: 'Model',
  MODULE: 'Module',
  CONNECTION: 'Connection',
  OBJECT: 'Object',
};

/**
 * Refuses names outside the tenant's environment (DESIGN §7): a catalog other than its own (or one of
 * Flink's), a database that is not one of its Kafka clusters. Unqualified names resolve inside the
 * environment. Every name Flink's parser saw is checked: tables and views however they are used, databases
 * (USE, SHOW TABLES FROM), catalogs, and qualified function calls (`cat.db.f(x)`).
 */
export function checkEnvironmentScope(
  references: readonly SqlReference[],
  context: StatementPolicyContext,
): RiffleError | undefined {
  for (const reference of references) {
    if (reference.type === 'MODULE') continue;
    const refusal = scopeRefusal(reference, context);
    if (refusal !== undefined) return refusal;
  }
  return undefined;
}

function scopeRefusal(
  { type, path }: SqlReference,
  context: StatementPolicyContext,
): RiffleError | undefined {
  const name = `${LABEL[type] ?? 'Object'} ${path.join('.')}`;
  // a catalog is the first of three parts of a table or function, of two of a database, or the only one
  const catalogParts = type === 'DATABASE' ? 2 : type === 'CATALOG' ? 1 : 3;
  if (path.length > catalogParts) return tableOutsideEnvironment(name, 'it has too many parts');
  if (path.length === catalogParts) {
    const catalog = path[0] ?? '';
    if (RESERVED_CATALOGS.has(catalog.toLowerCase()) || catalog !== context.catalog) {
      return tableOutsideEnvironment(
        name,
        `catalog ${catalog} is not this environment's (${context.catalog})`,
      );
    }
  }
  const databaseIndex = path.length - (type === 'DATABASE' ? 1 : 2);
  if (type !== 'CATALOG' && databaseIndex >= 0) {
    const database = path[databaseIndex] ?? '';
    if (!context.databases.includes(database)) {
      return tableOutsideEnvironment(name, `${database} is not a Kafka cluster of this environment`);
    }
  }
  return undefined;
}
