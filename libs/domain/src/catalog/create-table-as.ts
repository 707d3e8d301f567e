import { RiffleError } from '../riffle-error';
import { quoteIdentifier } from './flink-columns';
import type { ParsedCreateTable } from './create-table-statement';
import { type CreateTablePlan, planCreateTable } from './plan-create-table';
import type { CreateTableOptions } from './table-ddl';

/** CREATE TABLE … AS SELECT: the new topic Riffle creates, and the query Flink runs into it */
export interface CreateTableAsPlan extends Pick<CreateTablePlan, 'topic' | 'partitions' | 'topicConfig'> {
  query: string;
}

const literal = (value: string) => `'${value.replace(/'/g, "''")}'`;

/**
 * CREATE TABLE t [DISTRIBUTED INTO n BUCKETS] [WITH (…)] AS SELECT … (DESIGN §4). The columns are the
 * query's, which only Flink's planner knows, so Riffle creates the topic (partitions and topic configs
 * from the same options plain CREATE TABLE takes) and lets Flink's own CTAS derive the table: its
 * `avro-confluent` sink registers `<topic>-value` with the derived schema when it writes. Riffle's
 * catalog then infers the table from that subject like any other. Column definitions, a PRIMARY KEY or a
 * distribution key (which would need a key schema and upsert writes) are refused for now.
 */
export function planCreateTableAs(table: ParsedCreateTable): CreateTableAsPlan {
  if (table.query === undefined) throw new Error('not a CREATE TABLE … AS statement');
  if (table.columns.length || table.primaryKey || table.distributionKey) {
    throw new RiffleError(
      'NOT_SUPPORTED_YET',
      'invalid',
      'CREATE TABLE … AS SELECT takes its columns from the query: column definitions, a PRIMARY KEY and DISTRIBUTED BY (…) columns are not supported with it yet. Use DISTRIBUTED INTO n BUCKETS for the partitions, or CREATE TABLE with columns first and then INSERT INTO it.',
    );
  }
  // the options and partitions as plain CREATE TABLE takes them; the column only stands in for the query's
  const plan = planCreateTable({ ...table, columns: [{ name: 'query', type: 'INT' }] });
  if (plan.changelogMode !== 'append') {
    throw new RiffleError(
      'INVALID_TABLE_OPTION',
      'invalid',
      "Table option 'changelog.mode': a table created AS SELECT is an append table.",
      { option: 'changelog.mode' },
    );
  }
  return {
    topic: plan.topic,
    partitions: plan.partitions,
    topicConfig: plan.topicConfig,
    query: table.query,
  };
}

/**
 * The statement Flink runs: its CTAS into a Kafka table on the new topic, value in `avro-confluent`
 * registered under `<topic>-value`, with the connector and format options Riffle injects.
 */
export function renderCreateTableAs(plan: CreateTableAsPlan, options: CreateTableOptions): string {
  const topic = options.topic ?? plan.topic;
  const rendered: Record<string, string> = { connector: 'kafka', topic };
  for (const [key, value] of Object.entries(options.connectorOptions))
    if (key !== 'connector' && key !== 'topic' && !/^(key|value)\./.test(key)) rendered[key] = value;
  rendered['value.format'] = 'avro-confluent';
  for (const [key, value] of Object.entries(options.formatOptions ?? {}))
    rendered[`value.avro-confluent.${key}`] = value;
  rendered['value.avro-confluent.subject'] = `${topic}-value`;
  const table = [options.catalog, options.database, plan.topic].map(quoteIdentifier).join('.');
  const withClause = Object.entries(rendered).map(([key, value]) => `  ${literal(key)} = ${literal(value)}`);
  return `CREATE TABLE ${table} WITH (\n${withClause.join(',\n')}\n) AS ${plan.query}`;
}
