import {
  type CatalogStatement,
  catalogStatementOf,
  describeExtendedRows,
  describeRows,
  matchesLike,
  quoteIdentifier,
  renderShowCreateTable,
  RiffleError,
  type SqlAnalysis,
  type SqlKind,
  sqlKindOf,
  tableOptionsOfTopic,
} from '@riffle/domain';
import { rowBytes } from '../results/pump-query-results.use-case';
import { DRY_RUN, ValidateStatement } from '../sql/validate-statement';
import type { FetchedPage, ResultStore } from '../results/result-store.port';
import type { ResultRow, StatementRecord, StatementRepository } from '../statements/statement.ports';
import { type EnvironmentCatalog, type EnvironmentTables, isThisCatalog } from './environment-tables';
import type { PrepareStatementTables } from './prepare-statement-tables';
import { TableDdl } from './table-ddl-actions';
import { ViewDdl } from './view-ddl-actions';
import type { StoredView } from './view.ports';

/** what a metadata statement answers: its rows (one result page per 500) and the status detail */
export interface MetadataAnswer {
  rows: unknown[][];
  detail: string;
}

/** SHOW statements that need no catalog and stay with Flink (the gateway answers them without a job) */
const LEFT_TO_FLINK = new Set(['SHOW FUNCTIONS', 'SHOW MODULES']);
const ANSWERED_KINDS = new Set([
  'EXPLAIN',
  'SHOW',
  'DESCRIBE',
  'SHOW_CREATE_TABLE',
  'CREATE_TABLE',
  'ALTER_TABLE',
  'DROP_TABLE',
  'CREATE_VIEW',
  'DROP_VIEW',
  'USE',
]);
const PAGE_ROWS = 500;

const notSupported = (code: string, message: string) => new RiffleError(code, 'invalid', message);

/**
 * Metadata and DDL statements answered by the control plane itself (DESIGN §3): PENDING → COMPLETED with
 * the rows as result pages (the shape of SELECT results), or FAILED with the reason, in about a second
 * and without a Flink job or CFU. Reads come live from Kafka and the registry (EnvironmentTables); CREATE
 * and DROP TABLE change them (TableDdl). Errors the user can fix fail the statement; an unreachable Kafka
 * or registry is rethrown, so the reconcile queue retries.
 */
export class AnswerMetadataStatement {
  private readonly environments: EnvironmentTables;

  constructor(
    private readonly statements: StatementRepository,
    private readonly tables: PrepareStatementTables,
    private readonly results: ResultStore,
  ) {
    this.environments = tables.environments;
  }

  /** whether this use case answers the statement (the rest of `metadata` mode, e.g. SET, goes to Flink) */
  static answers(statement: Pick<StatementRecord, 'sqlKind' | 'analysis' | 'properties'>): boolean {
    if (statement.properties[DRY_RUN] === 'true') return true;
    if (!ANSWERED_KINDS.has(statement.sqlKind)) return false;
    if (statement.sqlKind !== 'SHOW') return true;
    // statements stored before analyses were kept: execute() analyses them
    return !statement.analysis || !LEFT_TO_FLINK.has(statement.analysis.kind);
  }

  async execute(statement: StatementRecord): Promise<void> {
    const { uid } = statement;
    const startTime = new Date();
    let answer: MetadataAnswer;
    try {
      answer = await this.answer(statement);
    } catch (error) {
      if (!(error instanceof RiffleError) || error.retryable) throw error;
      await this.statements.addException(uid, error.code, error.message);
      await this.statements.recordStatus(uid, {
        phase: 'FAILED',
        detail: error.message,
        startTime,
        endTime: new Date(),
        currentCfu: 0,
      });
      return;
    }
    const count = Math.max(1, Math.ceil(answer.rows.length / PAGE_ROWS));
    const pages = Array.from({ length: count }, (_, page): FetchedPage => {
      const rows: ResultRow[] = answer.rows
        .slice(page * PAGE_ROWS, (page + 1) * PAGE_ROWS)
        .map((row) => ({ op: 0, row }));
      return { rows, bytes: rows.reduce((n, r) => n + rowBytes(r), 0), last: page === count - 1 };
    });
    await this.results.writeAll(uid, statement, pages);
    await this.statements.recordStatus(uid, {
      phase: 'COMPLETED',
      detail: answer.detail,
      startTime,
      endTime: new Date(),
      currentCfu: 0,
    });
  }

