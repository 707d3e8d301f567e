import type { RiffleError } from '../../riffle-error';
import { positionAt, type SqlHintComment } from '../scan-sql-text';
import { checkHintOption } from './allowed-properties';
import { ambiguousSyntaxError, hintNotAllowed, optionNotAllowed } from './policy-errors';

/** One hint of a `/*+ … *\/` comment, as Flink's parser (Calcite's AddHint) reads it. */
export interface ParsedHint {
  /** upper-cased, unquoted */
  name: string;
  /** `NAME('k' = 'v', …)`: unquoted keys and values */
  options: [string, string][];
  /** `NAME(a, b)` or `NAME(1, 'x')`: unquoted */
  values: string[];
}

type HintToken = { kind: 'name' | 'string' | 'number' | 'punctuation'; text: string };

const TOKEN =
  /[ \t\r\n]*(?:([A-Za-z_][A-Za-z0-9_]*)|(`(?:[^`\r\n]|``)*`)|('(?:[^']|'')*')|(\d+(?:\.\d+)?)|([(),=]))/y;
const TRAILING_SPACE = /[ \t\r\n]*$/y;

/**
 * Flink lexes a hint's inside as SQL (a `--` there starts a comment, a `'*\/'` is a string), while Riffle's
 * parser saw a comment ending at the first `*\/`. Only the plain subset both read alike is accepted: names,
 * `backticked` names, 'strings' without prefixes, numbers, ( ) , = and whitespace.
 */
function tokenize(inside: string): HintToken[] | undefined {
  const tokens: HintToken[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < inside.length) {
    TRAILING_SPACE.lastIndex = TOKEN.lastIndex;
    if (TRAILING_SPACE.exec(inside)?.[0].length === inside.length - TOKEN.lastIndex) break;
    const match = TOKEN.exec(inside);
    if (match === null) return undefined;
    const [, word, backticked, quoted, number, punctuation] = match;
    // `N'x'`, `E'x'`, `'a' 'b'`: a prefixed or continued literal, which Calcite reads as one string
    const previous = tokens.at(-1);
    if (quoted !== undefined && previous !== undefined && previous.kind !== 'punctuation') return undefined;
    if (word !== undefined || backticked !== undefined) {
      tokens.push({ kind: 'name', text: unquote(word ?? backticked ?? '') });
    } else if (quoted !== undefined) tokens.push({ kind: 'string', text: unquote(quoted) });
    else if (number !== undefined) tokens.push({ kind: 'number', text: number });
    else tokens.push({ kind: 'punctuation', text: punctuation ?? '' });
  }
  return tokens;
}

function unquote(text: string): string {
  const quote = text[0];
  if (quote !== '`' && quote !== "'") return text;
  return text
    .slice(1, -1)
    .split(quote + quote)
    .join(quote);
}

/** Parses `/*+ a, b(x), c('k' = 'v') *\/`; undefined when it is not plainly of that form. */
export function parseHintComment(text: string): ParsedHint[] | undefined {
  if (!text.startsWith('/*+') || !text.endsWith('*/') || text.length < 5) return undefined;
  const tokens = tokenize(text.slice(3, -2));
  if (tokens === undefined) return undefined;
  const hints: ParsedHint[] = [];
  let at = 0;
  const next = () => tokens[at++];
  const peek = (text: string) => tokens[at]?.kind === 'punctuation' && tokens[at]?.text === text;
  for (;;) {
    const name = next();
    if (name?.kind !== 'name') return undefined;
    const hint: ParsedHint = { name: name.text.toUpperCase(), options: [], values: [] };
    hints.push(hint);
    if (peek('(')) {
      at += 1;
      if (!peek(')') && !readArguments(hint)) return undefined;
      if (!peek(')') || (hint.options.length > 0 && hint.values.length > 0)) return undefined;
      at += 1;
    }
    if (at === tokens.length) return hints;
    if (!peek(',')) return undefined;
    at += 1;
  }

  /** `a, b` or `'k' = 'v', k2 = 3`; false when neither */
  function readArguments(hint: ParsedHint): boolean {
    for (;;) {
      const item = next();
      if (item === undefined || item.kind === 'punctuation') return false;
      if (peek('=')) {
        at += 1;
        const value = next();
        if (value === undefined || value.kind === 'punctuation' || item.kind === 'number') return false;
        hint.options.push([item.text, value.text]);
      } else {
        hint.values.push(item.text);
      }
      if (!peek(',')) return true;
      at += 1;
    }
  }
}

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

function checkHint(hint: ParsedHint): RiffleError | undefined {
  const shown = `/*+ ${hint.name}(…) */`;
  if (hint.name === 'OPTIONS') {
    if (hint.values.length > 0 || hint.options.length === 0)
      return hintNotAllowed(shown, "needs 'key' = 'value' pairs");
    for (const [key, value] of hint.options) {
      const refusal = checkHintOption(key, value);
      if (refusal !== undefined) return refusal;
    }
    return undefined;
  }
  if (JOIN_HINTS.has(hint.name)) {
    return hint.options.length === 0 ? undefined : hintNotAllowed(shown, 'takes table names only');
  }
  if (hint.name === 'STATE_TTL') {
    const bad = hint.options.find(([, ttl]) => !TTL.test(ttl));
    if (hint.values.length > 0 || bad !== undefined)
      return hintNotAllowed(shown, "takes 'table' = '1d' pairs");
    return undefined;
  }
  if (hint.name === 'LOOKUP') {
    for (const [key, value] of hint.options) {
      if (!LOOKUP_OPTIONS.has(key))
        return optionNotAllowed(key, 'is not a LOOKUP hint option', [...LOOKUP_OPTIONS]);
      if (!PLAIN_VALUE.test(value)) return hintNotAllowed(shown, `cannot set ${key} to '${value}'`);
    }
    return hint.values.length > 0 ? hintNotAllowed(shown, "takes 'key' = 'value' pairs") : undefined;
  }
  return hintNotAllowed(`/*+ ${hint.name} */`, 'is not a hint Riffle allows');
}

/** Every `/*+ … *\/` comment of the text, wherever it is (Flink reads hints the grammar ignores). */
export function checkHints(sql: string, comments: readonly SqlHintComment[]): RiffleError | undefined {
  for (const comment of comments) {
    const hints = parseHintComment(comment.text);
    if (hints === undefined) {
      return ambiguousSyntaxError(
        positionAt(sql, comment.offset),
        'a hint Riffle cannot read plainly',
        "write hints as /*+ NAME('key' = 'value', …) */ or /*+ NAME(t1, t2) */, with no comments, other " +
          'quotes or prefixed literals inside.',
      );
    }
    for (const hint of hints) {
      const refusal = checkHint(hint);
      if (refusal !== undefined) return refusal;
    }
  }
  return undefined;
}
