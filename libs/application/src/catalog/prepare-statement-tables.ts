import {
  classifyStatement,
  createTableOf,
  HIDDEN_COLUMNS_SESSION_CONFIG,
  type ParsedCreateTable,
  planCreateTableAs,
  quoteIdentifier,
  renderCreateTableAs,
  renderTopicTable,
  RiffleError,
  SQL_ANALYSIS_LIMITS,
  type SqlAnalysis,
  tablesOf,
} from '@riffle/domain';
import type { IdentityRepository } from '../identity/identity.ports';
import type { SqlAnalyzer } from '../sql/sql-analyzer.port';
import type { StatementRecord } from '../statements/statement.ports';
import type {
  ClusterCredentials,
  KafkaClusterRecord,
  KafkaClusterRepository,
  TopicCatalog,
} from './catalog.ports';
import { type KafkaLogin, type LogicalClusterLogins, topicPrefixOf } from './logical-clusters';
import {
  type EnvironmentCatalog,
  EnvironmentTables,
  type ResolvedTable,
  tableNotFound,
} from './environment-tables';
import { tableExists } from './table-ddl-actions';
import type { StoredView, ViewRepository } from './view.ports';

const literal = (value: string) => `'${value.replace(/'/g, "''")}'`;
const MAX_VIEW_DEPTH = 10;

/** USE the view's own catalog and database, then CREATE VIEW it there under the name statements use */
function viewDdl(resolved: ResolvedTable, view: StoredView): string[] {
  const name = [resolved.catalog, resolved.database, resolved.topic].map(quoteIdentifier).join('.');
  const columns = view.columnNames.length ? ` (${view.columnNames.map(quoteIdentifier).join(', ')})` : '';
  return [
    `USE CATALOG ${quoteIdentifier(view.sessionCatalog)}`,
    `USE ${quoteIdentifier(view.sessionDatabase)}`,
    `CREATE VIEW IF NOT EXISTS ${name}${columns} AS ${view.query}`,
  ];
}

/** whose session it is: the statement's uid names its consumer group and transactional ids */
export type SessionOwner = Pick<StatementRecord, 'uid' | 'organizationId' | 'environmentId' | 'properties'>;

