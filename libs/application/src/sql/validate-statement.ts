import {
  alterTableOf,
  createTableOf,
  HIDDEN_COLUMNS_SESSION_CONFIG,
  RiffleError,
  type SqlAnalysis,
  type SqlPlan,
  type SqlValidationAnswer,
  sqlValidationError,
  type StatementClassification,
  tablesOf,
} from '@riffle/domain';
import type { PrepareStatementTables, SessionOwner } from '../catalog/prepare-statement-tables';
import { resolveCreateTable } from '../catalog/resolve-create-table';
import { flinkSessionProperties } from '../statements/statement-engine.port';
import type { SqlAnalyzer } from './sql-analyzer.port';

/** what Flink's planner said about a statement it validated */
export interface StatementCheck {
  /** false: it could not be validated now (a table it names does not exist yet, Kafka did not answer) */
  validated: boolean;
  /** for status.traits: schema, changelog mode, upsert keys, append-only */
  traits: Record<string, unknown>;
  plan?: SqlPlan;
}

/** kinds whose SQL Flink can validate in a session of Riffle's tables (DDL is checked when it runs) */
const VALIDATED = new Set([
  'SELECT',
  'INSERT_INTO',
  'STATEMENT_SET',
  'CREATE_TABLE_AS',
  'EXPLAIN',
  'CREATE_VIEW',
]);
/** kinds Flink plans to check them fully: an INSERT's columns against its sink, a sink's changelog mode */
const EXPLAINED = new Set(['INSERT_INTO', 'STATEMENT_SET', 'EXPLAIN']);

export const DRY_RUN = 'sql.dry-run';

/**
 * Semantic validation before a statement is stored (DESIGN §9.3): Flink's planner, in the SQL analyzer,
 * validates the statement in the session Riffle would run it in (PrepareStatementTables: the environment's
 * tables as Flink tables), so an unknown column, table or function, a type error or an invalid join is a
 * 400 SQL_VALIDATION_ERROR with Flink's message and position now, not a FAILED statement later. INSERTs
 * and statement sets are planned too (a sink's columns and changelog mode); `explain` plans anything.
 *
 * Only where it is cheap and possible: a statement naming a table that does not exist yet (created by a
 * statement still pending) or submitted while Kafka or the registry do not answer is taken unvalidated,
 * and its run says what is wrong. A dry run (sql.dry-run) must be validated.
 */
export class ValidateStatement {
  constructor(
    private readonly tables: PrepareStatementTables,
    private readonly analyzer: SqlAnalyzer,
  ) {}

  async execute(
    owner: SessionOwner,
    classification: Pick<StatementClassification, 'sqlKind' | 'normalized' | 'analysis'>,
    options: { explain?: boolean } = {},
  ): Promise<StatementCheck> {
    const { sqlKind, analysis } = classification;
    if (sqlKind === 'CREATE_TABLE') return this.createTable(owner, classification);
    // the ALTER TABLE forms Riffle runs; the others are refused now, naming the form, not FAILED later
    if (sqlKind === 'ALTER_TABLE') {
      alterTableOf(analysis);
      return { validated: false, traits: {} };
    }
    if (!VALIDATED.has(sqlKind)) return { validated: false, traits: {} };
    const explain = options.explain === true || EXPLAINED.has(sqlKind);
    const session = await this.session(owner, analysis);
    if (!session) {
      if (options.explain) throw cannotValidate('a table it names does not exist');
      return { validated: false, traits: {} };
    }
    const text = statementText(classification);
    const answer = await this.analyzer.validate({
      statement: text.sql,
      setup: session.setup,
      config: session.config,
      explain,
    });
    if (!answer.valid) throw validationError(answer, text.shift);
    return { validated: true, traits: traitsOf(answer), ...(answer.plan ? { plan: answer.plan } : {}) };
  }

