import type { RegistrySchema } from '@riffle/domain';
import { newResourceId } from '../identity/credentials';
import { type KafkaClusterRecord, type NewTopic, TopicCatalog, type TopicDescription } from './catalog.ports';

/**
 * Logical clusters (docs/tenancy.md), the way multi-tenant managed Kafka works: an environment's default
 * database is a slice of the platform Kafka whose topics, subjects, consumer groups and transactional
 * ids all start with `<logical cluster id>.`. Users never see or type the prefix; Kafka's ACLs hold each
 * logical cluster's principal to it.
 */
export const DEFAULT_DATABASE_NAME = 'main';

/** `lkc-1a2b3c4d5e.` for a logical cluster, '' for an external one */
export const topicPrefixOf = (cluster: Pick<KafkaClusterRecord, 'id' | 'kind'>): string =>
  cluster.kind === 'logical' ? `${cluster.id}.` : '';

/** a new environment's database: a logical cluster named `main` (its addresses come from configuration) */
export function newLogicalCluster(
  organizationId: string,
  environmentId: string,
): Omit<KafkaClusterRecord, 'createdAt'> {
  return {
    id: newResourceId('lkc'),
    organizationId,
    environmentId,
    name: DEFAULT_DATABASE_NAME,
    kind: 'logical',
    bootstrapServers: '',
    schemaRegistryUrl: '',
  };
}

/** how a Flink job logs in to Kafka as a logical cluster's own principal */
export interface KafkaLogin {
  bootstrapServers: string;
  securityProtocol: 'SASL_PLAINTEXT' | 'SASL_SSL';
  mechanism: 'SCRAM-SHA-512';
  username: string;
  password: string;
}

/** The principals of logical clusters on the platform Kafka. */
export abstract class LogicalClusterLogins {
  /**
   * The login of the cluster's Flink jobs: its own SCRAM principal, allowed only topics, consumer groups
   * and transactional ids under its prefix. Made (or repaired) on first use in a process.
   */
  abstract loginFor(cluster: KafkaClusterRecord): Promise<KafkaLogin>;
}

/**
 * The topic catalog as a logical cluster's users see it: every topic and subject name gets the hidden
 * prefix on the way in and loses it on the way out, and a listing shows only the cluster's own topics.
 * External clusters pass through unchanged.
 */
export class LogicalClusterTopics extends TopicCatalog {
  constructor(private readonly inner: TopicCatalog) {
    super();
  }

  async listTopics(cluster: KafkaClusterRecord): Promise<string[]> {
    const prefix = topicPrefixOf(cluster);
    const topics = await this.inner.listTopics(cluster);
    if (!prefix) return topics;
    return topics
      .filter((t) => t.startsWith(prefix) && t.length > prefix.length)
      .map((t) => t.slice(prefix.length));
  }

  topicExists(cluster: KafkaClusterRecord, topic: string): Promise<boolean> {
    return this.inner.topicExists(cluster, topicPrefixOf(cluster) + topic);
  }

  async describeTopic(cluster: KafkaClusterRecord, topic: string): Promise<TopicDescription | undefined> {
    const prefix = topicPrefixOf(cluster);
    const found = await this.inner.describeTopic(cluster, prefix + topic);
    if (!found || !prefix) return found;
    const strip = (subject: string) => (subject.startsWith(prefix) ? subject.slice(prefix.length) : subject);
    const schema = (s: RegistrySchema | undefined) =>
      s?.references
        ? { ...s, references: s.references.map((r) => ({ ...r, subject: strip(r.subject) })) }
        : s;
    return {
      ...found,
      ...(found.keySchema ? { keySchema: schema(found.keySchema) } : {}),
      ...(found.valueSchema ? { valueSchema: schema(found.valueSchema) } : {}),
      ...(found.keySubject
        ? { keySubject: { ...found.keySubject, subject: strip(found.keySubject.subject) } }
        : {}),
      ...(found.valueSubject
        ? { valueSubject: { ...found.valueSubject, subject: strip(found.valueSubject.subject) } }
        : {}),
    };
  }

  createTopic(cluster: KafkaClusterRecord, topic: NewTopic): Promise<boolean> {
    return this.inner.createTopic(cluster, { ...topic, topic: topicPrefixOf(cluster) + topic.topic });
  }

  registerSchema(cluster: KafkaClusterRecord, subject: string, schema: RegistrySchema): Promise<number> {
    const prefix = topicPrefixOf(cluster);
    const references = schema.references?.map((r) => ({ ...r, subject: prefix + r.subject }));
    return this.inner.registerSchema(
      cluster,
      prefix + subject,
      references ? { ...schema, references } : schema,
    );
  }

  deleteSubject(cluster: KafkaClusterRecord, subject: string): Promise<boolean> {
    return this.inner.deleteSubject(cluster, topicPrefixOf(cluster) + subject);
  }

  alterTopicConfig(
    cluster: KafkaClusterRecord,
    topic: string,
    changes: Record<string, string | null>,
  ): Promise<boolean> {
    return this.inner.alterTopicConfig(cluster, topicPrefixOf(cluster) + topic, changes);
  }

  deleteTopic(cluster: KafkaClusterRecord, topic: string): Promise<boolean> {
    return this.inner.deleteTopic(cluster, topicPrefixOf(cluster) + topic);
  }

  check(
    cluster: Pick<KafkaClusterRecord, 'id' | 'bootstrapServers' | 'schemaRegistryUrl' | 'credentials'>,
  ): Promise<void> {
    return this.inner.check(cluster);
  }

  /** Nest lifecycle: the wrapped catalog's Kafka clients close with the app (left open, they kept the process alive) */
  async onApplicationShutdown(): Promise<void> {
    await (this.inner as { onApplicationShutdown?: () => Promise<void> }).onApplicationShutdown?.();
  }
}
