import { RiffleError } from '../riffle-error';

/**
 * A small Flink SQL lexer for the catalog statements Riffle answers itself (CREATE/DROP TABLE, SHOW,
 * DESCRIBE): words, `quoted` identifiers, 'string' literals, numbers and punctuation, with comments and
 * hints skipped. dt-sql-parser has already accepted the statement; this only reads its parts.
 */
export interface SqlToken {
  kind: 'word' | 'identifier' | 'string' | 'number' | 'symbol';
  /** as written */
  text: string;
  /** unquoted for identifiers and strings, upper-cased for words */
  value: string;
  /** offsets in the source, end exclusive */
  start: number;
  end: number;
}

const PATTERN =
  /\s+|--[^\n]*|\/\*[\s\S]*?\*\/|(`(?:[^`]|``)*`)|((?:[eE])?'(?:[^']|'')*')|([A-Za-z_$][\w$]*)|(\d+(?:\.\d+)?)|(<>|<=|>=|!=|\|\||[^\s\w])/gy;

export function tokenizeSql(sql: string): SqlToken[] {
  const tokens: SqlToken[] = [];
  PATTERN.lastIndex = 0;
  while (PATTERN.lastIndex < sql.length) {
    const start = PATTERN.lastIndex;
    const match = PATTERN.exec(sql);
    if (!match) throw invalidCatalogSql(`unexpected character at offset ${start}`);
    const [text, identifier, string, word, number, symbol] = match;
    const end = start + text.length;
    if (identifier !== undefined) {
      tokens.push({
        kind: 'identifier',
        text,
        value: identifier.slice(1, -1).replaceAll('``', '`'),
        start,
        end,
      });
    } else if (string !== undefined) {
      const body = string.replace(/^[eE]/, '');
      tokens.push({ kind: 'string', text, value: body.slice(1, -1).replaceAll("''", "'"), start, end });
    } else if (word !== undefined) {
      tokens.push({ kind: 'word', text, value: word.toUpperCase(), start, end });
    } else if (number !== undefined) {
      tokens.push({ kind: 'number', text, value: number, start, end });
    } else if (symbol !== undefined) {
      tokens.push({ kind: 'symbol', text, value: symbol, start, end });
    }
  }
  return tokens;
}

export const invalidCatalogSql = (why: string) =>
  new RiffleError('INVALID_CATALOG_STATEMENT', 'invalid', `Riffle cannot read this statement: ${why}.`);

/** A cursor over the tokens with the few look-ahead helpers the catalog parsers need. */
export class SqlTokens {
  private position = 0;
  readonly tokens: SqlToken[];

  constructor(readonly sql: string) {
    this.tokens = tokenizeSql(sql).filter((token) => token.value !== ';' || token.kind !== 'symbol');
  }

  peek(offset = 0): SqlToken | undefined {
    return this.tokens[this.position + offset];
  }

  atEnd(): boolean {
    return this.position >= this.tokens.length;
  }

  next(what = 'more'): SqlToken {
    const token = this.tokens[this.position];
    if (!token) throw invalidCatalogSql(`expected ${what}, but the statement ends`);
    this.position++;
    return token;
  }

  /** the next tokens are these words (case-insensitive), in order */
  isWords(...words: string[]): boolean {
    return words.every((word, i) => {
      const token = this.peek(i);
      return token?.kind === 'word' && token.value === word;
    });
  }

  acceptWords(...words: string[]): boolean {
    if (!this.isWords(...words)) return false;
    this.position += words.length;
    return true;
  }

  expectWords(...words: string[]): void {
    if (!this.acceptWords(...words)) throw this.unexpected(words.join(' '));
  }

  isSymbol(symbol: string): boolean {
    const token = this.peek();
    return token?.kind === 'symbol' && token.value === symbol;
  }

  acceptSymbol(symbol: string): boolean {
    if (!this.isSymbol(symbol)) return false;
    this.position++;
    return true;
  }

  expectSymbol(symbol: string): void {
    if (!this.acceptSymbol(symbol)) throw this.unexpected(`"${symbol}"`);
  }

  /** a plain or `quoted` identifier */
  identifier(what = 'a name'): string {
    const token = this.next(what);
    if (token.kind !== 'word' && token.kind !== 'identifier') throw this.unexpectedToken(token, what);
    return token.kind === 'word' ? token.text : token.value;
  }

  /** `a`, `db.a`, `cat.db.a` */
  path(): string[] {
    const parts = [this.identifier('a table name')];
    while (this.acceptSymbol('.')) parts.push(this.identifier('a name after "."'));
    return parts;
  }

  /** `(a, b)` */
  identifierList(): string[] {
    this.expectSymbol('(');
    const names = [this.identifier('a column name')];
    while (this.acceptSymbol(',')) names.push(this.identifier('a column name'));
    this.expectSymbol(')');
    return names;
  }

  string(what = 'a string literal'): string {
    const token = this.next(what);
    if (token.kind !== 'string') throw this.unexpectedToken(token, what);
    return token.value;
  }

  integer(what = 'a number'): number {
    const token = this.next(what);
    if (token.kind !== 'number' || !/^\d+$/.test(token.value)) throw this.unexpectedToken(token, what);
    return Number(token.value);
  }

  /** the source from this token on */
  rest(): string {
    const token = this.peek();
    return token ? this.sql.slice(token.start).trim().replace(/;\s*$/, '') : '';
  }

  skipToEnd(): void {
    this.position = this.tokens.length;
  }

  expectEnd(): void {
    const token = this.peek();
    if (token) throw this.unexpectedToken(token, 'the end of the statement');
  }

  unexpected(expected: string): RiffleError {
    const token = this.peek();
    return token
      ? this.unexpectedToken(token, expected)
      : invalidCatalogSql(`expected ${expected}, but the statement ends`);
  }

  unexpectedToken(token: SqlToken, expected: string): RiffleError {
    return invalidCatalogSql(`expected ${expected}, got "${token.text}"`);
  }
}
