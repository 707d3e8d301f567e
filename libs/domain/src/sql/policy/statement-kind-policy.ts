import type { RiffleError } from '../../riffle-error';
import type { SqlAnalysis, SqlStatementShape } from '../analysis';
import {
  catalogNotAllowed,
  constructNotSupported,
  functionNotAllowed,
  jarNotAllowed,
  moduleNotAllowed,
  planNotAllowed,
  setNotAllowed,
  statementKindNotAllowed,
} from './policy-errors';

const DATABASES_ARE_CLUSTERS =
  'Databases are the Kafka clusters of your environment; register them through the API.';
const RUN_BY_RIFFLE =
  'Riffle runs statements on shared clusters for you: list, stop and resume them through the statements API (spec.stopped).';
const TOPICS_NOT_ROWS =
  'Tables are Kafka topics: write with INSERT INTO, and let retention or compaction remove old records.';

/** ALTER TABLE forms Riffle carries (table-ddl and schema evolution through the registry) */
const ALTER_TABLE_ALLOWED = new Set([
  'ALTER TABLE SET',
  'ALTER TABLE RESET',
  'ALTER TABLE ADD',
  'ALTER TABLE MODIFY',
  'ALTER TABLE DROP COLUMN',
  'ALTER TABLE DROP WATERMARK',
]);

/**
 * The allowlist of statement kinds (DESIGN §7), on Flink's reading of the statement: refused families get
 * their own code (JAR_, FUNCTION_, MODULE_, CATALOG_, PLAN_NOT_ALLOWED), other kinds Riffle does not run
 * STATEMENT_KIND_NOT_ALLOWED, and forms of allowed kinds that Riffle does not carry yet NOT_SUPPORTED_YET
 * naming the form. EXPLAIN is judged by what it explains; every member of a statement set is an INSERT.
 */
export function refusalByKind(analysis: SqlAnalysis): RiffleError | undefined {
  if (analysis.kind === 'EXPLAIN' && analysis.explained) return refusalOfShape(analysis.explained, analysis);
  return refusalOfShape(analysis, analysis);
}

function refusalOfShape(shape: SqlStatementShape, analysis: SqlAnalysis): RiffleError | undefined {
  const { kind } = shape;
  switch (kind) {
    case 'SELECT':
    case 'INSERT':
    case 'STATEMENT SET':
    case 'CREATE TABLE AS':
    case 'DROP TABLE':
    case 'DROP VIEW':
    case 'DESCRIBE':
    case 'USE':
    case 'USE CATALOG':
    case 'SHOW TABLES':
    case 'SHOW VIEWS':
    case 'SHOW COLUMNS':
    case 'SHOW DATABASES':
    case 'SHOW CATALOGS':
    case 'SHOW CURRENT CATALOG':
    case 'SHOW CURRENT DATABASE':
    case 'SHOW CREATE TABLE':
    case 'SHOW CREATE VIEW':
    case 'SHOW FUNCTIONS':
    case 'SHOW MODULES':
    case 'CREATE TABLE':
    case 'CREATE TABLE LIKE':
    case 'CREATE VIEW':
      return undefined;
    case 'SET':
    case 'RESET':
      return analysis.options.some((o) => o.scope === kind)
        ? undefined
        : setNotAllowed(
            null,
            kind === 'SET'
              ? "SET without a property would list the session configuration, which is Riffle's"
              : "RESET without a property would reset Riffle's session configuration",
          );
    case 'ADD JAR':
    case 'REMOVE JAR':
    case 'SHOW JARS':
      return jarNotAllowed();
    case 'LOAD MODULE':
    case 'UNLOAD MODULE':
    case 'USE MODULES':
      return moduleNotAllowed();
    case 'COMPILE PLAN':
    case 'EXECUTE PLAN':
    case 'COMPILE AND EXECUTE PLAN':
      return planNotAllowed();
    case 'SHOW JOBS':
    case 'STOP JOB':
    case 'DESCRIBE JOB':
    case 'CALL':
    case 'SHOW PROCEDURES':
    case 'ANALYZE TABLE':
      return statementKindNotAllowed(kind, RUN_BY_RIFFLE);
    case 'DELETE':
    case 'UPDATE':
    case 'TRUNCATE TABLE':
      return statementKindNotAllowed(kind, TOPICS_NOT_ROWS);
    case 'REPLACE TABLE AS':
    case 'CREATE OR REPLACE TABLE AS':
      return statementKindNotAllowed(
        kind,
        'A table is a topic and its subjects: drop it first, or create a new one with CREATE TABLE … AS SELECT.',
      );
    case 'BEGIN STATEMENT SET':
    case 'END':
    case 'HELP':
    case 'QUIT':
    case 'CLEAR':
      return statementKindNotAllowed(
        kind,
        'Send one statement per request; run several INSERTs as one job with EXECUTE STATEMENT SET BEGIN … END.',
      );
  }
  if (kind.startsWith('ALTER TABLE ')) {
    const keyChange = shape.table?.constraints?.length || shape.table?.distribution;
    return ALTER_TABLE_ALLOWED.has(kind) && !keyChange
      ? undefined
      : statementKindNotAllowed(
          keyChange ? `${kind} of a key or distribution` : kind,
          'Riffle alters tables with SET (…), RESET (…), ADD, MODIFY and DROP of columns and watermarks; to rename a table or change its key, create a new table (CREATE TABLE … AS SELECT).',
        );
  }
  const words = kind.split(' ');
  const object = words.find(
    (w) =>
      !['CREATE', 'ALTER', 'DROP', 'SHOW', 'DESCRIBE', 'OR', 'REPLACE', 'TEMPORARY', 'SYSTEM'].includes(w),
  );
  if (object === 'FUNCTION' || object === 'FUNCTIONS') return functionNotAllowed();
  if (object === 'CATALOG') return catalogNotAllowed();
  if (object === 'DATABASE') return statementKindNotAllowed(`${words[0]} DATABASE`, DATABASES_ARE_CLUSTERS);
  if (object === 'VIEW') return statementKindNotAllowed(kind, 'Drop the view and create it again.');
  if (object === 'MODEL' || object === 'MODELS' || object === 'CONNECTION')
    return statementKindNotAllowed(kind, 'Statements cannot reach services outside Riffle.');
  if (object === 'MATERIALIZED')
    return statementKindNotAllowed(
      kind,
      'For a continuously maintained table, use CREATE TABLE … AS SELECT.',
    );
  return statementKindNotAllowed(kind, '');
}

/**
 * Flink SQL Riffle does not carry yet, refused at the door naming the construct (NOT_SUPPORTED_YET): after
 * the security checks, so a hostile statement gets the refusal that says what it may not do.
 */
export function unsupportedConstruct(analysis: SqlAnalysis): RiffleError | undefined {
  const shape = analysis.kind === 'EXPLAIN' && analysis.explained ? analysis.explained : analysis;
  const inserts = shape.kind === 'STATEMENT SET' ? (shape.members ?? []) : [shape];
  if (inserts.some((s) => s.kind === 'INSERT' && s.overwrite))
    return constructNotSupported('INSERT OVERWRITE', 'Kafka topics only append: use INSERT INTO.');
  if (
    (shape.kind === 'CREATE TABLE' ||
      shape.kind === 'CREATE TABLE LIKE' ||
      shape.kind === 'CREATE TABLE AS') &&
    shape.table?.temporary
  )
    return constructNotSupported(
      'CREATE TEMPORARY TABLE',
      'Each statement runs in a session of its own, so a temporary table would be gone before the next one: use CREATE TABLE, or a view.',
    );
  return undefined;
}
