import { RiffleError } from '../../riffle-error';
import type { SqlPosition } from '../sql-errors';

/**
 * The security policy's refusals (DESIGN §7). Codes are part of the public API. What the statement may not
 * do is `forbidden` (HTTP 403); text Riffle cannot read unambiguously is `invalid` (400).
 */
export const SQL_POLICY_CODES = [
  'STATEMENT_KIND_NOT_ALLOWED',
  'JAR_NOT_ALLOWED',
  'FUNCTION_NOT_ALLOWED',
  'MODULE_NOT_ALLOWED',
  'CATALOG_NOT_ALLOWED',
  'PLAN_NOT_ALLOWED',
  'SET_NOT_ALLOWED',
  'OPTION_NOT_ALLOWED',
  'HINT_NOT_ALLOWED',
  'TABLE_OUTSIDE_ENVIRONMENT',
  'SQL_UNSUPPORTED_CHARACTERS',
  'SQL_AMBIGUOUS_SYNTAX',
] as const;
export type SqlPolicyCode = (typeof SQL_POLICY_CODES)[number];

const forbidden = (code: SqlPolicyCode, message: string, details: Record<string, unknown> = {}) =>
  new RiffleError(code, 'forbidden', message, details);

export function statementKindNotAllowed(what: string, instead: string): RiffleError {
  return forbidden(
    'STATEMENT_KIND_NOT_ALLOWED',
    `${what} cannot run in Riffle. ${instead ? `${instead} ` : ''}Allowed: SELECT, INSERT, EXECUTE STATEMENT SET, ` +
      'CREATE TABLE [AS SELECT | LIKE], ALTER TABLE … SET/RESET/ADD/MODIFY/DROP, DROP TABLE, CREATE/DROP VIEW, ' +
      'SHOW, DESCRIBE, EXPLAIN, USE and SET of session properties.',
    { statement: what },
  );
}

/** Flink SQL that Riffle does not carry yet, refused before anything is stored (400, not 403). */
export function constructNotSupported(construct: string, instead: string): RiffleError {
  return new RiffleError(
    'NOT_SUPPORTED_YET',
    'invalid',
    `${construct} is not supported by Riffle yet.${instead ? ` ${instead}` : ''}`,
    { construct },
  );
}

export function jarNotAllowed(): RiffleError {
  return forbidden(
    'JAR_NOT_ALLOWED',
    'Riffle runs no user code: ADD JAR, REMOVE JAR and SHOW JARS are not available. Use the built-in ' +
      'functions, or build the logic from SQL (CASE, views, WITH clauses).',
  );
}

export function functionNotAllowed(): RiffleError {
  return forbidden(
    'FUNCTION_NOT_ALLOWED',
    'Riffle runs no user code: CREATE, ALTER and DROP FUNCTION (Java, Scala or Python classes, with or ' +
      'without USING JAR) are not available. Use the built-in functions instead.',
  );
}

export function moduleNotAllowed(): RiffleError {
  return forbidden(
    'MODULE_NOT_ALLOWED',
    'LOAD MODULE, UNLOAD MODULE and USE MODULES are not available: the core module is loaded for you.',
  );
}

export function catalogNotAllowed(): RiffleError {
  return forbidden(
    'CATALOG_NOT_ALLOWED',
    'CREATE, ALTER and DROP CATALOG are not available: your environment is the catalog, and its Kafka ' +
      'clusters are its databases. Register Kafka clusters through the API instead.',
  );
}

export function planNotAllowed(): RiffleError {
  return forbidden(
    'PLAN_NOT_ALLOWED',
    'COMPILE PLAN and EXECUTE PLAN are not available: Riffle plans every statement itself. Submit the ' +
      'INSERT or EXECUTE STATEMENT SET instead; stop and resume it to keep its state.',
  );
}

export function setNotAllowed(key: string | null, why: string): RiffleError {
  return forbidden(
    'SET_NOT_ALLOWED',
    `${key === null ? why : `Session property '${key}' ${why}`}. Only these can be set: ` +
      "'sql.local-time-zone' (or 'table.local-time-zone'), 'sql.state-ttl', 'sql.current-catalog', " +
      "'sql.current-database', 'sql.tables.scan.bounded.mode', 'sql.dry-run' (in SET or in spec.properties).",
    key === null ? {} : { property: key },
  );
}

export function optionNotAllowed(option: string, why: string, allowed: readonly string[]): RiffleError {
  return forbidden(
    'OPTION_NOT_ALLOWED',
    `Table option '${option}' ${why}. Riffle sets the connector, bootstrap servers, schema registry and ` +
      `credentials itself; you may set: ${allowed.map((key) => `'${key}'`).join(', ')}.`,
    { option },
  );
}

export function hintNotAllowed(hint: string, why: string): RiffleError {
  return forbidden(
    'HINT_NOT_ALLOWED',
    `Hint ${hint} ${why}. Allowed hints: OPTIONS (scan options only), STATE_TTL, LOOKUP, BROADCAST, ` +
      "SHUFFLE_HASH, SHUFFLE_MERGE and NEST_LOOP, written as /*+ NAME('key' = 'value') */ or /*+ NAME(t) */.",
    { hint },
  );
}

export function tableOutsideEnvironment(name: string, why: string): RiffleError {
  return forbidden(
    'TABLE_OUTSIDE_ENVIRONMENT',
    `${name} is outside this environment: ${why}. Name tables as <topic>, <kafka_cluster>.<topic> or ` +
      '<environment>.<kafka_cluster>.<topic>, with this environment and its Kafka clusters.',
    { name },
  );
}

export function unsupportedCharactersError(position: SqlPosition, codePoint: number): RiffleError {
  const hex = codePoint.toString(16).toUpperCase().padStart(4, '0');
  return new RiffleError(
    'SQL_UNSUPPORTED_CHARACTERS',
    'invalid',
    `spec.statement has the character U+${hex} at line ${position.line}, column ${position.column}. Outside ` +
      'quoted strings, Riffle accepts no control, invisible, bidirectional or full-width characters and no ' +
      'spaces other than ordinary spaces, tabs and line breaks (LF or CR LF): retype that part of the statement.',
    { ...position, code_point: `U+${hex}` },
  );
}

export function ambiguousSyntaxError(position: SqlPosition, construct: string, advice: string): RiffleError {
  return new RiffleError(
    'SQL_AMBIGUOUS_SYNTAX',
    'invalid',
    `spec.statement has ${construct} at line ${position.line}, column ${position.column}, which Flink reads ` +
      `differently from how it looks: ${advice}`,
    { ...position, construct },
  );
}
