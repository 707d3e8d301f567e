import { type LexedToken, lexFlinkSql } from './parse-flink-sql';
import { unquoteSqlText } from './sql-text';

/**
 * Flink 2.2 syntax that dt-sql-parser 4.5's grammar does not know, in the statements Riffle answers itself
 * (never sent to Flink as written), recognised exactly and bridged so the grammar can check the rest:
 * - `DESCRIBE|DESC EXTENDED table` → `DESCRIBE table` (EXTENDED blanked);
 * - `CREATE TABLE … DISTRIBUTED BY [HASH] (col, …) [INTO n BUCKETS]` and `… DISTRIBUTED INTO n BUCKETS`
 *   → the clause blanked (columns and a number only: nothing the policy judges is inside it);
 * - `ALTER TABLE [IF EXISTS] table RESET ('key', …)` → `ALTER TABLE table SET   ('key', …)`, which the
 *   grammar reads as options without values; the policy then judges the keys as keys to reset;
 * - `ALTER TABLE [IF EXISTS] table MODIFY WATERMARK FOR column AS expression` → `SELECT expression`, so
 *   the grammar checks the expression and the policy judges its functions; `ALTER TABLE [IF EXISTS]
 *   table DROP WATERMARK` → `SELECT 1`. The classification says ALTER_TABLE on the table all the same.
 *
 * The bridged text has the same length in code points as the original (only whole tokens of the clause,
 * and the comments between them, become spaces; line breaks stay), so every offset, line and column the
 * parser reports is the original's. The tokens are dt-sql-parser's own lexer's, so the bridge cannot read
 * a token boundary differently from the grammar. Anything that is not exactly one of these forms is left
 * as it is, and the grammar refuses it as before.
 */
export type GrammarBridge =
  | { kind: 'describe-extended' }
  | { kind: 'distributed-by'; columns?: string[]; buckets?: number }
  | { kind: 'alter-table-reset'; keys: string[] }
  /** `table` as written; `column` and `expression` absent for DROP WATERMARK */
  | { kind: 'alter-table-watermark'; table: string; column?: string; expression?: string };

export interface BridgedSql {
  /** what the grammar parses */
  text: string;
  bridge?: GrammarBridge;
}

export function bridgeGrammarGaps(sql: string, leadingWords: readonly string[]): BridgedSql {
  const [first, second] = leadingWords;
  const candidate =
    ((first === 'DESCRIBE' || first === 'DESC') && second === 'EXTENDED') ||
    ((first === 'CREATE' || first === 'ALTER') && leadingWords.includes('TABLE'));
  if (!candidate) return { text: sql };
  const tokens = lexFlinkSql(sql).filter((token) => !token.hidden);
  const found =
    first === 'CREATE'
      ? distributedBy(tokens)
      : first === 'ALTER'
        ? (alterTableReset(tokens) ?? alterTableWatermark(tokens, sql))
        : describeExtended(tokens);
  if (!found) return { text: sql };
  const characters = [...sql];
  for (const { start, stop, replacement } of found.edits) {
    for (let i = start; i <= stop; i++) {
      const c = characters[i]!;
      characters[i] = replacement?.[i - start] ?? (c === '\n' || c === '\r' ? c : ' ');
    }
  }
  return { text: characters.join(''), bridge: found.bridge };
}

interface Edit {
  /** code point offsets, inclusive */
  start: number;
  stop: number;
  /** the text to put at `start` (blanks after it); blanks when absent */
  replacement?: string;
}

interface Found {
  bridge: GrammarBridge;
  edits: Edit[];
}

/** A cursor over the statement's visible tokens. */
class Cursor {
  at = 0;
  constructor(readonly tokens: readonly LexedToken[]) {}
  peek(offset = 0): LexedToken | undefined {
    return this.tokens[this.at + offset];
  }
  isWord(word: string, offset = 0): boolean {
    return this.peek(offset)?.text.toUpperCase() === word;
  }
  accept(word: string): LexedToken | undefined {
    const token = this.peek();
    if (token?.text.toUpperCase() !== word) return undefined;
    this.at++;
    return token;
  }
  /** an identifier (plain, `quoted`, or a keyword used as one) */
  identifier(): string | undefined {
    const token = this.peek();
    if (!token || !isIdentifier(token)) return undefined;
    this.at++;
    return unquoteSqlText(token.text);
  }
  /** `a`, `db.a`, `cat.db.a` */
  path(): boolean {
    if (this.identifier() === undefined) return false;
    while (this.accept('.')) if (this.identifier() === undefined) return false;
    return true;
  }
  /** nothing but an optional `;` is left */
  atEnd(): boolean {
    return this.at === this.tokens.length || (this.at === this.tokens.length - 1 && this.isWord(';'));
  }
}

