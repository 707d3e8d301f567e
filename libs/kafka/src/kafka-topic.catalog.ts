import { type KafkaClusterRecord, TopicCatalog } from '@riffle/application';
import { type Admin, Kafka, logLevel } from 'kafkajs';

type SchemaType = 'AVRO' | 'JSON' | 'PROTOBUF';

/** Topics and their value schemas, read live from each registered cluster (kafkajs + Confluent API). */
export class KafkaTopicCatalog extends TopicCatalog {
  private readonly admins = new Map<string, Promise<Admin>>();

  async describeTopic(cluster: KafkaClusterRecord, topic: string) {
    const admin = await this.admin(cluster.bootstrapServers);
    const topics = await admin.listTopics();
    if (!topics.includes(topic)) return undefined;
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    const partitions = metadata.topics[0]?.partitions.length ?? 0;
    const response = await fetch(
      `${cluster.schemaRegistryUrl}/subjects/${encodeURIComponent(`${topic}-value`)}/versions/latest`,
      { signal: AbortSignal.timeout(5_000) },
    );
    if (response.status === 404) return { partitions, valueSchema: null };
    if (!response.ok) throw new Error(`schema registry answered ${response.status} for ${topic}-value`);
    const body = (await response.json()) as { schema: string; schemaType?: SchemaType };
    return { partitions, valueSchema: { type: body.schemaType ?? 'AVRO', schema: body.schema } };
  }

  async check(cluster: Pick<KafkaClusterRecord, 'bootstrapServers' | 'schemaRegistryUrl'>): Promise<void> {
    const kafka = new Kafka({
      clientId: 'riffle-cluster-check',
      brokers: cluster.bootstrapServers.split(','),
      logLevel: logLevel.NOTHING,
      connectionTimeout: 3_000,
      retry: { retries: 1 },
    });
    const admin = kafka.admin();
    try {
      await admin.connect();
      await admin.describeCluster();
    } finally {
      await admin.disconnect();
    }
    const response = await fetch(`${cluster.schemaRegistryUrl}/subjects`, {
      signal: AbortSignal.timeout(5_000),
    });
    if (!response.ok) throw new Error(`schema registry answered ${response.status}`);
  }

  private admin(bootstrapServers: string): Promise<Admin> {
    let admin = this.admins.get(bootstrapServers);
    if (!admin) {
      const client = new Kafka({
        clientId: 'riffle-catalog',
        brokers: bootstrapServers.split(','),
        logLevel: logLevel.NOTHING,
        connectionTimeout: 3_000,
      }).admin();
      admin = client.connect().then(() => client);
      admin.catch(() => this.admins.delete(bootstrapServers));
      this.admins.set(bootstrapServers, admin);
    }
    return admin;
  }

  /** Nest lifecycle */
  async onApplicationShutdown(): Promise<void> {
    for (const admin of this.admins.values()) await (await admin.catch(() => undefined))?.disconnect();
  }
}
