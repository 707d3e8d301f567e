import {
  alterTableOf,
  checkWatermark,
  isInternalTopic,
  mergeTableOptions,
  type ParsedAlterTable,
  planAlterTable,
  planCreateTable,
  quoteIdentifier,
  RiffleError,
  type SqlAnalysis,
  type TableSettings,
} from '@riffle/domain';
import type { StatementRecord } from '../statements/statement.ports';
import type { KafkaClusterRecord } from './catalog.ports';
import type { CatalogTable, EnvironmentCatalog, EnvironmentTables } from './environment-tables';
import type { PrepareStatementTables } from './prepare-statement-tables';
import { resolveCreateTable } from './resolve-create-table';

/** answered by a DDL statement: no rows, what was done */
export interface DdlAnswer {
  rows: unknown[][];
  detail: string;
}

/**
 * CREATE, ALTER and DROP TABLE on Kafka and the registry (DESIGN §4). CREATE registers the schemas first,
 * then creates the topic, so a schema the registry refuses (incompatible with what a subject already holds,
 * invalid) leaves no topic behind; ALTER … SET/RESET changes the topic configs its options map to and
 * stores the `scan.*` ones with the table, ALTER … MODIFY/DROP WATERMARK stores the watermark; DROP
 * deletes the topic, then both subjects and what was stored.
 */
export class TableDdl {
  private readonly environments: EnvironmentTables;

  constructor(private readonly tables: PrepareStatementTables) {
    this.environments = tables.environments;
  }

  async create(statement: StatementRecord, analysis: SqlAnalysis): Promise<DdlAnswer> {
    const env = await this.environments.open(statement.organizationId, statement.environmentId);
    const {
      table: parsed,
      extras,
      target,
    } = await resolveCreateTable(
      this.tables,
      this.tables.analyzer,
      statement,
      env,
      analysis,
      statement.statement,
    );
    if (parsed.query !== undefined) {
      throw new RiffleError(
        'NOT_SUPPORTED_YET',
        'invalid',
        'CREATE TABLE … AS SELECT cannot create its table from the catalog yet: create the table first, then INSERT INTO it.',
      );
    }
    const plan = planCreateTable(parsed);
    const { cluster, database, topic } = target;
    const { topics } = this.environments;
    const exists = () =>
      parsed.ifNotExists
        ? { rows: [], detail: `Table ${topic} already exists in database ${database}; nothing changed.` }
        : tableExists(database, topic);
    if (await topics.topicExists(cluster, topic)) return exists();
    if (await this.tables.views?.find(cluster.id, topic))
      throw new RiffleError(
        'TABLE_EXISTS',
        'conflict',
        `A view named ${topic} exists in database ${database}; a table needs a name of its own.`,
        {
          database,
          table: topic,
        },
      );

    const keyId = plan.keySchema
      ? await topics.registerSchema(cluster, `${topic}-key`, { format: 'AVRO', schema: plan.keySchema })
      : undefined;
    const valueId = await topics.registerSchema(cluster, `${topic}-value`, {
      format: 'AVRO',
      schema: plan.valueSchema,
    });
    const created = await topics.createTopic(cluster, {
      topic,
      partitions: plan.partitions,
      config: plan.topicConfig,
    });
    if (!created) return exists();
    // a table of the same name dropped outside Riffle may have left its settings behind
    await this.environments.saveSettings(cluster, topic, {
      options: plan.tableOptions,
      ...(extras.columns.length ? { columns: extras.columns } : {}),
      ...(extras.watermark ? { watermark: extras.watermark } : {}),
    });
    const schemas = [
      ...(keyId === undefined ? [] : [`${topic}-key (id ${keyId})`]),
      `${topic}-value (id ${valueId})`,
    ];
    return {
      rows: [],
      detail: `Created table ${topic} in database ${database}: a topic with ${plan.partitions} partitions (cleanup.policy ${plan.topicConfig['cleanup.policy']}, ${plan.changelogMode}) and the schemas ${schemas.join(' and ')}.`,
    };
  }

