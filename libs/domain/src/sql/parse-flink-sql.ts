import {
  type CharStream,
  type CommonTokenStream,
  type ParserRuleContext,
  type ParseTree,
  type ParseTreeListener,
  PredictionMode,
  type Token,
  type Vocabulary,
} from 'antlr4ng';
import { FlinkSQL } from 'dt-sql-parser';
import type { ProgramContext } from 'dt-sql-parser/dist/lib/flink/FlinkSqlParser';
import {
  boundPrediction,
  type PredictionBudget,
  PredictionBudgetExceeded,
  PredictionMeter,
} from './bounded-prediction';
import { SourceCharStream } from './source-char-stream';
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

/**
 * dt-sql-parser keeps its token stream to itself; this keeps a hand on it to read comments and hints, and
 * bounds the parser's lookahead (bounded-prediction.ts).
 */
class TokenKeepingFlinkSql extends FlinkSQL {
  keptCharacters: CharStream | undefined;
  keptTokenStream: CommonTokenStream | undefined;
  keptVocabulary: Vocabulary | undefined;

  constructor(
    private readonly predictionMode: number,
    private readonly meter: PredictionMeter,
  ) {
    super();
  }

  /** as dt-sql-parser's, with a character stream that copes with megabytes (source-char-stream.ts) */
  override createLexer(input: string, errorListener?: Parameters<FlinkSQL['createLexer']>[1]) {
    const lexer = this.createLexerFromCharStream(new SourceCharStream(input));
    if (errorListener) {
      lexer.removeErrorListeners();
      lexer.addErrorListener(this.createErrorListener(errorListener));
    }
    return lexer;
  }

  override createParser(input: string, errorListener?: Parameters<FlinkSQL['createParser']>[1]) {
    const parser = super.createParser(input, errorListener);
    parser.interpreter.predictionMode = this.predictionMode; // dt-sql-parser always sets SLL
    return parser;
  }

  protected override createLexerFromCharStream(characters: CharStream) {
    this.keptCharacters = characters;
    return super.createLexerFromCharStream(characters);
  }

  protected override createParserFromTokenStream(tokenStream: CommonTokenStream) {
    const parser = super.createParserFromTokenStream(tokenStream);
    boundPrediction(parser, this.meter);
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

/** Bounds on one parse (values in sql-limits.ts). */
export interface ParseLimits {
  /** lookahead of both attempts together; only the LL attempt uses `fullContextConfigs` */
  prediction: PredictionBudget;
  /** statements with more tokens than this (comments and whitespace aside) get no LL attempt */
  maxLlRetryTokens: number;
}

/**
 * Lexes and parses with dt-sql-parser's Flink grammar. Problems go to a listener (without one, dt-sql-parser
 * prints them to the console); nothing is thrown for bad SQL, only PredictionBudgetExceeded when the first
 * (SLL) attempt spends the lookahead budget and RangeError where nesting exhausts the stack.
 *
 * dt-sql-parser predicts in SLL mode only, a fast heuristic that wrongly rejects valid SQL such as
 * `SELECT price * ROUND(rate, 2) FROM t` (an operator before a call of a function whose name is not a
 * keyword, ending a select item). ANTLR's remedy: what SLL rejects is parsed again with full LL prediction.
 * Full-context lookahead is never cached and costs up to several ms a step on nested text, so only statements
 * of modest size get that second attempt, with what the first left of the budget. Where LL rejects the
 * statement too, the attempt that got further reports; where LL runs out of budget, SLL's complaints stand.
 */
export function parseFlinkSql(sql: string, limits: ParseLimits): ParsedFlinkSql {
  const meter = new PredictionMeter(limits.prediction);
  const fast = parseFlinkSqlWith(sql, PredictionMode.SLL, meter);
  if (fast.parserProblems.length === 0) return fast;
  const tokenCount = fast.tokens.reduce((count, token) => (token.hidden ? count : count + 1), 0);
  if (tokenCount > limits.maxLlRetryTokens) return fast;
  try {
    const full = parseFlinkSqlWith(sql, PredictionMode.LL, meter);
    return full.parserProblems.length === 0 || firstProblemAt(full) > firstProblemAt(fast) ? full : fast;
  } catch (error) {
    if (error instanceof PredictionBudgetExceeded) return fast;
    throw error;
  }
}

/** Where the earliest problem is, as a number that orders positions; the attempt that got further wins. */
function firstProblemAt(parsed: ParsedFlinkSql): number {
  return Math.min(...parsed.parserProblems.map(({ line, column }) => line * 1_000_000 + column));
}

function parseFlinkSqlWith(sql: string, predictionMode: number, meter: PredictionMeter): ParsedFlinkSql {
  const flinkSql = new TokenKeepingFlinkSql(predictionMode, meter);
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

/**
 * The tokens dt-sql-parser's Flink lexer makes of `sql` (hidden ones too), without parsing: what the grammar
 * will see, for rewrites that must agree with it token for token (grammar-bridge.ts).
 */
export function lexFlinkSql(sql: string): LexedToken[] {
  // the lexer only: the prediction budget is never spent
  const unused = new PredictionMeter({ steps: 0, closures: 0, fullContextConfigs: 0 });
  const lexer = new TokenKeepingFlinkSql(PredictionMode.SLL, unused).createLexer(sql, () => undefined);
  const { vocabulary } = lexer;
  return lexer
    .getAllTokens()
    .filter((token) => token.type !== END_OF_FILE)
    .map((token) => toLexedToken(token, vocabulary.getSymbolicName(token.type) ?? String(token.type)));
}

const walker = new FlinkSQL();

/** Runs a dt-sql-parser listener over a subtree, depth-first in source order. */
export function walkParseTree(listener: ParseTreeListener, context: ParserRuleContext): void {
  walker.listen(listener, context);
}

/** How many levels a parse tree has, counted without recursion (deep trees are what this guards against). */
export function parseTreeDepth(root: ParseTree): number {
  let deepest = 0;
  const pending: [ParseTree, number][] = [[root, 1]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [node, depth] = next;
    if (depth > deepest) deepest = depth;
    for (let child = 0; child < node.getChildCount(); child += 1) {
      const subtree = node.getChild(child);
      if (subtree !== null) pending.push([subtree, depth + 1]);
    }
  }
  return deepest;
}
