import { SqlAnalyzer, sqlAnalyzerUnavailable } from '@riffle/application';
import type {
  SqlAnalysis,
  SqlAnalysisAnswer,
  SqlReference,
  SqlValidationAnswer,
  SqlValidationRequest,
} from '@riffle/domain';

/**
 * A SqlAnalyzer for unit tests: answers what a test scripted for a statement (`answer`), else a statement
 * that starts with SELECT as a SELECT reading nothing, else a syntax error at its first character. Records
 * what it was asked; `unavailable` makes every call fail as an unreachable analyzer does.
 */
export class FakeSqlAnalyzer extends SqlAnalyzer {
  readonly analyzed: string[] = [];
  readonly validations: SqlValidationRequest[] = [];
  unavailable = false;
  validation: (request: SqlValidationRequest) => SqlValidationAnswer = () => ({ valid: true });
  private readonly answers = new Map<string, SqlAnalysisAnswer>();

  answer(statement: string, answer: SqlAnalysis | SqlAnalysisAnswer): this {
    this.answers.set(statement, 'kind' in answer ? { analysis: answer, measures: MEASURES } : answer);
    return this;
  }

  async analyze(statement: string): Promise<SqlAnalysisAnswer> {
    if (this.unavailable) throw sqlAnalyzerUnavailable('no answer from the analyzer (fake)');
    this.analyzed.push(statement);
    const scripted = this.answers.get(statement);
    if (scripted) return scripted;
    if (/^\s*SELECT\b/i.test(statement)) return { analysis: anAnalysis(statement), measures: MEASURES };
    return {
      error: { kind: 'syntax', message: 'Encountered something unexpected', line: 1, column: 1 },
      measures: MEASURES,
    };
  }

  async validate(request: SqlValidationRequest): Promise<SqlValidationAnswer> {
    if (this.unavailable) throw sqlAnalyzerUnavailable('no answer from the analyzer (fake)');
    this.validations.push(request);
    return this.validation(request);
  }
}

const MEASURES = { tokens: 1, nesting: 0 };

/** an analysis of `statement` (a SELECT reading nothing unless overridden) */
export function anAnalysis(statement: string, overrides: Partial<SqlAnalysis> = {}): SqlAnalysis {
  const start = statement.length - statement.trimStart().length;
  return {
    kind: 'SELECT',
    node: 'SqlSelect',
    text: { start, end: statement.trimEnd().replace(/;+\s*$/, '').length },
    references: [],
    options: [],
    hints: [],
    features: [],
    ...overrides,
  };
}

/** table references: `tables('read', 'orders', 'main.clicks')` */
export function tableReferences(use: SqlReference['use'], ...names: string[]): SqlReference[] {
  return names.map((name) => ({ type: 'TABLE', use, path: name.split('.') }));
}
