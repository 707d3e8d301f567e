import type {
  CharStream,
  CommonTokenStream,
  ParserRuleContext,
  ParseTreeListener,
  Token,
  Vocabulary,
} from 'antlr4ng';
import { FlinkSQL } from 'dt-sql-parser';
import type { ProgramContext } from 'dt-sql-parser/dist/lib/flink/FlinkSqlParser';
import type { SqlSyntaxProblem } from './sql-errors';

/** A token as the Flink lexer of dt-sql-parser saw it (the grammar's symbolic name, e.g. STRING_LITERAL). */
export interface LexedToken {
  type: string;
  text: string;
  /** whitespace and comments, including `/*+ … *\/` hints, which the grammar never sees */
  hidden: boolean;
  /** position in the token stream; parse-tree nodes refer to tokens by it */
  index: number;
  /** character offsets in code points, inclusive */
  start: number;
  stop: number;
  line: number;
  /** 1-based */
  column: number;
}

export interface ParsedFlinkSql {
  program: ProgramContext;
  tokens: readonly LexedToken[];
  /** what the lexer and parser reported; empty when the grammar accepted the text */
  parserProblems: readonly SqlSyntaxProblem[];
  /** the exact source text from one token to another, comments between them included */
  sourceBetween(first: LexedToken, last: LexedToken): string;
}

/** dt-sql-parser keeps its token stream to itself; this keeps a hand on it to read comments and hints. */
class TokenKeepingFlinkSql extends FlinkSQL {
  keptCharacters: CharStream | undefined;
  keptTokenStream: CommonTokenStream | undefined;
  keptVocabulary: Vocabulary | undefined;

  protected override createLexerFromCharStream(characters: CharStream) {
    this.keptCharacters = characters;
    return super.createLexerFromCharStream(characters);
  }

  protected override createParserFromTokenStream(tokenStream: CommonTokenStream) {
    const parser = super.createParserFromTokenStream(tokenStream);
    this.keptTokenStream = tokenStream;
    this.keptVocabulary = parser.vocabulary;
    return parser;
  }
}

const HIDDEN_CHANNEL = 1;
const END_OF_FILE = -1;

function toLexedToken(token: Token, typeName: string): LexedToken {
  return {
    type: typeName,
    text: token.text ?? '',
    hidden: token.channel === HIDDEN_CHANNEL,
    index: token.tokenIndex,
    start: token.start,
    stop: token.stop,
    line: token.line,
    column: token.column + 1,
  };
}

/**
 * Lexes and parses with dt-sql-parser's Flink grammar in one pass. Problems go to a listener (without one,
 * dt-sql-parser prints them to the console); nothing is thrown for bad SQL.
 */
export function parseFlinkSql(sql: string): ParsedFlinkSql {
  const flinkSql = new TokenKeepingFlinkSql();
  const parserProblems: SqlSyntaxProblem[] = [];
  const program = flinkSql.parse(sql, (problem) =>
    parserProblems.push({ line: problem.startLine, column: problem.startColumn, message: problem.message }),
  );
  const { keptCharacters: characters, keptTokenStream: tokenStream, keptVocabulary: vocabulary } = flinkSql;
  if (characters === undefined || tokenStream === undefined || vocabulary === undefined) {
    throw new Error('dt-sql-parser did not lex and parse through the expected hooks');
  }
  const tokens = tokenStream
    .getTokens()
    .filter((token) => token.type !== END_OF_FILE)
    .map((token) => toLexedToken(token, vocabulary.getSymbolicName(token.type) ?? String(token.type)));
  const sourceBetween = (first: LexedToken, last: LexedToken): string =>
    characters.getText(first.start, last.stop);
  return { program, tokens, parserProblems, sourceBetween };
}

const walker = new FlinkSQL();

/** Runs a dt-sql-parser listener over a subtree, depth-first in source order. */
export function walkParseTree(listener: ParseTreeListener, context: ParserRuleContext): void {
  walker.listen(listener, context);
}
