import type { SqlStatementContext } from 'dt-sql-parser/dist/lib/flink/FlinkSqlParser';
import type { RiffleError } from '../../riffle-error';
import type { GrammarBridge } from '../grammar-bridge';
import type { SqlKind } from '../statement-kind';
import {
  catalogNotAllowed,
  functionNotAllowed,
  jarNotAllowed,
  moduleNotAllowed,
  planNotAllowed,
  setNotAllowed,
  statementKindNotAllowed,
} from './policy-errors';

const DDL_VERBS = new Set(['CREATE', 'ALTER', 'DROP']);
const DDL_MODIFIERS = new Set(['OR', 'REPLACE', 'TEMPORARY', 'TEMP', 'SYSTEM']);
const DATABASES_ARE_CLUSTERS =
  'Databases are the Kafka clusters of your environment; register them through the API.';

/** What a DDL statement creates, alters or drops: `CREATE OR REPLACE TEMPORARY SYSTEM FUNCTION` → FUNCTION. */
function ddlObject(words: readonly string[]): string | undefined {
  return words.slice(1).find((word) => !DDL_MODIFIERS.has(word));
}

function ddlRefusal(verb: string, object: string | undefined): RiffleError | undefined {
  switch (object) {
    case 'FUNCTION':
      return functionNotAllowed();
    case 'CATALOG':
      return catalogNotAllowed();
    case 'DATABASE':
    case 'SCHEMA':
      return statementKindNotAllowed(`${verb} DATABASE`, DATABASES_ARE_CLUSTERS);
    case 'MODEL':
    case 'CONNECTION':
      return statementKindNotAllowed(`${verb} ${object}`, 'Statements cannot reach services outside Riffle.');
    case 'MATERIALIZED':
      return statementKindNotAllowed(
        `${verb} MATERIALIZED TABLE`,
        'For a continuously maintained table, use CREATE TABLE … AS SELECT.',
      );
    default:
      return undefined;
  }
}

/**
 * Statements refused by their first words, before parsing: Flink statements dt-sql-parser's grammar does not
 * know (EXECUTE/COMPILE PLAN, SHOW JOBS, CALL …) get the policy's code instead of a syntax error, and the
 * refused families get theirs however their variant is written.
 */
export function refusalByLeadingWords(words: readonly string[]): RiffleError | undefined {
  const [first, second] = words;
  if (first === undefined) return undefined;
  if (DDL_VERBS.has(first)) return ddlRefusal(first, ddlObject(words));
  const phrase = words.join(' ');
  if (/^(EXECUTE PLAN|COMPILE PLAN|COMPILE AND EXECUTE PLAN)\b/.test(phrase)) return planNotAllowed();
  if (/^((ADD|REMOVE) JAR|SHOW JARS)\b/.test(phrase)) return jarNotAllowed();
  if (/^((LOAD|UNLOAD) MODULE|USE MODULES)\b/.test(phrase)) return moduleNotAllowed();
  if (first === 'ADD')
    return statementKindNotAllowed(`ADD ${second ?? ''}`.trim(), 'Riffle runs no user files.');
  const jobs = /^(SHOW JOBS|STOP JOB|CALL|ANALYZE)\b/.exec(phrase);
  if (jobs !== null) {
    return statementKindNotAllowed(
      jobs[0],
      'Riffle runs statements on shared clusters for you: list, stop and resume them through the statements ' +
        'API (spec.stopped).',
    );
  }
  const rowChanges = /^(DELETE|UPDATE|TRUNCATE)\b/.exec(phrase);
  if (rowChanges !== null) {
    return statementKindNotAllowed(
      rowChanges[0],
      'Tables are Kafka topics: write with INSERT INTO, and let retention or compaction remove old records.',
    );
  }
  return undefined;
}

/**
 * The allowlist of kinds (DESIGN §7), with the parts of allowed kinds that are not: SHOW JARS, ALTER TABLE
 * other than SET/RESET (…) and MODIFY/DROP WATERMARK (recognised by the grammar bridge), SET or RESET
 * without a property.
 */
export function refusalByKind(
  statement: SqlStatementContext,
  kind: SqlKind,
  bridge?: GrammarBridge,
): RiffleError | undefined {
  switch (kind) {
    case 'OTHER':
      return otherKindRefusal(statement);
    case 'SHOW':
      return statement.showStatement()?.KW_JARS() ? jarNotAllowed() : undefined;
    case 'ALTER_TABLE':
      return bridge?.kind === 'alter-table-watermark' ||
        statement.ddlStatement()?.alterTable()?.setKeyValueDefinition()
        ? undefined
        : statementKindNotAllowed(
            'ALTER TABLE other than SET (…), RESET (…), MODIFY WATERMARK and DROP WATERMARK',
            'Change table options with ALTER TABLE t SET (…) and the watermark with ALTER TABLE t MODIFY ' +
              'WATERMARK FOR col AS expr; to rename a table or change its key, create a new table ' +
              '(CREATE TABLE … AS SELECT).',
          );
    case 'SET':
      return statement.setStatement()?.tableProperty()
        ? undefined
        : setNotAllowed(
            null,
            "SET without a property would list the session configuration, which is Riffle's",
          );
    case 'RESET':
      return statement.resetStatement()?.tablePropertyKey()
        ? undefined
        : setNotAllowed(null, "RESET without a property would reset Riffle's session configuration");
    default:
      return undefined;
  }
}

function otherKindRefusal(statement: SqlStatementContext): RiffleError {
  if (statement.jarStatement() !== null) return jarNotAllowed();
  const add = statement.dtAddStatement();
  if (add !== null)
    return add.KW_JAR() !== null
      ? jarNotAllowed()
      : statementKindNotAllowed('ADD', 'Riffle runs no user files.');
  if (statement.loadStatement() !== null || statement.unloadStatement() !== null) return moduleNotAllowed();
  if (statement.useStatement()?.useModuleStatement()) return moduleNotAllowed();
  const ddl = statement.ddlStatement();
  if (ddl?.createFunction() || ddl?.alterFunction() || ddl?.dropFunction()) return functionNotAllowed();
  if (ddl?.createCatalog() || ddl?.dropCatalog()) return catalogNotAllowed();
  if (ddl?.createDatabase() || ddl?.alterDatabase() || ddl?.dropDatabase()) {
    return statementKindNotAllowed('CREATE, ALTER or DROP DATABASE', DATABASES_ARE_CLUSTERS);
  }
  if (ddl?.alterView()) return statementKindNotAllowed('ALTER VIEW', 'Drop the view and create it again.');
  return statementKindNotAllowed('This statement', '');
}
