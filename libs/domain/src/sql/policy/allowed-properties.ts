import type { RiffleError } from '../../riffle-error';
import { optionNotAllowed, setNotAllowed, tableOutsideEnvironment } from './policy-errors';
import type { StatementPolicyContext } from './statement-policy-context';

/** A value an option or property may take, and how to say so. */
interface ValueRule {
  accepts(value: string): boolean;
  expected: string;
}

const oneOf = (...values: string[]): ValueRule => ({
  accepts: (value) => values.includes(value),
  expected: `one of ${values.map((value) => `'${value}'`).join(', ')}`,
});
const pattern = (regex: RegExp, expected: string): ValueRule => ({
  accepts: (value) => regex.test(value),
  expected,
});
const EPOCH_MILLIS = pattern(/^\d{1,16}$/, 'milliseconds since the epoch, e.g. 1735689600000');
/** '-1' for unlimited, or an amount with an optional unit: '7 d', '168h', '10 gb' */
const AMOUNT = pattern(
  /^(-1|\d{1,18}(\s?[a-z]{1,8})?)$/i,
  "a number with an optional unit ('7 d', '10 gb') or '-1'",
);

/** Registry formats Riffle serves (DESIGN §4), and raw bytes for topics without a schema. */
export const ALLOWED_FORMATS = ['avro-registry', 'json-registry', 'proto-registry', 'avro-confluent', 'raw'];

/**
 * `WITH (…)` and `ALTER TABLE … SET (…)` options a user may write (DESIGN §4). Everything else, the
 * connector, bootstrap servers, registry and credentials above all, Riffle sets itself. Keys are
 * case-sensitive in Flink and compared exactly.
 */
const TABLE_OPTIONS: Readonly<Record<string, ValueRule>> = {
  'scan.startup.mode': oneOf('earliest-offset', 'latest-offset', 'timestamp'),
  'scan.startup.timestamp-millis': EPOCH_MILLIS,
  'scan.bounded.mode': oneOf('unbounded', 'latest-offset', 'timestamp'),
  'scan.bounded.timestamp-millis': EPOCH_MILLIS,
  'changelog.mode': oneOf('append', 'upsert', 'retract'),
  'kafka.retention.time': AMOUNT,
  'kafka.retention.size': AMOUNT,
  'kafka.cleanup-policy': oneOf('delete', 'compact', 'delete-compact'),
  'kafka.partitions': pattern(/^[1-9]\d{0,4}$/, 'a partition count from 1 to 99999'),
  'kafka.max-message-size': pattern(/^\d{1,10}$/, 'a size in bytes'),
  'key.format': oneOf(...ALLOWED_FORMATS),
  'value.format': oneOf(...ALLOWED_FORMATS),
  'value.fields-include': oneOf('all', 'except-key'),
};
export const ALLOWED_TABLE_OPTIONS = Object.keys(TABLE_OPTIONS);

/** `/*+ OPTIONS(…) *\/` may only change where a query starts and stops reading. */
const HINT_OPTIONS: Readonly<Record<string, ValueRule>> = Object.fromEntries(
  Object.entries(TABLE_OPTIONS).filter(([key]) => key.startsWith('scan.')),
);
export const ALLOWED_HINT_OPTIONS = Object.keys(HINT_OPTIONS);

/** Session properties (SET, RESET, spec.properties): DESIGN §7, the same list SubmitStatement accepts. */
const TIME_ZONE = pattern(/^[A-Za-z0-9_+\-/:]{1,64}$/, "a time zone such as 'UTC' or 'Europe/Berlin'");
const SESSION_PROPERTIES: Readonly<Record<string, ValueRule | 'catalog' | 'database'>> = {
  'sql.current-catalog': 'catalog',
  'sql.current-database': 'database',
  'sql.local-time-zone': TIME_ZONE,
  /** Flink's own name of the same setting: accepted as sql.local-time-zone */
  'table.local-time-zone': TIME_ZONE,
  'sql.state-ttl': AMOUNT,
  'sql.tables.scan.bounded.mode': oneOf('latest-offset', 'unbounded'),
  /** 'true': validate and plan the statement, answer with Flink's plan, run nothing */
  'sql.dry-run': oneOf('true', 'false'),
};
export const ALLOWED_SESSION_PROPERTIES = Object.keys(SESSION_PROPERTIES);

