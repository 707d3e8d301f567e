import type { SqlPosition } from './sql-errors';

/** Something in the text that Flink's parser (Calcite) and Riffle's (dt-sql-parser) would read differently. */
export interface SqlAmbiguity {
  /** character offset (UTF-16) */
  offset: number;
  /** what it is, e.g. "`//`" */
  construct: string;
  /** what to write instead */
  advice: string;
}

/** A `/*+ … *\/` comment as written: an optimizer hint to Flink, a comment to dt-sql-parser. */
export interface SqlHintComment {
  text: string;
  offset: number;
}

/** What one linear pass over the text finds, before any parsing. */
export interface SqlTextScan {
  /** words, numbers, quoted text and punctuation (one per character); not comments or whitespace */
  tokenCount: number;
  /** deepest nesting of ( [ { outside quotes and comments */
  maxNesting: number;
  /** the first character Riffle refuses (see UNSUPPORTED_CHARACTER), with its offset */
  unsupportedCharacter: { offset: number; codePoint: number } | undefined;
  ambiguity: SqlAmbiguity | undefined;
  /** the first words, upper-cased, up to the first token that is not a word: `ADD JAR '…'` → ADD, JAR */
  leadingWords: string[];
  hints: SqlHintComment[];
}

const LEADING_WORDS = 6;

/**
 * Characters that are invisible, look like other characters or end lines differently for different readers:
 * controls (but tab, line feed and CR LF), format characters (zero-width, bidi, BOM, soft hyphen), spaces other
 * than U+0020, line and paragraph separators, private use, and full-width ASCII (`ＳＥＬＥＣＴ`, `（`).
 * Refused outside single-quoted strings, comments included; inside strings they are only data to both parsers.
 */
const UNSUPPORTED_CHARACTER = /[\p{Cc}\p{Cf}\p{Zs}\p{Zl}\p{Zp}\p{Co}\uFF01-\uFF5E]/uy;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const enum Char {
  Tab = 9,
  LineFeed = 10,
  CarriageReturn = 13,
  Space = 32,
  DoubleQuote = 34,
  Ampersand = 38,
  Quote = 39,
  OpenParen = 40,
  CloseParen = 41,
  Asterisk = 42,
  Plus = 43,
  Hyphen = 45,
  Slash = 47,
  OpenBracket = 91,
  CloseBracket = 93,
  Backtick = 96,
  OpenBrace = 123,
  CloseBrace = 125,
}

const AMBIGUOUS = {
  doubleSlash: {
    construct: '`//`',
    advice: 'Flink reads // as the start of a comment; write comments with -- and divide with a single /.',
  },
  doubleQuote: {
    construct: 'a double quote',
    advice: 'Flink SQL quotes identifiers with `backticks` and text with single quotes.',
  },
  unicodeEscape: {
    construct: "a Unicode-escaped literal (U&'…')",
    advice: 'write the characters themselves inside an ordinary quoted string.',
  },
  commentEnd: {
    construct: '`*/` outside a comment',
    advice: 'Flink reads */ as the end of a comment; put a space between * and /.',
  },
  adjacentStrings: {
    construct: 'two string literals in a row',
    advice: "Flink joins them into one; write a single literal, or join them with ||: 'a' || 'b'.",
  },
} as const;

