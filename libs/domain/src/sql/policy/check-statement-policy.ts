import type { RiffleError } from '../../riffle-error';
import type { SqlAnalysisAnswer, SqlOption } from '../analysis';
import { checkStatementText, classifyStatement, type StatementClassification } from '../classify-statement';
import { checkSessionProperty, checkTableOption, checkTableOptionKey } from './allowed-properties';
import { checkEnvironmentScope } from './environment-scope';
import { checkHints } from './hint-policy';
import { optionNotAllowed } from './policy-errors';
import { refusalByKind, unsupportedConstruct } from './statement-kind-policy';
import type { StatementPolicyContext } from './statement-policy-context';
import { textIssueRefusal } from './text-issues';

/**
 * The security policy (DESIGN §7), on Flink's own reading of the statement (the SQL analyzer's answer),
 * before anything is stored or reaches Flink. Returns the classification to store. In order, each check
 * throwing the first refusal it finds:
 * 1. the text: size (SQL_TOO_LARGE), then what reads differently to people than to Flink
 *    (SQL_UNSUPPORTED_CHARACTERS, SQL_AMBIGUOUS_SYNTAX);
 * 2. Flink's parse: SQL_EMPTY, SQL_SYNTAX_ERROR, SQL_MULTIPLE_STATEMENTS, SQL_TOO_COMPLEX;
 * 3. the statement: its kind, its WITH / ALTER TABLE SET / RESET options and SET / RESET properties, its
 *    hints, and every table, view, database, catalog and function name, statement-set members included;
 * 4. what Riffle does not carry yet (NOT_SUPPORTED_YET, naming the construct).
 */
export function checkStatementPolicy(
  sql: string,
  answer: SqlAnalysisAnswer,
  context: StatementPolicyContext,
): StatementClassification {
  checkStatementText(sql);
  const textRefusal = textIssueRefusal(answer.issue);
  if (textRefusal !== undefined) throw textRefusal;
  const classification = classifyStatement(sql, answer);
  const { analysis } = classification;
  const refusal =
    refusalByKind(analysis) ??
    optionsRefusal(analysis.options, analysis.kind, context) ??
    checkHints(analysis.hints) ??
    checkEnvironmentScope(analysis.references, context) ??
    unsupportedConstruct(analysis);
  if (refusal !== undefined) throw refusal;
  return classification;
}

/**
 * spec.properties of a statement, by the rules of `SET`: only the allowed session properties, and the
 * current catalog and database inside the environment.
 */
export function checkSessionProperties(
  properties: Readonly<Record<string, string>>,
  context: StatementPolicyContext,
): void {
  for (const [key, value] of Object.entries(properties)) {
    const refusal = checkSessionProperty(key, value, context);
    if (refusal !== undefined) throw refusal;
  }
}

function optionsRefusal(
  options: readonly SqlOption[],
  kind: string,
  context: StatementPolicyContext,
): RiffleError | undefined {
  for (const { scope, key, value } of options) {
    let refusal: RiffleError | undefined;
    if (scope === 'WITH')
      refusal =
        kind === 'CREATE VIEW'
          ? optionNotAllowed(key, 'cannot be set on a view', [])
          : checkTableOption(key, value);
    else if (scope === 'TABLE_SET') refusal = checkTableOption(key, value);
    else if (scope === 'TABLE_RESET') refusal = checkTableOptionKey(key);
    else if (scope === 'SET' || scope === 'RESET') refusal = checkSessionProperty(key, value, context);
    if (refusal !== undefined) return refusal;
  }
  return undefined;
}
