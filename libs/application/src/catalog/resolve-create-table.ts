import {
  type CreateTableExtras,
  createTableOf,
  DEFAULT_WATERMARK_EXPRESSION,
  HIDDEN_COLUMNS_SESSION_CONFIG,
  type ParsedCreateTable,
  quoteIdentifier,
  resolvedCreateTable,
  ROWTIME_COLUMN,
  type SqlAnalysis,
  type SqlValidationAnswer,
  sqlValidationError,
} from '@riffle/domain';
import type { SqlAnalyzer } from '../sql/sql-analyzer.port';
import { flinkSessionProperties } from '../statements/statement-engine.port';
import type { EnvironmentCatalog, ResolvedTable } from './environment-tables';
import type { PrepareStatementTables, SessionOwner } from './prepare-statement-tables';

export interface CreateTableResolution {
  table: ParsedCreateTable;
  extras: CreateTableExtras;
  target: ResolvedTable;
}

/**
 * CREATE TABLE as Riffle makes it: read from the statement's analysis, and where only Flink can say what
 * the table is (computed and metadata columns, a watermark, LIKE), from Flink itself: the SQL analyzer runs
 * the statement in a session of Riffle's tables (the LIKE source declared as statements see it) and
 * describes the table it made. Flink's refusal is SQL_VALIDATION_ERROR with its message and position.
 */
export async function resolveCreateTable(
  tables: PrepareStatementTables,
  analyzer: SqlAnalyzer,
  owner: SessionOwner,
  env: EnvironmentCatalog,
  analysis: SqlAnalysis,
  text: string,
): Promise<CreateTableResolution> {
  const parsed = createTableOf(analysis, text);
  const target = tables.environments.resolveParts(env, owner.properties, parsed.path);
  if (!parsed.resolvedByFlink) return { table: parsed, extras: { columns: [] }, target };
  const like = analysis.references.filter((r) => r.type === 'TABLE' && r.use === 'like').map((r) => r.path);
  let setup = (await tables.sessionSetup(owner, env, like, target)).filter((s) => !s.startsWith('SET '));
  // a LIKE source brings Riffle's default watermark along: with the statement's own that would be two,
  // which Flink refuses, and the default one is not kept with the new table anyway
  if (analysis.table?.watermark) setup = setup.map((s) => s.replace(DEFAULT_WATERMARK, ''));
  const answer = await analyzer.validate({
    statement: text,
    setup,
    config: { ...HIDDEN_COLUMNS_SESSION_CONFIG, ...flinkSessionProperties(owner.properties) },
    execute: true,
    describe: [[target.catalog, target.database, target.topic]],
  });
  if (!answer.valid) throw flinkRefusal(answer);
  const described = answer.described?.[0];
  if (!described?.exists) throw sqlValidationError('Flink did not create the table it was asked to.');
  return { ...resolvedCreateTable(parsed, described), target };
}

const DEFAULT_WATERMARK = `,\n  WATERMARK FOR ${quoteIdentifier(ROWTIME_COLUMN)} AS ${DEFAULT_WATERMARK_EXPRESSION}`;

function flinkRefusal(answer: SqlValidationAnswer) {
  const error = answer.error;
  if (!error) return sqlValidationError('Flink refused it without a reason.');
  return sqlValidationError(error.message.slice(0, 2_000), {
    ...(error.line !== undefined && error.column !== undefined
      ? { line: error.line, column: error.column }
      : {}),
  });
}
