export interface KafkaClusterRecord {
  id: string;
  organizationId: string;
  environmentId: string;
  name: string;
  bootstrapServers: string;
  schemaRegistryUrl: string;
  createdAt: Date;
}

/** Kafka clusters registered per environment: each is a Flink database of the environment's catalog. */
export abstract class KafkaClusterRepository {
  /** throws RiffleError KAFKA_CLUSTER_EXISTS on a duplicate name in the environment */
  abstract insert(cluster: Omit<KafkaClusterRecord, 'createdAt'>): Promise<KafkaClusterRecord>;
  abstract list(organizationId: string, environmentId: string): Promise<KafkaClusterRecord[]>;
}

/** Answers, for one cluster, what a topic looks like as a table (topic existence, value schema). */
export abstract class TopicCatalog {
  /** undefined when the topic does not exist */
  abstract describeTopic(
    cluster: KafkaClusterRecord,
    topic: string,
  ): Promise<
    | { partitions: number; valueSchema: { type: 'AVRO' | 'JSON' | 'PROTOBUF'; schema: string } | null }
    | undefined
  >;
  /** a cluster answers: brokers reachable and the registry answers */
  abstract check(cluster: Pick<KafkaClusterRecord, 'bootstrapServers' | 'schemaRegistryUrl'>): Promise<void>;
}