/** what a gateway session runs for a statement: the setup first, then the statement itself */
export interface PreparedStatement {
  setupStatements: string[];
  statement: string;
}

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

  constructor(
    identities: IdentityRepository,
    clusters: KafkaClusterRepository,
    catalog: TopicCatalog,
    /** Flink's parser, for statements stored before their analysis was kept */
    readonly analyzer: SqlAnalyzer,
    /** the principals of logical clusters, whose Flink jobs log in as their own */
    private readonly logins: LogicalClusterLogins,
    /** the environment's views (none: no views) */
    readonly views?: ViewRepository,
  ) {
    this.environments = new EnvironmentTables(identities, clusters, catalog);
  }

  /** the analysis stored with the statement (statements stored before analyses were kept: made now) */
  async analysis(statement: Pick<StatementRecord, 'statement' | 'analysis'>): Promise<SqlAnalysis> {
    if (statement.analysis) return statement.analysis;
    const answer = await this.analyzer.analyze(statement.statement, SQL_ANALYSIS_LIMITS);
    return classifyStatement(statement.statement, answer).analysis;
  }

  /** the session setup, and the statement text Flink runs (a CTAS gets its connector options here) */
  async execute(statement: StatementRecord): Promise<PreparedStatement> {
    const analysis = await this.analysis(statement);
    const { tablesRead, tablesWritten } = tablesOf(analysis);
    const ctas =
      statement.sqlKind === 'CREATE_TABLE_AS' ? createTableOf(analysis, statement.statement) : undefined;
    const env = await this.environments.open(statement.organizationId, statement.environmentId);
    const target = ctas && this.environments.resolveParts(env, statement.properties, ctas.path);
    const setup = await this.sessionSetup(statement, env, [...tablesRead, ...tablesWritten], target);
    if (setup.length === 0 && !target) return { setupStatements: [], statement: statement.statement };
    return {
      setupStatements: setup,
      statement: ctas && target ? await this.createTableAs(statement, ctas, target) : statement.statement,
    };
  }

  /**
   * What a gateway session runs before a statement that names these tables: the session config, the
   * environment as an in-memory catalog, each Kafka cluster named as a database, and each table (but
   * `placedAlso`, a table the statement itself creates, whose database is declared all the same). Reads
   * the catalog, changes nothing: also what the SQL analyzer validates a statement in.
   */
  async sessionSetup(
    statement: SessionOwner,
    env: EnvironmentCatalog,
    paths: readonly string[][],
    placedAlso?: ResolvedTable,
  ): Promise<string[]> {
    const { properties } = statement;
    const { tables, views } = await this.collect(env, properties, paths, placedAlso);
    if (tables.size === 0 && views.length === 0 && !placedAlso) return [];
    const currentCatalog = this.environments.currentCatalog(env, properties);
    const currentDatabase = this.environments.currentDatabase(env, properties);

    const placed: { catalog: string; database: string }[] = [
      ...tables.values(),
      ...(placedAlso ? [placedAlso] : []),
      ...views.flatMap(({ resolved, view }) => [
        resolved,
        { catalog: view.sessionCatalog, database: view.sessionDatabase },
      ]),
    ];
    if (currentDatabase) placed.push({ catalog: currentCatalog, database: currentDatabase.name });
    const catalogs = new Set([currentCatalog, ...placed.map((t) => t.catalog)]);
    const databases = new Map<string, [string, string]>();
    for (const { catalog, database } of placed)
      databases.set(JSON.stringify([catalog, database]), [catalog, database]);

    // `$rowtime` and the metadata columns are virtual metadata columns: left out of SELECT *
    const setup = Object.entries(HIDDEN_COLUMNS_SESSION_CONFIG).map(
      ([key, value]) => `SET ${literal(key)} = ${literal(value)}`,
    );
    for (const catalog of catalogs)
      setup.push(`CREATE CATALOG ${quoteIdentifier(catalog)} WITH ('type' = 'generic_in_memory')`);
    for (const [catalog, database] of databases.values())
      setup.push(`CREATE DATABASE ${quoteIdentifier(catalog)}.${quoteIdentifier(database)}`);
    const use = [`USE CATALOG ${quoteIdentifier(currentCatalog)}`];
    if (currentDatabase) use.push(`USE ${quoteIdentifier(currentDatabase.name)}`);
    setup.push(...use);
    for (const table of tables.values()) setup.push(await this.tableDdl(statement, table));
    if (views.length === 0) return setup;
    // each view where it was created (its unqualified names resolve as they did then), readers first
    for (const { resolved, view } of views) setup.push(...viewDdl(resolved, view));
    return [...setup, ...use];
  }

  /** the tables to declare, and the views (each after the views it reads) */
  private async collect(
    env: EnvironmentCatalog,
    properties: Record<string, string>,
    paths: readonly string[][],
    placedAlso?: ResolvedTable,
  ) {
    const key = (t: ResolvedTable) => JSON.stringify([t.catalog, t.database, t.topic]);
    const tables = new Map<string, ResolvedTable>();
    const views: { resolved: ResolvedTable; view: StoredView }[] = [];
    const seen = new Set<string>();
    const visit = async (props: Record<string, string>, path: string[], depth: number): Promise<void> => {
      const table = this.environments.resolveParts(env, props, path);
      if (placedAlso && key(table) === key(placedAlso)) return;
      const view = await this.views?.find(table.cluster.id, table.topic);
      if (!view) {
        tables.set(key(table), table);
        return;
      }
      if (seen.has(key(table))) return;
      if (depth > MAX_VIEW_DEPTH)
        throw new RiffleError(
          'VIEW_TOO_DEEP',
          'invalid',
          `Views read views more than ${MAX_VIEW_DEPTH} levels deep.`,
        );
      seen.add(key(table));
      const own = {
        ...props,
        'sql.current-catalog': view.sessionCatalog,
        'sql.current-database': view.sessionDatabase,
      };
      for (const read of view.reads) await visit(own, read, depth + 1);
      views.push({ resolved: table, view });
    };
    for (const path of paths) await visit(properties, path, 0);
    return { tables, views };
  }

  /**
   * CREATE TABLE … AS SELECT: Riffle creates the topic when the statement first runs (a later restore
   * finds it there), then Flink's CTAS writes into it and registers `<topic>-value` (planCreateTableAs).
   */
  private async createTableAs(
    statement: StatementRecord,
    parsed: ParsedCreateTable,
    target: ResolvedTable,
  ): Promise<string> {
    const plan = planCreateTableAs(parsed);
    const { cluster, topic } = target;
    // a topic without a value schema yet is this statement's own from an attempt that did not start
    const existing = await this.environments.table(cluster, topic);
    const firstRun = !statement.jobId && !statement.savepointPath;
    if (firstRun && existing?.definition.valueSchema) tableExists(target.database, topic);
    if (!existing)
      await this.environments.topics.createTopic(cluster, {
        topic,
        partitions: plan.partitions,
        config: plan.topicConfig,
      });
    return renderCreateTableAs(plan, {
      catalog: target.catalog,
      database: target.database,
      topic: topicPrefixOf(cluster) + topic,
      connectorOptions: await this.connectorOptions(statement, cluster, topic),
      formatOptions: registryOptions(cluster),
    });
  }

  private async tableDdl(statement: SessionOwner, resolved: ResolvedTable): Promise<string> {
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
      topic: topicPrefixOf(cluster) + topic,
      // Riffle's defaults, then what ALTER TABLE stored with the table, then the statement's own property
      connectorOptions: {
        ...(await this.connectorOptions(statement, cluster, topic)),
        ...table.definition.options,
        ...(bounded === 'latest-offset' ? { 'scan.bounded.mode': bounded } : {}),
      },
      formatOptions: registryOptions(cluster),
    });
  }

  /**
   * What Riffle injects into each Kafka table: where the cluster is, a consumer group and transactional
   * ids of the statement's own, and for a logical cluster, its prefix on both and its principal's login.
   */
  private async connectorOptions(
    statement: SessionOwner,
    cluster: KafkaClusterRecord,
    topic: string,
  ): Promise<Record<string, string>> {
    const prefix = topicPrefixOf(cluster);
    const login = cluster.kind === 'logical' ? await this.logins.loginFor(cluster) : undefined;
    return {
      'properties.bootstrap.servers': login?.bootstrapServers ?? cluster.bootstrapServers,
      ...(login ? flinkKafkaLogin(login) : flinkExternalLogin(cluster.credentials)),
      'properties.group.id': `${prefix}riffle-${statement.uid}`,
      'scan.startup.mode': 'earliest-offset',
      // exactly-once output: transactions committed on checkpoints, ids unique per statement and topic
      'sink.delivery-guarantee': 'exactly-once',
      'sink.transactional-id-prefix': `${prefix}riffle-${statement.uid}-${topic}`.slice(0, 200),
      'properties.transaction.timeout.ms': '900000',
    };
  }
}

