import { type InitialSizing, initialParallelism, isStatelessQuery, tablesOf } from '@riffle/domain';
import type { KafkaClusterRecord, KafkaClusterRepository, TopicCatalog } from '../catalog/catalog.ports';
import type { StatementRecord } from '../statements/statement.ports';
import type { ComputePoolRepository } from './compute-pool.ports';

/** The partition counts of the topics a statement reads, by topic name (missing: not a known topic). */
export class SourcePartitions {
  constructor(
    private readonly clusters: KafkaClusterRepository,
    private readonly topics: TopicCatalog,
  ) {}

  async lookUp(statement: StatementRecord): Promise<Map<string, number>> {
    const clusters = await this.clusters.list(statement.organizationId, statement.environmentId);
    const result = new Map<string, number>();
    for (const parts of readsOf(statement)) {
      const topic = parts.at(-1)!;
      const cluster: KafkaClusterRecord | undefined =
        parts.length >= 2
          ? clusters.find((c) => c.name === parts.at(-2) || c.id === parts.at(-2))
          : clusters[0];
      const description = cluster && (await this.topics.describeTopic(cluster, topic));
      if (description) result.set(topic, description.partitions);
    }
    return result;
  }
}

/**
 * The size a statement starts at (DESIGN §5 "Initial size"): the pure `initialParallelism` over the
 * statement's sources (their partitions), whether its query is stateless, and its pool's max_cfu.
 */
export class SizeStatement {
  constructor(
    private readonly partitions: SourcePartitions,
    private readonly pools: ComputePoolRepository,
  ) {}

  async execute(statement: StatementRecord): Promise<InitialSizing> {
    // a stop-and-restore rescale decided the size already
    const target = (statement.scalingStatus as { target_cfu?: number } | undefined)?.target_cfu;
    if (statement.savepointPath && Number.isInteger(target) && target! >= 1)
      return {
        parallelism: target!,
        sourceParallelism: [],
        cfu: target!,
        reason: `${target} CFU: the autoscaler's decision`,
      };
    const partitions = await this.partitions.lookUp(statement).catch(() => new Map<string, number>());
    const pool = statement.computePoolId
      ? await this.pools.find(statement.organizationId, statement.computePoolId)
      : undefined;
    // Flink's analysis, stored when it was submitted (none for statements stored before: sized as a plan
    // without sources, stateful)
    const reads = readsOf(statement);
    return initialParallelism({
      sources: reads.map((parts) => {
        const count = partitions.get(parts.at(-1)!);
        return count === undefined ? {} : { partitions: count };
      }),
      statelessOnly: statement.analysis ? isStatelessQuery(statement.analysis) : false,
      maxCfu: pool?.maxCfu ?? 10_000,
    });
  }
}

/** the tables the statement reads, by their parts (none when no analysis was stored with it) */
function readsOf(statement: StatementRecord): string[][] {
  return statement.analysis ? tablesOf(statement.analysis).tablesRead : [];
}