  private async answer(statement: StatementRecord): Promise<MetadataAnswer> {
    switch (statement.sqlKind) {
      case 'USE':
        throw notSupported(
          'NOT_SUPPORTED',
          'USE has no effect on later statements: set sql.current-catalog and sql.current-database in spec.properties instead.',
        );
    }
    const analysis = await this.tables.analysis(statement);
    if (statement.sqlKind === 'EXPLAIN' || statement.properties[DRY_RUN] === 'true')
      return this.explain(statement, analysis);
    if (sqlKindOf(analysis) === 'CREATE_TABLE') return new TableDdl(this.tables).create(statement, analysis);
    if (statement.sqlKind === 'CREATE_VIEW') return new ViewDdl(this.tables).create(statement, analysis);
    if (statement.sqlKind === 'DROP_VIEW') return new ViewDdl(this.tables).drop(statement, analysis);
    const env = await this.environments.open(statement.organizationId, statement.environmentId);
    const parsed = catalogStatementOf(analysis);
    switch (parsed.kind) {
      case 'drop-table':
        return new TableDdl(this.tables).drop(statement, env, parsed.table, parsed.ifExists);
      case 'alter-table':
        return new TableDdl(this.tables).alter(statement, env, analysis);
      case 'other':
        throw notSupported(
          'NOT_SUPPORTED',
          `SHOW ${parsed.what} is not available: Riffle answers SHOW CATALOGS, DATABASES, TABLES, VIEWS, COLUMNS, CREATE TABLE, CURRENT CATALOG, CURRENT DATABASE, FUNCTIONS and MODULES.`,
        );
      default:
        return this.query(statement, env, parsed);
    }
  }

  /** EXPLAIN and dry runs: Flink's plan (the SQL analyzer plans it), one row, and nothing runs */
  private async explain(statement: StatementRecord, analysis: SqlAnalysis): Promise<MetadataAnswer> {
    const check = await new ValidateStatement(this.tables, this.tables.analyzer).execute(
      statement,
      { sqlKind: statement.sqlKind as SqlKind, normalized: statement.statement, analysis },
      { explain: true },
    );
    const modes = [check.traits.changelog_mode].flat().filter(Boolean).join('; ');
    const keys = JSON.stringify(check.traits.upsert_keys ?? null);
    return {
      rows: [[check.plan?.text ?? '']],
      detail: `Planned by Flink, nothing ran: changelog mode ${modes || 'unknown'}, upsert keys ${keys}.`,
    };
  }