  async alter(
    statement: StatementRecord,
    env: EnvironmentCatalog,
    analysis: SqlAnalysis,
  ): Promise<DdlAnswer> {
    const parsed = alterTableOf(analysis);
    const { cluster, database, topic } = this.environments.resolveParts(
      env,
      statement.properties,
      parsed.path,
    );
    const table = isInternalTopic(topic) ? undefined : await this.environments.table(cluster, topic);
    if (!table) {
      if (parsed.ifExists)
        return { rows: [], detail: `No table ${topic} in database ${database}; nothing changed.` };
      throw tableNotFound(database, topic);
    }
    const stored: TableSettings = table.settings ?? { options: {} };
    const done = (changes: string[]) => ({
      rows: [],
      detail: `Altered table ${topic} in database ${database}: ${changes.join(', ')}.`,
    });
    if (parsed.kind === 'watermark') return done([await this.alterWatermark(parsed, cluster, table, stored)]);

    const plan = planAlterTable(parsed.changes);
    const options = mergeTableOptions(stored.options, plan.tableOptions);
    if (Object.keys(plan.topicConfig).length > 0) {
      const altered = await this.environments.topics.alterTopicConfig(cluster, topic, plan.topicConfig);
      if (!altered) throw tableNotFound(database, topic);
    }
    if (Object.keys(plan.tableOptions).length > 0)
      await this.environments.saveSettings(cluster, topic, { ...stored, options });
    return done([
      ...Object.entries(plan.topicConfig).map(([config, value]) =>
        value === null ? `reset ${config} to the cluster default` : `set ${config} = ${value}`,
      ),
      ...Object.entries(plan.tableOptions).map(([key, value]) =>
        value === null ? `removed the stored ${key}` : `stored ${key} = ${value}`,
      ),
    ]);
  }

  private async alterWatermark(
    parsed: Extract<ParsedAlterTable, { kind: 'watermark' }>,
    cluster: KafkaClusterRecord,
    table: CatalogTable,
    stored: TableSettings,
  ): Promise<string> {
    const rest: TableSettings = {
      options: stored.options,
      ...(stored.columns ? { columns: stored.columns } : {}),
    };
    if (!parsed.watermark) {
      await this.environments.saveSettings(cluster, table.definition.name, rest);
      return 'dropped its watermark: the default watermark applies again';
    }
    checkWatermark(table.definition, parsed.watermark);
    await this.environments.saveSettings(cluster, table.definition.name, {
      ...rest,
      watermark: parsed.watermark,
    });
    return `the watermark is now FOR ${quoteIdentifier(parsed.watermark.column)} AS ${parsed.watermark.expression}`;
  }

  async drop(
    statement: StatementRecord,
    env: EnvironmentCatalog,
    path: string[],
    ifExists: boolean,
  ): Promise<DdlAnswer> {
    const { cluster, database, topic } = this.environments.resolveParts(env, statement.properties, path);
    const deleted = !isInternalTopic(topic) && (await this.environments.topics.deleteTopic(cluster, topic));
    if (!deleted) {
      if (ifExists)
        return { rows: [], detail: `No table ${topic} in database ${database}; nothing changed.` };
      throw tableNotFound(database, topic);
    }
    for (const side of ['key', 'value'])
      await this.environments.topics.deleteSubject(cluster, `${topic}-${side}`);
    await this.environments.saveSettings(cluster, topic, { options: {} });
    return {
      rows: [],
      detail: `Dropped table ${topic} from database ${database}: deleted the topic and its subjects ${topic}-key and ${topic}-value.`,
    };
  }
}

const tableNotFound = (database: string, topic: string) =>
  new RiffleError('TABLE_NOT_FOUND', 'invalid', `No table ${topic} in database ${database}.`, {
    database,
    table: topic,
  });

export const tableExists = (database: string, topic: string): never => {
  throw new RiffleError(
    'TABLE_EXISTS',
    'conflict',
    `Table ${topic} already exists in database ${database} (the topic exists); drop it first or use CREATE TABLE IF NOT EXISTS.`,
    { database, table: topic },
  );
};
