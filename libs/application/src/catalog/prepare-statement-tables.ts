import {
  avroToFlinkColumnsForFormat,
  classifyStatement,
  columnsDdl,
  type FlinkColumn,
  quoteIdentifier,
  RiffleError,
} from '@riffle/domain';
import type { IdentityRepository } from '../identity/identity.ports';
import type { StatementRecord } from '../statements/statement.ports';
import type { KafkaClusterRecord, KafkaClusterRepository, TopicCatalog } from './catalog.ports';

const literal = (value: string) => `'${value.replace(/'/g, "''")}'`;

/** `a`, `db.a`, `cat.db.a`, with optional backticks → parts */
export function identifierParts(name: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < name.length; i++) {
    const c = name[i]!;
    if (c === '`') {
      if (quoted && name[i + 1] === '`') {
        current += '`';
        i++;
      } else quoted = !quoted;
    } else if (c === '.' && !quoted) {
      parts.push(current);
      current = '';
    } else current += c;
  }
  parts.push(current);
  return parts;
}

const tableNotFound = (name: string, why: string) =>
  new RiffleError('TABLE_NOT_FOUND', 'invalid', `Table ${name} cannot be used: ${why}`);

/**
 * The setup a statement's gateway session needs: the environment as an in-memory catalog, each
 * referenced Kafka cluster as a database, and each referenced topic as a table whose connector,
 * bootstrap servers, registry URL and formats Riffle injects (users never write them).
 */
export class PrepareStatementTables {
  constructor(
    private readonly identities: IdentityRepository,
    private readonly clusters: KafkaClusterRepository,
    private readonly catalog: TopicCatalog,
  ) {}

  async execute(statement: StatementRecord): Promise<string[]> {
    const { tablesRead, tablesWritten } = classifyStatement(statement.statement);
    const names = [...new Set([...tablesRead, ...tablesWritten])];
    if (names.length === 0) return [];
    const environment = await this.identities.findEnvironment(
      statement.organizationId,
      statement.environmentId,
    );
    if (!environment)
      throw new RiffleError('ENVIRONMENT_NOT_FOUND', 'not_found', 'The environment no longer exists.');
    const clusters = await this.clusters.list(statement.organizationId, statement.environmentId);
    const catalogName = statement.properties['sql.current-catalog'] ?? environment.name;
    const databaseName =
      statement.properties['sql.current-database'] ?? (clusters.length === 1 ? clusters[0]!.name : undefined);

    const tables = new Map<string, { cluster: KafkaClusterRecord; topic: string }>();
    for (const name of names) {
      const parts = identifierParts(name);
      const [catalog, database, topic] =
        parts.length === 3
          ? parts
          : parts.length === 2
            ? [catalogName, ...parts]
            : [catalogName, databaseName, parts[0]];
      if (catalog !== environment.name)
        throw tableNotFound(name, `only catalog ${environment.name} (this environment) is available.`);
      if (!database)
        throw tableNotFound(name, 'set sql.current-database or name the table as database.table.');
      const cluster = clusters.find((c) => c.name === database);
      if (!cluster) throw tableNotFound(name, `no Kafka cluster named ${database} in this environment.`);
      tables.set(`${database}.${topic}`, { cluster, topic: topic! });
    }

    const setup = [`CREATE CATALOG ${quoteIdentifier(environment.name)} WITH ('type' = 'generic_in_memory')`];
    const databases = new Set([...tables.values()].map((t) => t.cluster.name));
    if (databaseName && clusters.some((c) => c.name === databaseName)) databases.add(databaseName);
    for (const db of databases)
      setup.push(`CREATE DATABASE ${quoteIdentifier(environment.name)}.${quoteIdentifier(db)}`);
    setup.push(`USE CATALOG ${quoteIdentifier(environment.name)}`);
    if (databaseName && databases.has(databaseName)) setup.push(`USE ${quoteIdentifier(databaseName)}`);
    for (const { cluster, topic } of tables.values()) {
      setup.push(await this.tableDdl(statement, environment.name, cluster, topic));
    }
    return setup;
  }

  private async tableDdl(
    statement: StatementRecord,
    catalog: string,
    cluster: KafkaClusterRecord,
    topic: string,
  ) {
    const described = await this.catalog.describeTopic(cluster, topic);
    if (!described)
      throw tableNotFound(
        `${cluster.name}.${topic}`,
        `no topic named ${topic} in Kafka cluster ${cluster.name}.`,
      );
    let columns: FlinkColumn[];
    let format: Record<string, string>;
    if (!described.valueSchema) {
      columns = [{ name: 'val', type: 'VARBINARY' }];
      format = { 'value.format': 'raw' };
    } else if (described.valueSchema.type === 'AVRO') {
      columns = avroToFlinkColumnsForFormat(described.valueSchema.schema);
      format = {
        'value.format': 'avro-confluent',
        'value.avro-confluent.url': cluster.schemaRegistryUrl,
        // read and write with the topic's own registered schema, so writes reuse its id instead of
        // registering a schema derived from the columns (which the subject's compatibility may refuse)
        'value.avro-confluent.schema': described.valueSchema.schema,
      };
    } else {
      throw new RiffleError(
        'SCHEMA_FORMAT_NOT_SUPPORTED',
        'invalid',
        `Topic ${topic} has a ${described.valueSchema.type} value schema; this version reads Avro-encoded topics only.`,
      );
    }
    const bounded = statement.properties['sql.tables.scan.bounded.mode'];
    if (bounded !== undefined && !['latest-offset', 'unbounded'].includes(bounded)) {
      throw new RiffleError(
        'INVALID_PROPERTY',
        'invalid',
        "sql.tables.scan.bounded.mode must be 'latest-offset' or 'unbounded'.",
      );
    }
    const options: Record<string, string> = {
      connector: 'kafka',
      topic,
      'properties.bootstrap.servers': cluster.bootstrapServers,
      'properties.group.id': `riffle-${statement.uid}`,
      'scan.startup.mode': 'earliest-offset',
      ...(bounded === 'latest-offset' ? { 'scan.bounded.mode': bounded } : {}),
      ...format,
      // exactly-once output: transactions committed on checkpoints, ids unique per statement and topic
      'sink.delivery-guarantee': 'exactly-once',
      'sink.transactional-id-prefix': `riffle-${statement.uid}-${topic}`.slice(0, 200),
      'properties.transaction.timeout.ms': '900000',
    };
    const withClause = Object.entries(options)
      .map(([k, v]) => `${literal(k)} = ${literal(v)}`)
      .join(', ');
    const table = [catalog, cluster.name, topic].map(quoteIdentifier).join('.');
    return `CREATE TABLE ${table} (${columnsDdl(columns)}) WITH (${withClause})`;
  }
}
