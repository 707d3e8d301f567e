import { planCreateTableAs, renderCreateTableAs } from './create-table-as';
import { parseCreateTable } from '../../../../test/fixtures/flink-sql-readings';

describe('CREATE TABLE … AS SELECT', () => {
  it('plans the topic from the options plain CREATE TABLE takes and keeps the query', async () => {
    const plan = planCreateTableAs(
      await parseCreateTable(
        "CREATE TABLE big WITH ('kafka.partitions' = '3', 'kafka.retention.time' = '1 d') AS SELECT id FROM s",
      ),
    );
    expect(plan).toEqual({
      topic: 'big',
      partitions: 3,
      topicConfig: { 'cleanup.policy': 'delete', 'retention.ms': '86400000' },
      query: 'SELECT id FROM s',
    });
  });

  it.each([
    [{ columns: [{ name: 'id', type: 'BIGINT' }] }, 'NOT_SUPPORTED_YET'],
    [{ primaryKey: ['id'] }, 'NOT_SUPPORTED_YET'],
    [{ distributionKey: ['id'] }, 'NOT_SUPPORTED_YET'],
    [{ options: { 'changelog.mode': 'upsert' } }, 'INVALID_TABLE_OPTION'],
    [{ options: { connector: 'filesystem' } }, 'INVALID_TABLE_OPTION'],
  ])('refuses %j with %s', async (change, code) => {
    const base = await parseCreateTable("CREATE TABLE t WITH ('kafka.partitions' = '1') AS SELECT 1 AS id");
    expect(() => planCreateTableAs({ ...base, ...change })).toThrow(expect.objectContaining({ code }));
  });

  it('renders Flink CTAS into the new topic with the options Riffle injects, the registry subject fixed', async () => {
    const sql = renderCreateTableAs(
      { topic: 'big', partitions: 1, topicConfig: {}, query: 'SELECT id FROM s' },
      {
        catalog: 'env-1',
        database: 'main',
        connectorOptions: { 'properties.bootstrap.servers': 'k:9092', topic: 'evil', 'value.format': 'json' },
        formatOptions: { url: 'http://registry' },
      },
    );
    expect(sql).toBe(
      [
        'CREATE TABLE `env-1`.`main`.`big` WITH (',
        "  'connector' = 'kafka',",
        "  'topic' = 'big',",
        "  'properties.bootstrap.servers' = 'k:9092',",
        "  'value.format' = 'avro-confluent',",
        "  'value.avro-confluent.url' = 'http://registry',",
        "  'value.avro-confluent.subject' = 'big-value'",
        ') AS SELECT id FROM s',
      ].join('\n'),
    );
  });
});
