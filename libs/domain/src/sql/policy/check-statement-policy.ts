import type { RiffleError } from '../../riffle-error';
import { analyzeStatement, type StatementClassification } from '../classify-statement';
import { positionAt, type SqlTextScan } from '../scan-sql-text';
import { sqlTooComplexError } from '../sql-errors';
import type { SqlProperty } from '../statement-properties';
import { checkSessionProperty, checkTableOption, checkTableOptionKey } from './allowed-properties';
import { checkEnvironmentScope } from './environment-scope';
import { checkHints } from './hint-policy';
import { ambiguousSyntaxError, unsupportedCharactersError } from './policy-errors';
import { refusalByKind, refusalByLeadingWords } from './statement-kind-policy';
import type { StatementPolicyContext } from './statement-policy-context';

/**
 * The security policy (DESIGN §7), applied to the statement Flink would run, before anything reaches Flink.
 * Parses once and returns the classification, so callers need not classify again. In order, each check
 * throwing the first refusal it finds:
 * 1. the text: size (SQL_TOO_LARGE), then characters and constructs that Flink and dt-sql-parser read
 *    differently (SQL_UNSUPPORTED_CHARACTERS, SQL_AMBIGUOUS_SYNTAX), then refused statements recognised by
 *    their first words, also those the grammar does not know (EXECUTE PLAN …), then every /*+ hint *\/ of
 *    the text (which the grammar reads as comments), then complexity bounds (SQL_TOO_COMPLEX);
 * 2. the parse: SQL_EMPTY, SQL_SYNTAX_ERROR, SQL_MULTIPLE_STATEMENTS, SQL_TOO_COMPLEX;
 * 3. the statement: its kind, SET/RESET properties, WITH and ALTER … SET options, and every table, view,
 *    database, catalog and function name, statement-set members included.
 */
export function checkStatementPolicy(sql: string, context: StatementPolicyContext): StatementClassification {
  const { classification, statement, tokens } = analyzeStatement(sql, (scan) => {
    const refusal =
      textRefusal(sql, scan) ?? refusalByLeadingWords(scan.leadingWords) ?? checkHints(sql, scan.hints);
    if (refusal !== undefined) throw refusal;
  });
  const tableNames = [...classification.tablesRead, ...classification.tablesWritten];
  let refusal: RiffleError | undefined;
  try {
    refusal =
      refusalByKind(statement, classification.sqlKind, classification.bridge) ??
      propertiesRefusal(classification.properties, context) ??
      checkEnvironmentScope(statement, tokens, tableNames, context);
  } catch (error) {
    if (error instanceof RangeError) throw sqlTooComplexError();
    throw error;
  }
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

function textRefusal(sql: string, scan: SqlTextScan): RiffleError | undefined {
  const { unsupportedCharacter, ambiguity } = scan;
  if (unsupportedCharacter !== undefined) {
    return unsupportedCharactersError(
      positionAt(sql, unsupportedCharacter.offset),
      unsupportedCharacter.codePoint,
    );
  }
  if (ambiguity !== undefined) {
    return ambiguousSyntaxError(positionAt(sql, ambiguity.offset), ambiguity.construct, ambiguity.advice);
  }
  return undefined;
}

function propertiesRefusal(
  properties: readonly SqlProperty[],
  context: StatementPolicyContext,
): RiffleError | undefined {
  for (const { source, key, value } of properties) {
    const refusal =
      source === 'OPTIONS'
        ? checkTableOption(key, value)
        : source === 'RESET_OPTIONS'
          ? checkTableOptionKey(key)
          : checkSessionProperty(key, value, context);
    if (refusal !== undefined) return refusal;
  }
  return undefined;
}
