import {
  applyTableSettings,
  isInternalTopic,
  type RegistrySchema,
  RiffleError,
  type TableDefinition,
  type TableSettings,
  topicTable,
} from '@riffle/domain';
import type { EnvironmentRecord, IdentityRepository } from '../identity/identity.ports';
import type {
  KafkaClusterRecord,
  KafkaClusterRepository,
  SubjectVersion,
  TopicCatalog,
  TopicDescription,
} from './catalog.ports';

/** An environment as a Flink catalog: its Kafka clusters are the databases. */
export interface EnvironmentCatalog {
  environment: EnvironmentRecord;
  clusters: KafkaClusterRecord[];
}

/** A table reference resolved: names as the session declares them, the cluster and the topic. */
export interface ResolvedTable {
  /** the catalog name as written (the environment's id or name), or the current catalog */
  catalog: string;
  /** the database name as written (a cluster's name or id), or the current database */
  database: string;
  cluster: KafkaClusterRecord;
  topic: string;
}

export interface CatalogTable {
  /** with the stored settings applied */
  definition: TableDefinition;
  description: TopicDescription;
  /** what ALTER TABLE stored with the table */
  settings?: TableSettings;
}

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

/** the statement cannot use this table (kind `invalid`: the statement fails with it) */
export const tableNotFound = (name: string, why: string) =>
  new RiffleError('TABLE_NOT_FOUND', 'invalid', `Table ${name} cannot be used: ${why}`, { table: name });

/**
 * The catalog of one environment (DESIGN §4): environment = catalog (named by its id; its display name
 * is accepted too), Kafka cluster = database (its display name or id), topic = table. Tables are read
 * live from Kafka and the registry through {@link TopicCatalog}; internal topics (`_…`, `__…`) and
 * Riffle's own (`riffle.…`) are not tables.
 */
export class EnvironmentTables {
  constructor(
    private readonly identities: IdentityRepository,
    private readonly clusters: KafkaClusterRepository,
    readonly topics: TopicCatalog,
  ) {}

  /** throws ENVIRONMENT_NOT_FOUND (not_found) */
  async open(organizationId: string, environmentId: string): Promise<EnvironmentCatalog> {
    const environment = await this.identities.findEnvironment(organizationId, environmentId);
    if (!environment)
      throw new RiffleError('ENVIRONMENT_NOT_FOUND', 'not_found', 'No such organization or environment.');
    return { environment, clusters: await this.clusters.list(organizationId, environmentId) };
  }

  /** `sql.current-catalog`, else the environment's id; it must name this environment */
  currentCatalog(env: EnvironmentCatalog, properties: Record<string, string>): string {
    const name = properties['sql.current-catalog'] ?? env.environment.id;
    if (!isThisCatalog(env, name)) {
      throw new RiffleError(
        'CATALOG_NOT_FOUND',
        'invalid',
        `sql.current-catalog names ${name}; only catalog ${env.environment.id} (this environment, also called ${env.environment.name}) is available.`,
      );
    }
    return name;
  }

  /** `sql.current-database`, else the only cluster of the environment, if there is exactly one */
  currentDatabase(
    env: EnvironmentCatalog,
    properties: Record<string, string>,
  ): { name: string; cluster: KafkaClusterRecord } | undefined {
    const name = properties['sql.current-database'];
    if (name === undefined) {
      const [only, other] = env.clusters;
      return only && !other ? { name: only.name, cluster: only } : undefined;
    }
    const cluster = findCluster(env, name);
    if (!cluster) {
      throw new RiffleError(
        'DATABASE_NOT_FOUND',
        'invalid',
        `sql.current-database names ${name}; this environment has no Kafka cluster by that name or id.`,
      );
    }
    return { name, cluster };
  }

  /** `t`, `db.t`, `cat.db.t` (as written, backticks allowed) → cluster and topic */
  resolve(env: EnvironmentCatalog, properties: Record<string, string>, name: string): ResolvedTable {
    return this.resolveParts(env, properties, identifierParts(name), name);
  }

  resolveParts(
    env: EnvironmentCatalog,
    properties: Record<string, string>,
    parts: string[],
    written = parts.join('.'),
  ): ResolvedTable {
    if (parts.length < 1 || parts.length > 3 || parts.some((p) => p === ''))
      throw tableNotFound(written, 'name it as table, database.table or catalog.database.table.');
    const topic = parts.at(-1)!;
    const catalog = parts.length === 3 ? parts[0]! : this.currentCatalog(env, properties);
    if (!isThisCatalog(env, catalog)) {
      throw tableNotFound(written, `only catalog ${env.environment.id} (this environment) is available.`);
    }
    if (parts.length === 1) {
      const current = this.currentDatabase(env, properties);
      if (!current)
        throw tableNotFound(written, 'set sql.current-database or name the table as database.table.');
      return { catalog, database: current.name, cluster: current.cluster, topic };
    }
    const database = parts.at(-2)!;
    const cluster = findCluster(env, database);
    if (!cluster) throw tableNotFound(written, `no Kafka cluster named ${database} in this environment.`);
    return { catalog, database, cluster, topic };
  }

  /** the tables of a database: its topics without internal ones, sorted */
  async tableNames(cluster: KafkaClusterRecord): Promise<string[]> {
    const topics = await this.topics.listTopics(cluster);
    return topics.filter((topic) => !isInternalTopic(topic)).sort();
  }

  /** undefined when there is no such topic (or it is an internal one) */
  async table(cluster: KafkaClusterRecord, topic: string): Promise<CatalogTable | undefined> {
    if (isInternalTopic(topic)) return undefined;
    const description = await this.topics.describeTopic(cluster, topic);
    if (!description) return undefined;
    const settings = await this.clusters.findTableSettings(cluster.id, topic);
    const definition = applyTableSettings(
      topicTable({
        topic,
        compacted: description.compacted,
        partitions: Math.max(description.partitions, 1),
        ...(description.keySchema
          ? { keySchema: withId(description.keySchema, description.keySubject) }
          : {}),
        ...(description.valueSchema
          ? { valueSchema: withId(description.valueSchema, description.valueSubject) }
          : {}),
      }),
      settings,
    );
    return { definition, description, ...(settings ? { settings } : {}) };
  }

  /** replaces what ALTER TABLE stored with the table; empty settings remove it (DROP TABLE) */
  saveSettings(cluster: KafkaClusterRecord, topic: string, settings: TableSettings): Promise<void> {
    return this.clusters.saveTableSettings(cluster.id, topic, settings);
  }
}

/** the schema with its registry id, which the json-registry format writes into each record */
function withId(schema: RegistrySchema, subject: SubjectVersion | undefined): RegistrySchema {
  return subject?.id ? { ...schema, id: subject.id } : schema;
}

export function isThisCatalog(env: EnvironmentCatalog, name: string): boolean {
  return name === env.environment.id || name === env.environment.name;
}

/** a database by the cluster's display name, else by its id */
export function findCluster(env: EnvironmentCatalog, name: string): KafkaClusterRecord | undefined {
  return env.clusters.find((c) => c.name === name) ?? env.clusters.find((c) => c.id === name);
}
