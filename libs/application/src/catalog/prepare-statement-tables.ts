import {
  classifyStatement,
  HIDDEN_COLUMNS_SESSION_CONFIG,
  quoteIdentifier,
  renderTopicTable,
  RiffleError,
} from '@riffle/domain';
import type { IdentityRepository } from '../identity/identity.ports';
import type { StatementRecord } from '../statements/statement.ports';
import type { KafkaClusterRepository, TopicCatalog } from './catalog.ports';
import { EnvironmentTables, type ResolvedTable, tableNotFound } from './environment-tables';

const literal = (value: string) => `'${value.replace(/'/g, "''")}'`;

/**
 * The setup a statement's gateway session needs: the environment as an in-memory catalog, each
 * referenced Kafka cluster as a database, and each referenced topic as the table the catalog infers
 * (DESIGN §4: columns from `<topic>-key`/`<topic>-value`, upsert for compacted topics, hidden `$rowtime`
 * and metadata columns), with the connector options Riffle injects (users never write them): bootstrap
 * servers, registry URL, a consumer group and exactly-once transactional writes per statement.
 */
export class PrepareStatementTables {
  /** the environment's catalog; metadata statements (AnswerMetadataStatement) read it too */
  readonly environments: EnvironmentTables;

  constructor(identities: IdentityRepository, clusters: KafkaClusterRepository, catalog: TopicCatalog) {
    this.environments = new EnvironmentTables(identities, clusters, catalog);
  }

  async execute(statement: StatementRecord): Promise<string[]> {
    const { sqlKind, tablesRead, tablesWritten } = classifyStatement(statement.statement);
    if (sqlKind === 'CREATE_TABLE_AS') {
      throw new RiffleError(
        'NOT_SUPPORTED_YET',
        'invalid',
        'CREATE TABLE … AS SELECT is not supported yet: Riffle cannot derive the new topic and its schemas from the query. Run CREATE TABLE with the columns first, then INSERT INTO it.',
      );
    }
    const names = [...new Set([...tablesRead, ...tablesWritten])];
    if (names.length === 0) return [];
    const env = await this.environments.open(statement.organizationId, statement.environmentId);
    const { properties } = statement;
    const currentCatalog = this.environments.currentCatalog(env, properties);
    const currentDatabase = this.environments.currentDatabase(env, properties);

    const tables = new Map<string, ResolvedTable>();
    for (const name of names) {
      const table = this.environments.resolve(env, properties, name);
      tables.set(JSON.stringify([table.catalog, table.database, table.topic]), table);
    }
    const catalogs = new Set([currentCatalog, ...[...tables.values()].map((t) => t.catalog)]);
    const databases = new Map<string, [string, string]>();
    for (const { catalog, database } of tables.values())
      databases.set(JSON.stringify([catalog, database]), [catalog, database]);
    if (currentDatabase)
      databases.set(JSON.stringify([currentCatalog, currentDatabase.name]), [
        currentCatalog,
        currentDatabase.name,
      ]);

    // `$rowtime` and the metadata columns are virtual metadata columns: left out of SELECT *
    const setup = Object.entries(HIDDEN_COLUMNS_SESSION_CONFIG).map(
      ([key, value]) => `SET ${literal(key)} = ${literal(value)}`,
    );
    for (const catalog of catalogs)
      setup.push(`CREATE CATALOG ${quoteIdentifier(catalog)} WITH ('type' = 'generic_in_memory')`);
    for (const [catalog, database] of databases.values())
      setup.push(`CREATE DATABASE ${quoteIdentifier(catalog)}.${quoteIdentifier(database)}`);
    setup.push(`USE CATALOG ${quoteIdentifier(currentCatalog)}`);
    if (currentDatabase) setup.push(`USE ${quoteIdentifier(currentDatabase.name)}`);
    for (const table of tables.values()) setup.push(await this.tableDdl(statement, table));
    return setup;
  }

  private async tableDdl(statement: StatementRecord, resolved: ResolvedTable): Promise<string> {
    const { cluster, topic } = resolved;
    const table = await this.environments.table(cluster, topic);
    if (!table)
      throw tableNotFound(
        `${resolved.database}.${topic}`,
        `no topic named ${topic} in Kafka cluster ${cluster.name}.`,
      );
    const bounded = statement.properties['sql.tables.scan.bounded.mode'];
    if (bounded !== undefined && !['latest-offset', 'unbounded'].includes(bounded)) {
      throw new RiffleError(
        'INVALID_PROPERTY',
        'invalid',
        "sql.tables.scan.bounded.mode must be 'latest-offset' or 'unbounded'.",
      );
    }
    return renderTopicTable(table.definition, {
      catalog: resolved.catalog,
      database: resolved.database,
      connectorOptions: {
        'properties.bootstrap.servers': cluster.bootstrapServers,
        'properties.group.id': `riffle-${statement.uid}`,
        'scan.startup.mode': 'earliest-offset',
        ...(bounded === 'latest-offset' ? { 'scan.bounded.mode': bounded } : {}),
        // exactly-once output: transactions committed on checkpoints, ids unique per statement and topic
        'sink.delivery-guarantee': 'exactly-once',
        'sink.transactional-id-prefix': `riffle-${statement.uid}-${topic}`.slice(0, 200),
        'properties.transaction.timeout.ms': '900000',
      },
      formatOptions: { url: cluster.schemaRegistryUrl },
    });
  }
}