  private async query(
    statement: StatementRecord,
    env: EnvironmentCatalog,
    parsed: Exclude<CatalogStatement, { kind: 'drop-table' | 'alter-table' | 'other' }>,
  ): Promise<MetadataAnswer> {
    const { properties } = statement;
    const answered = (rows: unknown[][]) => ({ rows, detail: 'Answered from the catalog.' });
    switch (parsed.kind) {
      case 'show-catalogs':
        return answered(
          [[env.environment.name, env.environment.id]].filter(([name]) => matchesLike(name!, parsed.like)),
        );
      case 'show-current-catalog':
        return answered([[this.environments.currentCatalog(env, properties)]]);
      case 'show-databases':
        if (parsed.catalog !== undefined && !isThisCatalog(env, parsed.catalog))
          throw catalogNotFound(env, parsed.catalog);
        return answered(
          env.clusters.filter((c) => matchesLike(c.name, parsed.like)).map((c) => [c.name, c.id]),
        );
      case 'show-current-database': {
        const current = this.environments.currentDatabase(env, properties);
        if (!current) throw noCurrentDatabase('SHOW CURRENT DATABASE');
        return answered([[current.name]]);
      }
      case 'show-tables':
      case 'show-views': {
        const database = this.database(statement, env, parsed.database);
        const names =
          parsed.kind === 'show-views'
            ? ((await this.tables.views?.list(database.id)) ?? []).map((v) => v.name)
            : await this.environments.tableNames(database);
        return answered(names.filter((name) => matchesLike(name, parsed.like)).map((name) => [name]));
      }
      case 'show-columns':
      case 'describe':
      case 'show-create-table': {
        const resolved = this.environments.resolveParts(env, properties, parsed.table);
        const table = await this.environments.table(resolved.cluster, resolved.topic);
        if (!table) {
          const view = await this.tables.views?.find(resolved.cluster.id, resolved.topic);
          if (!view) throw missingTable(resolved.database, resolved.topic);
          return answered(viewRows(view, resolved, parsed.kind));
        }
        if (parsed.kind === 'show-create-table') {
          const ddl = renderShowCreateTable(table.definition, {
            catalog: resolved.catalog,
            database: resolved.database,
            options: tableOptionsOfTopic(table.description.config),
          });
          return answered([[ddl]]);
        }
        const extended = parsed.kind === 'describe' && parsed.extended;
        const like = parsed.kind === 'show-columns' ? parsed.like : undefined;
        const columns = describeRows(table.definition, extended)
          .filter((row) => matchesLike(row.name, like))
          .map((row) => [row.name, row.type, row.null, row.key, row.extras, row.watermark]);
        if (!extended) return answered(columns);
        const { keySubject, valueSubject, config } = table.description;
        const details = describeExtendedRows(table.definition, {
          catalog: resolved.catalog,
          database: resolved.database,
          options: { ...tableOptionsOfTopic(config), ...table.definition.options },
          ...(keySubject ? { keySubject } : {}),
          ...(valueSubject ? { valueSubject } : {}),
        });
        // after the columns, Spark-style: `# Detailed Table Information`, then name and value rows
        return answered([
          ...columns,
          ...details.map(([name, value]) => [name, value, null, null, null, null]),
        ]);
      }
    }
  }

  /** `FROM [catalog.]database`, else the current database */
  private database(statement: StatementRecord, env: EnvironmentCatalog, path: string[] | undefined) {
    if (!path) {
      const current = this.environments.currentDatabase(env, statement.properties);
      if (!current) throw noCurrentDatabase('SHOW TABLES');
      return current.cluster;
    }
    // a database path resolves like a table path one level up
    const resolved = this.environments.resolveParts(env, statement.properties, [...path, 'x']);
    return resolved.cluster;
  }
}

/** DESCRIBE / SHOW COLUMNS (Flink's columns: name, type, null, key, extras, watermark) or SHOW CREATE VIEW */
function viewRows(
  view: StoredView,
  resolved: { catalog: string; database: string; topic: string },
  kind: 'show-columns' | 'describe' | 'show-create-table',
): unknown[][] {
  if (kind === 'show-create-table') {
    const name = [resolved.catalog, resolved.database, resolved.topic].map(quoteIdentifier).join('.');
    const columns = view.columnNames.length ? ` (${view.columnNames.map(quoteIdentifier).join(', ')})` : '';
    return [[`CREATE VIEW ${name}${columns} AS\n${view.query}`]];
  }
  return view.schema.map((c) => [c.name, c.type, c.nullable, null, null, null]);
}

export const missingTable = (database: string, topic: string) =>
  new RiffleError('TABLE_NOT_FOUND', 'invalid', `No table ${topic} in database ${database}.`, {
    database,
    table: topic,
  });

const catalogNotFound = (env: EnvironmentCatalog, name: string) =>
  new RiffleError(
    'CATALOG_NOT_FOUND',
    'invalid',
    `No catalog ${name}: only ${env.environment.id} (this environment, also called ${env.environment.name}) is available.`,
  );

const noCurrentDatabase = (what: string) =>
  new RiffleError(
    'DATABASE_NOT_SET',
    'invalid',
    `${what} needs a database: set sql.current-database in spec.properties, or name one (FROM database).`,
  );
