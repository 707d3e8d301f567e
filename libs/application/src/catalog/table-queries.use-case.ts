import {
  isInternalTopic,
  renderShowCreateTable,
  RiffleError,
  type TableDefinition,
  tableOptionsOfTopic,
} from '@riffle/domain';
import type { EnvironmentRecord, IdentityRepository } from '../identity/identity.ports';
import type { Principal } from '../identity/principal';
import { resolveScope } from '../statements/statement-scope';
import type { KafkaClusterRecord, KafkaClusterRepository, TopicCatalog } from './catalog.ports';
import { type EnvironmentCatalog, EnvironmentTables, findCluster } from './environment-tables';

export interface TableView {
  environment: EnvironmentRecord;
  cluster: KafkaClusterRecord;
  definition: TableDefinition;
  /** user-facing table options (kafka.cleanup-policy, kafka.retention.time …) */
  options: Record<string, string>;
  /** what SHOW CREATE TABLE answers */
  showCreateTable: string;
}

const databaseNotFound = (name: string) =>
  new RiffleError(
    'DATABASE_NOT_FOUND',
    'not_found',
    `No Kafka cluster (database) ${name} in this environment.`,
  );

/** Opens the caller's environment and one of its databases; another tenant's is a missing one (404). */
async function openDatabase(
  identities: IdentityRepository,
  environments: EnvironmentTables,
  principal: Principal,
  org: string,
  env: string,
  database: string,
): Promise<{ catalog: EnvironmentCatalog; cluster: KafkaClusterRecord }> {
  await resolveScope(identities, principal, org, env);
  const catalog = await environments.open(org, env);
  const cluster = findCluster(catalog, database);
  if (!cluster) throw databaseNotFound(database);
  return { catalog, cluster };
}

/** GET …/databases/{cluster}/tables: the database's tables (topics without internal ones), by name. */
export class ListTables {
  private readonly environments: EnvironmentTables;

  constructor(
    private readonly identities: IdentityRepository,
    clusters: KafkaClusterRepository,
    topics: TopicCatalog,
  ) {
    this.environments = new EnvironmentTables(identities, clusters, topics);
  }

  async execute(
    principal: Principal,
    org: string,
    env: string,
    database: string,
  ): Promise<{ environment: EnvironmentRecord; cluster: KafkaClusterRecord; tables: string[] }> {
    const { catalog, cluster } = await openDatabase(
      this.identities,
      this.environments,
      principal,
      org,
      env,
      database,
    );
    return { environment: catalog.environment, cluster, tables: await this.environments.tableNames(cluster) };
  }
}

/** GET …/databases/{cluster}/tables/{table}: columns, key, changelog mode, watermark, SHOW CREATE TABLE. */
export class GetTable {
  private readonly environments: EnvironmentTables;

  constructor(
    private readonly identities: IdentityRepository,
    clusters: KafkaClusterRepository,
    topics: TopicCatalog,
  ) {
    this.environments = new EnvironmentTables(identities, clusters, topics);
  }

  async execute(
    principal: Principal,
    org: string,
    env: string,
    database: string,
    name: string,
  ): Promise<TableView> {
    const { catalog, cluster } = await openDatabase(
      this.identities,
      this.environments,
      principal,
      org,
      env,
      database,
    );
    const table = isInternalTopic(name) ? undefined : await this.environments.table(cluster, name);
    if (!table)
      throw new RiffleError('TABLE_NOT_FOUND', 'not_found', `No table ${name} in database ${cluster.name}.`);
    // the topic's configs as options, and the scan options stored with the table
    const options = { ...tableOptionsOfTopic(table.description.config), ...table.definition.options };
    return {
      environment: catalog.environment,
      cluster,
      definition: table.definition,
      options,
      showCreateTable: renderShowCreateTable(table.definition, {
        catalog: catalog.environment.id,
        database: cluster.name,
        options,
      }),
    };
  }
}
