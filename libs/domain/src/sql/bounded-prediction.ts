import {
  type ATNConfig,
  type ATNConfigSet,
  DFA,
  type DFAState,
  type Parser,
  ParserATNSimulator,
  PredictionContextCache,
  type PredicateTransition,
} from 'antlr4ng';
import { FlinkSqlParser } from 'dt-sql-parser/dist/lib/flink/FlinkSqlParser';

/** Thrown from inside the parser when a statement needs more lookahead than its budget allows. */
export class PredictionBudgetExceeded extends Error {
  override readonly name = 'PredictionBudgetExceeded';

  constructor(readonly exceeded: keyof PredictionBudget) {
    super(`lookahead budget exceeded: ${exceeded}`);
  }
}

/** How much lookahead parsing one statement may use, all attempts together (values in sql-limits.ts). */
export interface PredictionBudget {
  /** tokens looked at through the DFA, cached or not */
  steps: number;
  /**
   * ATN closure operations, the work of building DFA states for lookahead not seen before (~2 µs each).
   * The one count that depends on what the process parsed before (never on the machine or its load).
   */
  closures: number;
  /** parser states carried through full-context (LL) lookahead, summed over its steps (never cached) */
  fullContextConfigs: number;
}

/** What one statement has spent so far; shared by its SLL and LL attempts. */
export class PredictionMeter {
  steps = 0;
  closures = 0;
  fullContextConfigs = 0;

  constructor(readonly budget: PredictionBudget) {}

  spend(kind: keyof PredictionBudget, amount = 1): void {
    this[kind] += amount;
    if (this[kind] > this.budget[kind]) throw new PredictionBudgetExceeded(kind);
  }
}

/**
 * Past this many cached DFA states (each a few hundred bytes) the cache starts over, so a stream of
 * statements of ever new shapes cannot grow the process without bound. Ordinary use stays far below.
 */
const MAX_CACHED_DFA_STATES = 250_000;

let decisionDfas = freshDecisionDfas();
let cachedDfaStates = 0;

function freshDecisionDfas(): DFA[] {
  return FlinkSqlParser._ATN.decisionToState.map((state, decision) => new DFA(state, decision));
}

/**
 * dt-sql-parser's Flink grammar predicts exponentially in nested function calls (`f(1 + g(1 + …))`: 7 levels
 * took 12 s) and quadratically in long select lists (20,000 items: 54 s). Two fixes, neither of which changes
 * what a statement parses to:
 * - its only non-precedence predicates are `shouldMatchEmpty()`, true only while dt-sql-parser collects
 *   completion candidates, so false here: a path behind one is dropped when prediction reaches it, instead of
 *   being carried (and merged, level after level) to the end of the decision. That removes the exponential.
 * - lookahead is metered (PredictionMeter) and parsing stops when the budget is spent.
 * The DFA cache is Riffle's own, not dt-sql-parser's shared one, since it is built with those predicates false.
 */
class BoundedPredictionSimulator extends ParserATNSimulator {
  constructor(
    parser: Parser,
    private readonly meter: PredictionMeter,
  ) {
    super(parser, FlinkSqlParser._ATN, decisionDfas, new PredictionContextCache());
  }

  /** one step per token of lookahead through the DFA */
  override getExistingTargetState(previous: DFAState, tokenType: number): DFAState | null {
    this.meter.spend('steps');
    return super.getExistingTargetState(previous, tokenType);
  }

  /** a full-context step per token of LL lookahead, weighed by the states it carries */
  protected override computeReachSet(closure: ATNConfigSet, tokenType: number, fullContext: boolean) {
    if (fullContext) this.meter.spend('fullContextConfigs', closure.length);
    return super.computeReachSet(closure, tokenType, fullContext);
  }

  protected override closureCheckingStopState(
    ...args: Parameters<ParserATNSimulator['closureCheckingStopState']>
  ): void {
    this.meter.spend('closures');
    super.closureCheckingStopState(...args);
  }

  protected override addDFAState(dfa: DFA, state: DFAState): DFAState {
    const cached = super.addDFAState(dfa, state);
    if (cached === state) cachedDfaStates += 1;
    return cached;
  }

  protected override predTransition(
    config: ATNConfig,
    transition: PredicateTransition,
    collectPredicates: boolean,
    inContext: boolean,
    fullContext: boolean,
  ): ATNConfig | null {
    if (!this.parser.sempred(null, transition.ruleIndex, transition.predIndex)) return null;
    return super.predTransition(config, transition, collectPredicates, inContext, fullContext);
  }
}

/** Gives `parser` the bounded simulator, charging `meter`; call before it parses anything. */
export function boundPrediction(parser: Parser, meter: PredictionMeter): void {
  if (cachedDfaStates > MAX_CACHED_DFA_STATES) {
    decisionDfas = freshDecisionDfas();
    cachedDfaStates = 0;
  }
  parser.interpreter = new BoundedPredictionSimulator(parser, meter);
}