  /**
   * CREATE TABLE with what only Flink resolves (computed and metadata columns, a watermark, LIKE): Flink
   * makes the table in a throwaway session now, so its errors are a 400 and not a FAILED statement later
   */
  private async createTable(
    owner: SessionOwner,
    classification: Pick<StatementClassification, 'normalized' | 'analysis'>,
  ): Promise<StatementCheck> {
    const parsed = createTableOf(classification.analysis, classification.normalized);
    if (!parsed.resolvedByFlink) return { validated: false, traits: {} };
    try {
      const env = await this.tables.environments.open(owner.organizationId, owner.environmentId);
      await resolveCreateTable(
        this.tables,
        this.analyzer,
        owner,
        env,
        classification.analysis,
        classification.normalized,
      );
      return { validated: true, traits: {} };
    } catch (error) {
      if (error instanceof RiffleError && (error.code === 'TABLE_NOT_FOUND' || error.retryable))
        return { validated: false, traits: {} };
      throw error;
    }
  }

  /** the setup (SET statements as config), or undefined when a table is missing or unreachable */
  private async session(owner: SessionOwner, analysis: SqlAnalysis) {
    try {
      const env = await this.tables.environments.open(owner.organizationId, owner.environmentId);
      const { tablesRead, tablesWritten } = tablesOf(analysis);
      // CTAS and views: what they create is the statement's to create (a CTAS's query is validated alone)
      const onlyReads = analysis.kind === 'CREATE TABLE AS' || analysis.kind === 'CREATE VIEW';
      const paths = onlyReads ? tablesRead : [...tablesRead, ...tablesWritten];
      const statements = await this.tables.sessionSetup(owner, env, paths);
      const setup = statements.filter((s) => !s.startsWith('SET '));
      const config = { ...HIDDEN_COLUMNS_SESSION_CONFIG, ...flinkSessionProperties(owner.properties) };
      return { setup, config };
    } catch (error) {
      if (error instanceof RiffleError && (error.code === 'TABLE_NOT_FOUND' || error.retryable))
        return undefined;
      throw error;
    }
  }
}

/** what is validated: the statement, or a CTAS's query, with where it starts in the statement */
function statementText(classification: Pick<StatementClassification, 'normalized' | 'analysis'>) {
  const { normalized, analysis } = classification;
  if (analysis.kind !== 'CREATE TABLE AS' || !analysis.query)
    return { sql: normalized, shift: { line: 0, column: 0 } };
  const before = normalized.slice(0, analysis.query.start);
  const lines = before.split(/\r\n|\r|\n/);
  return {
    sql: normalized.slice(analysis.query.start, analysis.query.end),
    shift: { line: lines.length - 1, column: lines.at(-1)!.length },
  };
}

function validationError(answer: SqlValidationAnswer, shift: { line: number; column: number }): RiffleError {
  const error = answer.error;
  if (!error) return sqlValidationError('Flink refused it without a reason.');
  if (error.kind === 'setup')
    return sqlValidationError(`a table it reads cannot be declared in Flink: ${error.message}`);
  const at = (line?: number, column?: number) =>
    line === undefined || column === undefined
      ? {}
      : { line: line + shift.line, column: line === 1 ? column + shift.column : column };
  const start = at(error.line, error.column);
  const end = at(error.endLine, error.endColumn);
  return sqlValidationError(error.message.slice(0, 2_000), {
    ...start,
    ...(end.line === undefined ? {} : { endLine: end.line, endColumn: end.column }),
  });
}

const cannotValidate = (why: string) =>
  new RiffleError(
    'SQL_DRY_RUN_IMPOSSIBLE',
    'invalid',
    `A dry run needs Flink to plan the statement, which it cannot now: ${why}.`,
  );

/** status.traits from Flink's answer (DESIGN §3: schema, is_append_only) and its plan */
function traitsOf(answer: SqlValidationAnswer): Record<string, unknown> {
  const traits: Record<string, unknown> = {};
  if (answer.schema)
    traits.schema = {
      columns: answer.schema.map((c) => ({ name: c.name, type: c.type, nullable: c.nullable })),
    };
  const outputs = answer.plan?.outputs ?? [];
  const modes = outputs.map((o) => o.changelogMode).filter((m): m is string => m !== undefined);
  if (modes.length > 0) {
    traits.changelog_mode = modes.length === 1 ? modes[0] : modes;
    traits.is_append_only = modes.every((m) => m === 'I');
  }
  if (outputs.length > 0)
    traits.upsert_keys = outputs.length === 1 ? outputs[0]!.upsertKeys : outputs.map((o) => o.upsertKeys);
  return traits;
}