/** Why a key is not allowed, in words a user can act on. */
function whyNotAllowed(key: string, allowed: readonly string[]): string {
  const lower = key.toLowerCase();
  const sameIgnoringCase = allowed.find((candidate) => candidate.toLowerCase() === lower);
  if (sameIgnoringCase !== undefined)
    return `is not an option (names are case-sensitive: '${sameIgnoringCase}')`;
  if (lower === 'connector') return 'is set by Riffle: every table is a Kafka topic of this environment';
  if (lower.startsWith('properties.')) return 'would pass settings straight to the Kafka client';
  if (
    /url|path|host|password|secret|jaas|sasl|ssl|keystore|truststore|bootstrap|registry|token|credential/.test(
      lower,
    )
  ) {
    return 'names a location or a credential';
  }
  return 'is not one of the options Riffle supports';
}

function ruleCheck(
  key: string,
  value: string | null,
  rules: Readonly<Record<string, ValueRule>>,
  allowed: readonly string[],
): RiffleError | undefined {
  const rule = rules[key];
  if (rule === undefined) return optionNotAllowed(key, whyNotAllowed(key, allowed), allowed);
  if (value === null) return optionNotAllowed(key, `needs a value, ${rule.expected}`, allowed);
  if (!rule.accepts(value))
    return optionNotAllowed(key, `cannot be '${value}': use ${rule.expected}`, allowed);
  return undefined;
}

/** A `WITH (…)` or `ALTER TABLE … SET (…)` option. */
export function checkTableOption(key: string, value: string | null): RiffleError | undefined {
  return ruleCheck(key, value, TABLE_OPTIONS, ALLOWED_TABLE_OPTIONS);
}

/** A table option `ALTER TABLE … RESET (…)` names: the same keys as SET, without a value. */
export function checkTableOptionKey(key: string): RiffleError | undefined {
  return TABLE_OPTIONS[key] === undefined
    ? optionNotAllowed(key, whyNotAllowed(key, ALLOWED_TABLE_OPTIONS), ALLOWED_TABLE_OPTIONS)
    : undefined;
}

/** An option of an `OPTIONS` hint. */
export function checkHintOption(key: string, value: string | null): RiffleError | undefined {
  if (TABLE_OPTIONS[key] !== undefined && HINT_OPTIONS[key] === undefined) {
    return optionNotAllowed(key, 'can only be set where the table is defined', ALLOWED_HINT_OPTIONS);
  }
  return ruleCheck(key, value, HINT_OPTIONS, ALLOWED_HINT_OPTIONS);
}

/** `SET 'key' = 'value'`, `RESET 'key'` (value null) or an entry of spec.properties. */
export function checkSessionProperty(
  key: string,
  value: string | null,
  context: StatementPolicyContext,
): RiffleError | undefined {
  const rule = SESSION_PROPERTIES[key];
  if (rule === undefined) return setNotAllowed(key, whyNotAllowed(key, ALLOWED_SESSION_PROPERTIES));
  if (value === null) return undefined;
  if (rule === 'catalog') {
    return value === context.catalog
      ? undefined
      : tableOutsideEnvironment(
          `Catalog ${value}`,
          `the only catalog is ${context.catalog}, this environment`,
        );
  }
  if (rule === 'database') {
    return context.databases.includes(value)
      ? undefined
      : tableOutsideEnvironment(`Database ${value}`, 'it is not a Kafka cluster of this environment');
  }
  return rule.accepts(value) ? undefined : setNotAllowed(key, `cannot be '${value}': use ${rule.expected}`);
}
