import type { LexedToken } from './parse-flink-sql';
import type { SqlSyntaxProblem } from './sql-errors';

/**
 * Where dt-sql-parser's lexer and Flink's (Calcite's) disagree about where a token ends, the classification
 * would describe a different statement from the one Flink runs: `SELECT 'a\' , x FROM secret --'` is one
 * string to dt-sql-parser (backslash escapes the quote) but reads `secret` in Flink (backslash is a plain
 * character there). Those texts are rejected here, with the message Flink users need.
 */
export function findLexicalProblems(tokens: readonly LexedToken[], sql: string): SqlSyntaxProblem[] {
  // the lexer drops a backslash it cannot place, so only the source still shows it
  const backslashNote = sql.includes('\\') ? BACKSLASH_BEFORE_QUOTE_NOTE : '';
  const problems: SqlSyntaxProblem[] = [];
  tokens.forEach((token, position) => {
    const message = lexicalProblemOf(token, tokens[position + 1], backslashNote);
    if (message !== undefined) problems.push({ line: token.line, column: token.column, message });
  });
  return problems;
}

const BACKSLASH_BEFORE_QUOTE_NOTE =
  " Riffle's SQL parser reads a backslash before a quote as an escape, so text cannot end in a backslash.";

const UNTERMINATED_QUOTE: Readonly<Record<string, string>> = {
  SINGLE_QUOTE_SYMB: "This string literal has no closing ' (quote).",
  DOUBLE_QUOTE_SYMB: 'This text has no closing " (double quote).',
  REVERSE_QUOTE_SYMB: 'This quoted identifier has no closing ` (backtick).',
};

function lexicalProblemOf(
  token: LexedToken,
  next: LexedToken | undefined,
  backslashNote: string,
): string | undefined {
  const unterminated = UNTERMINATED_QUOTE[token.type];
  if (unterminated !== undefined) return unterminated + backslashNote;
  if (token.type === 'STRING_LITERAL' && !endsWhereFlinkEndsIt(token.text)) {
    return (
      'Flink SQL does not treat a backslash as an escape, so this quoted text ends at the quote right after ' +
      "the backslash. To put a quote inside a string, double it: 'It''s'."
    );
  }
  if (token.type === 'LINE_COMMENT' && token.text.startsWith('#')) {
    return "Flink SQL has no '#' comments; start the comment with -- instead.";
  }
  if (token.type === 'SLASH_SIGN' && next?.type === 'ASTERISK_SIGN' && next.start === token.stop + 1) {
    return 'This comment is not closed with */.';
  }
  return undefined;
}

/** Flink ends quoted text at the first quote that is not doubled; dt-sql-parser also honours `\'`. */
function endsWhereFlinkEndsIt(quoted: string): boolean {
  const quote = quoted[0];
  let position = 1;
  while (position < quoted.length) {
    if (quoted[position] === quote) {
      if (quoted[position + 1] !== quote) return position === quoted.length - 1;
      position += 2;
    } else {
      position += 1;
    }
  }
  return false;
}
