import type { RiffleError } from '../../riffle-error';
import type { SqlHint } from '../analysis';
import { checkHintOption } from './allowed-properties';
import { hintNotAllowed, optionNotAllowed } from './policy-errors';

const JOIN_HINTS = new Set(['BROADCAST', 'SHUFFLE_HASH', 'SHUFFLE_MERGE', 'NEST_LOOP']);
const LOOKUP_OPTIONS = new Set([
  'table',
  'async',
  'output-mode',
  'capacity',
  'timeout',
  'retry-predicate',
  'retry-strategy',
  'fixed-delay',
  'max-attempts',
]);
const PLAIN_VALUE = /^[A-Za-z0-9_.\- ]{1,64}$/;
const TTL = /^\d{1,18}\s?[a-z]{0,8}$/i;

/**
 * Hints as Flink's parser read them (`/*+ NAME('k' = 'v') *\/` → options, `/*+ NAME(a, b) *\/` → values):
 * OPTIONS only with the scan options a statement may change, the join hints with table names, STATE_TTL
 * with durations, LOOKUP with its own options; every other hint is HINT_NOT_ALLOWED.
 */
export function checkHint(hint: SqlHint): RiffleError | undefined {
  const name = hint.name.toUpperCase();
  const shown = `/*+ ${name}(…) */`;
  const options = Object.entries(hint.options);
  if (hint.unreadable) return hintNotAllowed(shown, 'has options Flink cannot read');
  if (name === 'OPTIONS') {
    if (hint.values.length > 0 || options.length === 0)
      return hintNotAllowed(shown, "needs 'key' = 'value' pairs");
    for (const [key, value] of options) {
      const refusal = checkHintOption(key, value);
      if (refusal !== undefined) return refusal;
    }
    return undefined;
  }
  if (JOIN_HINTS.has(name))
    return options.length === 0 ? undefined : hintNotAllowed(shown, 'takes table names only');
  if (name === 'STATE_TTL') {
    const bad = options.find(([, ttl]) => !TTL.test(ttl));
    if (hint.values.length > 0 || bad !== undefined)
      return hintNotAllowed(shown, "takes 'table' = '1d' pairs");
    return undefined;
  }
  if (name === 'LOOKUP') {
    for (const [key, value] of options) {
      if (!LOOKUP_OPTIONS.has(key))
        return optionNotAllowed(key, 'is not a LOOKUP hint option', [...LOOKUP_OPTIONS]);
      if (!PLAIN_VALUE.test(value)) return hintNotAllowed(shown, `cannot set ${key} to '${value}'`);
    }
    return hint.values.length > 0 ? hintNotAllowed(shown, "takes 'key' = 'value' pairs") : undefined;
  }
  return hintNotAllowed(`/*+ ${name} */`, 'is not a hint Riffle allows');
}

export function checkHints(hints: readonly SqlHint[]): RiffleError | undefined {
  for (const hint of hints) {
    const refusal = checkHint(hint);
    if (refusal !== undefined) return refusal;
  }
  return undefined;
}
