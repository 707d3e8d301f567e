import {
  HIDDEN_COLUMNS_SESSION_CONFIG,
  quoteIdentifier,
  RiffleError,
  type SqlAnalysis,
  sqlValidationError,
  tablesOf,
} from '@riffle/domain';
import { flinkSessionProperties } from '../statements/statement-engine.port';
import type { StatementRecord } from '../statements/statement.ports';
import type { EnvironmentCatalog } from './environment-tables';
import type { PrepareStatementTables } from './prepare-statement-tables';
import type { DdlAnswer } from './table-ddl-actions';
import type { StoredView } from './view.ports';

/**
 * CREATE [TEMPORARY] VIEW and DROP VIEW (DESIGN §9.3: views persist per environment). A view lives in the
 * database (Kafka cluster) it is created in, next to its topics and never under a topic's name; Flink
 * validates its query in the session Riffle would read it in and derives its columns, which DESCRIBE
 * shows. Each statement's session declares the views it reads (PrepareStatementTables). TEMPORARY makes no
 * difference: every statement runs in a session of its own, so a view that lived only in one would be of
 * no use to the next.
 */
export class ViewDdl {
  constructor(private readonly tables: PrepareStatementTables) {}

  private get views() {
    const views = this.tables.views;
    if (!views)
      throw new RiffleError('NOT_SUPPORTED_YET', 'invalid', 'Views are not kept by this deployment.');
    return views;
  }

  async create(statement: StatementRecord, analysis: SqlAnalysis): Promise<DdlAnswer> {
    const view = analysis.view;
    if (!view || !analysis.query) throw new Error('not a CREATE VIEW');
    const environments = this.tables.environments;
    const env = await environments.open(statement.organizationId, statement.environmentId);
    const { properties } = statement;
    const target = environments.resolveParts(env, properties, view.path);
    const where = `in database ${target.database}`;
    if (await environments.topics.topicExists(target.cluster, target.topic))
      throw new RiffleError(
        'TABLE_EXISTS',
        'conflict',
        `A table named ${target.topic} exists ${where}; a view needs a name of its own.`,
        {
          table: target.topic,
        },
      );
    if (await this.views.find(target.cluster.id, target.topic)) {
      if (view.ifNotExists)
        return { rows: [], detail: `View ${target.topic} already exists ${where}; nothing changed.` };
      throw new RiffleError(
        'VIEW_EXISTS',
        'conflict',
        `View ${target.topic} already exists ${where}; drop it first.`,
        {
          view: target.topic,
        },
      );
    }
    const reads = tablesOf(analysis).tablesRead;
    const schema = await this.derive(statement, env, reads, target);
    const current = environments.currentDatabase(env, properties);
    const stored: StoredView = {
      clusterId: target.cluster.id,
      name: target.topic,
      query: statement.statement.slice(analysis.query.start, analysis.query.end),
      sessionCatalog: environments.currentCatalog(env, properties),
      sessionDatabase: current?.name ?? target.database,
      columnNames: view.columns,
      reads,
      schema,
      ...(view.comment !== undefined ? { comment: view.comment } : {}),
    };
    if (!(await this.views.create(stored)) && !view.ifNotExists)
      throw new RiffleError('VIEW_EXISTS', 'conflict', `View ${target.topic} already exists ${where}.`);
    return {
      rows: [],
      detail: `Created view ${target.topic} ${where}: ${schema.map((c) => `${quoteIdentifier(c.name)} ${c.type}`).join(', ')}.`,
    };
  }

  async drop(statement: StatementRecord, analysis: SqlAnalysis): Promise<DdlAnswer> {
    const environments = this.tables.environments;
    const env = await environments.open(statement.organizationId, statement.environmentId);
    const path = analysis.references.find((r) => r.type === 'VIEW' && r.use === 'drop')?.path ?? [];
    const target = environments.resolveParts(env, statement.properties, path);
    if (await this.views.delete(target.cluster.id, target.topic))
      return { rows: [], detail: `Dropped view ${target.topic} from database ${target.database}.` };
    if (analysis.drop?.ifExists)
      return { rows: [], detail: `No view ${target.topic} in database ${target.database}; nothing changed.` };
    throw new RiffleError(
      'VIEW_NOT_FOUND',
      'invalid',
      `No view ${target.topic} in database ${target.database}.`,
      {
        view: target.topic,
      },
    );
  }

  /** Flink creates the view in a session of what it reads and says which columns it has */
  private async derive(
    statement: StatementRecord,
    env: EnvironmentCatalog,
    reads: string[][],
    target: { catalog: string; database: string; topic: string },
  ) {
    const setup = (await this.tables.sessionSetup(statement, env, reads)).filter(
      (s) => !s.startsWith('SET '),
    );
    const answer = await this.tables.analyzer.validate({
      statement: statement.statement,
      setup: setup.length ? setup : await this.emptySession(statement, env),
      config: { ...HIDDEN_COLUMNS_SESSION_CONFIG, ...flinkSessionProperties(statement.properties) },
      execute: true,
      describe: [[target.catalog, target.database, target.topic]],
    });
    if (!answer.valid)
      throw sqlValidationError(answer.error?.message.slice(0, 2_000) ?? 'Flink refused the view.');
    return answer.described?.[0]?.columns ?? [];
  }

  /** a view of no table still needs its catalog and database */
  private async emptySession(statement: StatementRecord, env: EnvironmentCatalog): Promise<string[]> {
    const environments = this.tables.environments;
    const catalog = environments.currentCatalog(env, statement.properties);
    const database = environments.currentDatabase(env, statement.properties);
    return [
      `CREATE CATALOG ${quoteIdentifier(catalog)} WITH ('type' = 'generic_in_memory')`,
      ...(database ? [`CREATE DATABASE ${quoteIdentifier(catalog)}.${quoteIdentifier(database.name)}`] : []),
      `USE CATALOG ${quoteIdentifier(catalog)}`,
      ...(database ? [`USE ${quoteIdentifier(database.name)}`] : []),
    ];
  }
}
