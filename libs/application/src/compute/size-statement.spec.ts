import { analysisOf } from '../../../../test/fixtures/flink-sql-readings';
import type { KafkaClusterRepository, TopicCatalog } from '../catalog/catalog.ports';
import type { StatementRecord } from '../statements/statement.ports';
import type { ComputePoolRepository } from './compute-pool.ports';
import { SizeStatement, SourcePartitions } from './size-statement.use-case';

const partitions: Record<string, number> = { orders: 12, customers: 6, tiny: 2 };
const clusters = {
  list: () => Promise.resolve([{ id: 'lkc-1', name: 'main' }]),
} as unknown as KafkaClusterRepository;
const topics = {
  describeTopic: (_cluster: unknown, topic: string) =>
    Promise.resolve(partitions[topic] ? { partitions: partitions[topic] } : undefined),
} as unknown as TopicCatalog;
const pools = {
  find: () => Promise.resolve({ maxCfu: 3 }),
} as unknown as ComputePoolRepository;
const sizer = new SizeStatement(new SourcePartitions(clusters, topics), pools);
/** a statement as stored: with Flink's (recorded) analysis */
const statement = async (sql: string, computePoolId: string | null = null) =>
  ({
    uid: 'u',
    organizationId: 'o',
    environmentId: 'e',
    statement: sql,
    computePoolId,
    analysis: await analysisOf(sql),
  }) as StatementRecord;

describe('SizeStatement', () => {
  it('starts a stateless statement at 1 CFU', async () => {
    expect(await sizer.execute(await statement('INSERT INTO sink SELECT * FROM orders'))).toMatchObject({
      parallelism: 1,
      cfu: 1,
    });
  });

  it('starts a stateful one at the preferred size, within its topics’ partitions and its pool', async () => {
    const join = 'INSERT INTO sink SELECT o.id FROM orders o JOIN main.customers c ON o.cid = c.id';
    expect(await sizer.execute(await statement(join))).toMatchObject({
      parallelism: 4,
      sourceParallelism: [4, 3],
      cfu: 4,
    });
    expect(await sizer.execute(await statement(join, 'lfcp-small'))).toMatchObject({
      parallelism: 3,
      cfu: 3,
    });
    const grouped = 'INSERT INTO sink SELECT id, COUNT(*) FROM tiny GROUP BY id';
    expect(await sizer.execute(await statement(grouped))).toMatchObject({ parallelism: 2, cfu: 2 });
  });
});

describe('SizeStatement without an analysis (a statement stored before they were kept)', () => {
  it('sizes it as a stateful plan without sources', async () => {
    const legacy = {
      uid: 'u',
      organizationId: 'o',
      environmentId: 'e',
      statement: 'SELECT 1',
      computePoolId: null,
      analysis: null,
    };
    expect(await sizer.execute(legacy as unknown as StatementRecord)).toMatchObject({
      cfu: expect.any(Number),
    });
  });
});