/** `avro-confluent` options: the registry, and its basic auth when the cluster's registration gave one */
function registryOptions(cluster: KafkaClusterRecord): Record<string, string> {
  const auth = cluster.credentials?.registry;
  return {
    url: cluster.schemaRegistryUrl,
    ...(auth
      ? {
          'basic-auth.credentials-source': 'USER_INFO',
          'basic-auth.user-info': `${auth.username}:${auth.password}`,
        }
      : {}),
  };
}

const LOGIN_MODULES: Record<string, string> = {
  PLAIN: 'org.apache.flink.kafka.shaded.org.apache.kafka.common.security.plain.PlainLoginModule',
  'SCRAM-SHA-256': 'org.apache.flink.kafka.shaded.org.apache.kafka.common.security.scram.ScramLoginModule',
  'SCRAM-SHA-512': 'org.apache.flink.kafka.shaded.org.apache.kafka.common.security.scram.ScramLoginModule',
};

/** a registered cluster's TLS and SASL login as Kafka client properties for Flink */
function flinkExternalLogin(credentials: ClusterCredentials | undefined): Record<string, string> {
  const sasl = credentials?.sasl;
  const tls = credentials?.tls === true;
  if (!sasl) return tls ? { 'properties.security.protocol': 'SSL' } : {};
  return {
    'properties.security.protocol': tls ? 'SASL_SSL' : 'SASL_PLAINTEXT',
    'properties.sasl.mechanism': sasl.mechanism,
    'properties.sasl.jaas.config': `${LOGIN_MODULES[sasl.mechanism]} required username=${jaasQuote(sasl.username)} password=${jaasQuote(sasl.password)};`,
  };
}

const jaasQuote = (value: string) => `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** the Kafka client properties of a SCRAM login, for Flink's Kafka connector (its Kafka client is shaded) */
export function flinkKafkaLogin(login: KafkaLogin): Record<string, string> {
  return {
    'properties.security.protocol': login.securityProtocol,
    'properties.sasl.mechanism': login.mechanism,
    'properties.sasl.jaas.config': `${LOGIN_MODULES[login.mechanism]} required username=${jaasQuote(login.username)} password=${jaasQuote(login.password)};`,
  };
}
