import type { RiffleError } from '../../riffle-error';
import type { SqlTextIssue } from '../analysis';
import { ambiguousSyntaxError, unsupportedCharactersError } from './policy-errors';

const AMBIGUOUS: Readonly<Record<Exclude<SqlTextIssue['kind'], 'unsupported_character'>, [string, string]>> =
  {
    double_slash_comment: [
      '`//`',
      'Flink reads // as the start of a comment to the end of the line; write comments with -- and divide with a single /.',
    ],
    comment_end: ['`*/` outside a comment', 'put a space between * and /.'],
    double_quote: [
      'a double quote',
      'Flink SQL quotes identifiers with `backticks` and text with single quotes.',
    ],
    unicode_escape: [
      "a Unicode-escaped literal (U&'…')",
      'write the characters themselves inside an ordinary quoted string.',
    ],
    adjacent_strings: [
      'two string literals in a row',
      "Flink joins them into one; write a single literal, or join them with ||: 'a' || 'b'.",
    ],
    unplain_hint: [
      'a hint Riffle cannot read plainly',
      "write hints as /*+ NAME('key' = 'value', …) */ or /*+ NAME(t1, t2) */, with no comments, dots, other quotes or prefixed or continued literals inside.",
    ],
  };

/**
 * Text Flink reads fine but a person reviewing it would read otherwise (invisible, bidirectional or
 * look-alike characters, comments that start or end where one does not expect them, literals Flink joins
 * or unescapes): refused before anything else, as SQL_UNSUPPORTED_CHARACTERS or SQL_AMBIGUOUS_SYNTAX, so
 * what a statement does is what its text shows. The analyzer finds these with Flink's own lexer.
 */
export function textIssueRefusal(issue: SqlTextIssue | undefined): RiffleError | undefined {
  if (issue === undefined) return undefined;
  const position = { line: issue.line, column: issue.column };
  if (issue.kind === 'unsupported_character') {
    const codePoint = Number.parseInt((issue.codePoint ?? 'U+FFFD').slice(2), 16);
    return unsupportedCharactersError(position, codePoint);
  }
  const [construct, advice] = AMBIGUOUS[issue.kind];
  return ambiguousSyntaxError(position, construct, advice);
}