/** plain (a keyword too, as Flink allows non-reserved ones) or `quoted` (the lexer's STRING_LITERAL) */
function isIdentifier(token: LexedToken): boolean {
  const plain = /^[A-Za-z_][A-Za-z0-9_]*$/.test(token.text);
  return (
    ((token.type === 'ID_LITERAL' || token.type.startsWith('KW_')) && plain) ||
    (token.type === 'STRING_LITERAL' && /^`(?:[^`]|``)+`$/.test(token.text))
  );
}

function describeExtended(tokens: readonly LexedToken[]): Found | undefined {
  const cursor = new Cursor(tokens);
  if (!cursor.accept('DESCRIBE') && !cursor.accept('DESC')) return undefined;
  const extended = cursor.accept('EXTENDED');
  // `DESCRIBE extended` and `DESCRIBE extended.t` name a table called extended
  if (!extended || !cursor.path() || !cursor.atEnd()) return undefined;
  return { bridge: { kind: 'describe-extended' }, edits: [{ start: extended.start, stop: extended.stop }] };
}

/** CREATE [TEMPORARY] TABLE [IF NOT EXISTS] path …, the clause at parenthesis depth 0 before any AS */
function distributedBy(tokens: readonly LexedToken[]): Found | undefined {
  const cursor = new Cursor(tokens);
  if (!cursor.accept('CREATE')) return undefined;
  cursor.accept('TEMPORARY');
  if (!cursor.accept('TABLE')) return undefined;
  if (cursor.isWord('IF') && !(cursor.accept('IF') && cursor.accept('NOT') && cursor.accept('EXISTS')))
    return undefined;
  if (!cursor.path()) return undefined;
  let depth = 0;
  for (let token = cursor.peek(); token; token = cursor.peek()) {
    if (token.text === '(') depth++;
    else if (token.text === ')') depth--;
    else if (depth === 0 && token.text.toUpperCase() === 'AS') return undefined;
    else if (depth === 0 && token.text.toUpperCase() === 'DISTRIBUTED') return distributionClause(cursor);
    cursor.at++;
  }
  return undefined;
}

/** `DISTRIBUTED BY [HASH] (a, b) [INTO n BUCKETS]` | `DISTRIBUTED INTO n BUCKETS`, at the cursor */
function distributionClause(cursor: Cursor): Found | undefined {
  const start = cursor.accept('DISTRIBUTED')!;
  let columns: string[] | undefined;
  if (cursor.accept('BY')) {
    cursor.accept('HASH');
    if (!cursor.accept('(')) return undefined;
    columns = [];
    do {
      const column = cursor.identifier();
      if (column === undefined) return undefined;
      columns.push(column);
    } while (cursor.accept(','));
    if (!cursor.accept(')')) return undefined;
  } else if (!cursor.isWord('INTO')) return undefined;
  let buckets: number | undefined;
  if (cursor.accept('INTO')) {
    const count = cursor.peek();
    if (count?.type !== 'DIG_LITERAL' || !/^\d{1,9}$/.test(count.text)) return undefined;
    cursor.at++;
    buckets = Number(count.text);
    if (!cursor.accept('BUCKETS')) return undefined;
  }
  const stop = cursor.tokens[cursor.at - 1]!;
  return {
    bridge: {
      kind: 'distributed-by',
      ...(columns ? { columns } : {}),
      ...(buckets === undefined ? {} : { buckets }),
    },
    edits: [{ start: start.start, stop: stop.stop }],
  };
}

/** ALTER TABLE [IF EXISTS] path RESET ('key', …) [;] */
function alterTableReset(tokens: readonly LexedToken[]): Found | undefined {
  const cursor = new Cursor(tokens);
  if (!cursor.accept('ALTER') || !cursor.accept('TABLE')) return undefined;
  if (cursor.isWord('IF') && !(cursor.accept('IF') && cursor.accept('EXISTS'))) return undefined;
  if (!cursor.path()) return undefined;
  const reset = cursor.accept('RESET');
  if (!reset || !cursor.accept('(')) return undefined;
  const keys: string[] = [];
  do {
    const key = cursor.peek();
    if (key?.type !== 'STRING_LITERAL' || !key.text.startsWith("'")) return undefined;
    cursor.at++;
    keys.push(unquoteSqlText(key.text));
  } while (cursor.accept(','));
  if (!cursor.accept(')') || !cursor.atEnd()) return undefined;
  return {
    bridge: { kind: 'alter-table-reset', keys },
    edits: [{ start: reset.start, stop: reset.stop, replacement: 'SET' }],
  };
}

/** ALTER TABLE [IF EXISTS] path MODIFY WATERMARK FOR column AS expression [;] | … DROP WATERMARK [;] */
function alterTableWatermark(tokens: readonly LexedToken[], sql: string): Found | undefined {
  const cursor = new Cursor(tokens);
  const alter = cursor.accept('ALTER');
  // `SELECT` must fit before the last character: `ALTER TABLE` alone is longer
  if (!alter || !cursor.accept('TABLE')) return undefined;
  if (cursor.isWord('IF') && !(cursor.accept('IF') && cursor.accept('EXISTS'))) return undefined;
  const pathStart = cursor.peek();
  if (!pathStart || !cursor.path()) return undefined;
  const code = [...sql];
  const table = code.slice(pathStart.start, cursor.tokens[cursor.at - 1]!.stop + 1).join('');
  if (cursor.accept('DROP')) {
    const watermark = cursor.accept('WATERMARK');
    if (!watermark || !cursor.atEnd()) return undefined;
    return {
      bridge: { kind: 'alter-table-watermark', table },
      // `SELECT     …     1`, its `1` on the last character, so the statement spans the original's text
      edits: [
        { start: alter.start, stop: watermark.stop - 1, replacement: 'SELECT' },
        { start: watermark.stop, stop: watermark.stop, replacement: '1' },
      ],
    };
  }
  if (!cursor.accept('MODIFY') || !cursor.accept('WATERMARK') || !cursor.accept('FOR')) return undefined;
  const column = cursor.identifier();
  const as = cursor.accept('AS');
  const first = cursor.peek();
  if (column === undefined || !as || !first || first.text === ';') return undefined;
  const semicolon = cursor.tokens.at(-1)!.text === ';' ? 1 : 0;
  const last = cursor.tokens[cursor.tokens.length - 1 - semicolon]!;
  return {
    bridge: {
      kind: 'alter-table-watermark',
      table,
      column,
      expression: code.slice(first.start, last.stop + 1).join(''),
    },
    edits: [{ start: alter.start, stop: as.stop, replacement: 'SELECT' }],
  };
}