function isWordCode(code: number): boolean {
  return (
    (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95
  );
}

/**
 * Reads the text the way Flink's lexer does (strings end at an undoubled quote, backslash is a plain
 * character, `--` and `//` comments end at CR or LF, `/*` comments at the first `*\/`) in one pass, without
 * building tokens. Malformed text (an unclosed quote or comment) is left for the parser to report.
 */
export function scanSqlText(sql: string): SqlTextScan {
  const scan: SqlTextScan = {
    tokenCount: 0,
    maxNesting: 0,
    unsupportedCharacter: undefined,
    ambiguity: undefined,
    leadingWords: [],
    hints: [],
  };
  const loneSurrogate = LONE_SURROGATE.exec(sql);
  if (loneSurrogate !== null) scan.unsupportedCharacter = { offset: loneSurrogate.index, codePoint: 0xfffd };
  let nesting = 0;
  let collectingWords = true;
  let previousWasString = false;
  const ambiguous = (offset: number, which: keyof typeof AMBIGUOUS) => {
    scan.ambiguity ??= { offset, ...AMBIGUOUS[which] };
  };
  const checkCharacters = (from: number, to: number) => {
    if (scan.unsupportedCharacter !== undefined) return;
    for (let index = from; index < to; index += 1) {
      const code = sql.charCodeAt(index);
      if (code >= Char.Space && code < 0x7f) continue;
      if (code === Char.Tab || code === Char.LineFeed) continue;
      if (code === Char.CarriageReturn && sql.charCodeAt(index + 1) === Char.LineFeed) continue;
      UNSUPPORTED_CHARACTER.lastIndex = index;
      if (code < 0x80 || UNSUPPORTED_CHARACTER.test(sql)) {
        scan.unsupportedCharacter = { offset: index, codePoint: sql.codePointAt(index) ?? code };
        return;
      }
    }
  };
  const significant = (kind: 'word' | 'string' | 'other') => {
    scan.tokenCount += 1;
    if (kind !== 'word') collectingWords = false;
    previousWasString = kind === 'string';
  };

  let index = 0;
  while (index < sql.length) {
    const code = sql.charCodeAt(index);
    const next = sql.charCodeAt(index + 1);
    if (code === Char.Space || code === Char.Tab || code === Char.LineFeed || code === Char.CarriageReturn) {
      checkCharacters(index, index + 1); // a CR without LF ends a comment for Flink only
      index += 1;
    } else if (
      (code === Char.Hyphen && next === Char.Hyphen) ||
      (code === Char.Slash && next === Char.Slash)
    ) {
      if (code === Char.Slash) ambiguous(index, 'doubleSlash');
      const end = lineCommentEnd(sql, index + 2);
      checkCharacters(index, end);
      index = end;
    } else if (code === Char.Slash && next === Char.Asterisk) {
      const close = sql.indexOf('*/', index + 2);
      const end = close < 0 ? sql.length : close + 2;
      checkCharacters(index, end);
      if (sql.charCodeAt(index + 2) === Char.Plus)
        scan.hints.push({ text: sql.slice(index, end), offset: index });
      index = end;
    } else if (code === Char.Quote) {
      if (previousWasString) ambiguous(index, 'adjacentStrings');
      significant('string');
      index = quotedEnd(sql, index, Char.Quote);
    } else if (code === Char.Backtick) {
      significant('other');
      const end = quotedEnd(sql, index, Char.Backtick);
      checkCharacters(index, end);
      index = end;
    } else if (isWordCode(code) || code >= 0x80) {
      const start = index;
      while (index < sql.length && (isWordCode(sql.charCodeAt(index)) || sql.charCodeAt(index) >= 0x80)) {
        index += 1;
      }
      checkCharacters(start, index);
      const word = sql.slice(start, index);
      const quoteAfter = sql.charCodeAt(index + 1);
      if (
        (word === 'U' || word === 'u') &&
        sql.charCodeAt(index) === Char.Ampersand &&
        (quoteAfter === Char.Quote || quoteAfter === Char.DoubleQuote)
      ) {
        ambiguous(start, 'unicodeEscape');
      }
      if (collectingWords && scan.leadingWords.length < LEADING_WORDS)
        scan.leadingWords.push(word.toUpperCase());
      significant('word');
    } else {
      if (code === Char.DoubleQuote) ambiguous(index, 'doubleQuote');
      if (code === Char.Asterisk && next === Char.Slash) ambiguous(index, 'commentEnd');
      if (code === Char.OpenParen || code === Char.OpenBracket || code === Char.OpenBrace) {
        nesting += 1;
        if (nesting > scan.maxNesting) scan.maxNesting = nesting;
      } else if (code === Char.CloseParen || code === Char.CloseBracket || code === Char.CloseBrace) {
        nesting -= 1;
      }
      checkCharacters(index, index + 1);
      significant('other');
      index += 1;
    }
  }
  return scan;
}

/** Flink ends a `--` or `//` comment at the first CR or LF (dt-sql-parser at LF or CR LF only). */
function lineCommentEnd(sql: string, from: number): number {
  for (let index = from; index < sql.length; index += 1) {
    const code = sql.charCodeAt(index);
    if (code === Char.LineFeed || code === Char.CarriageReturn) return index;
  }
  return sql.length;
}

/** The offset just after quoted text starting at `start`; a doubled quote stays inside. */
function quotedEnd(sql: string, start: number, quote: number): number {
  const quoteChar = String.fromCharCode(quote);
  let index = start + 1;
  for (;;) {
    const close = sql.indexOf(quoteChar, index);
    if (close < 0) return sql.length;
    if (sql.charCodeAt(close + 1) !== quote) return close + 1;
    index = close + 2;
  }
}

/** 1-based line and column (in code points, as the parser counts) of a UTF-16 offset. */
export function positionAt(sql: string, offset: number): SqlPosition {
  const lineStart = sql.lastIndexOf('\n', offset - 1) + 1;
  let line = 1;
  for (let index = sql.indexOf('\n'); index >= 0 && index < lineStart; index = sql.indexOf('\n', index + 1)) {
    line += 1;
  }
  return { line, column: [...sql.slice(lineStart, offset)].length + 1 };
}
