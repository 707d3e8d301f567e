import type { Endpoint, RegistrySchema, TableSettings } from '@riffle/domain';

export interface KafkaClusterRecord {
  id: string;
  organizationId: string;
  environmentId: string;
  name: string;
  /**
   * `logical`: an environment's own database on the platform Kafka, its topics under a hidden prefix
   * (logical-clusters.ts); `external`: a cluster the tenant registered
   */
  kind: 'logical' | 'external';
  /** where Riffle's own clients reach it (a logical cluster: the platform's, from configuration) */
  bootstrapServers: string;
  schemaRegistryUrl: string;
  /** an external cluster's logins, decrypted (stored encrypted; never shown, logged or traced) */
  credentials?: ClusterCredentials;
  createdAt: Date;
}

export interface ClusterCredentials {
  /** the SASL login of Riffle's clients and of the cluster's Flink jobs */
  sasl?: { mechanism: 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512'; username: string; password: string };
  /** TLS to the brokers (with SASL: SASL_SSL) */
  tls?: boolean;
  /** HTTP basic auth to the schema registry */
  registry?: { username: string; password: string };
}

/** Kafka clusters registered per environment: each is a Flink database of the environment's catalog. */
export abstract class KafkaClusterRepository {
  /** throws RiffleError KAFKA_CLUSTER_EXISTS on a duplicate name in the environment */
  abstract insert(cluster: Omit<KafkaClusterRecord, 'createdAt'>): Promise<KafkaClusterRecord>;
  abstract list(organizationId: string, environmentId: string): Promise<KafkaClusterRecord[]>;
  /** what ALTER TABLE stored with a cluster's table (watermark, scan options); undefined when nothing */
  abstract findTableSettings(clusterId: string, topic: string): Promise<TableSettings | undefined>;
  /** stores a table's settings, replacing what was there; settings holding nothing remove the row */
  abstract saveTableSettings(clusterId: string, topic: string, settings: TableSettings): Promise<void>;
}

/** A topic as the catalog sees it: partitions, cleanup policy and the `<topic>-key`/`-value` subjects' latest schemas. */
export interface TopicDescription {
  partitions: number;
  /** cleanup.policy includes compact */
  compacted: boolean;
  /** the topic configs users may see and set: cleanup.policy, retention.ms, retention.bytes, max.message.bytes */
  config: Record<string, string>;
  keySchema?: RegistrySchema;
  valueSchema?: RegistrySchema;
  /** where keySchema / valueSchema come from: the subject's latest version and its global id */
  keySubject?: SubjectVersion;
  valueSubject?: SubjectVersion;
}

export interface SubjectVersion {
  subject: string;
  version: number;
  id: number;
}

export interface NewTopic {
  topic: string;
  partitions: number;
  /** topic configs, e.g. cleanup.policy, retention.ms */
  config: Record<string, string>;
}

/**
 * One Kafka cluster and its schema registry. Reads may be served from a short-lived cache (about a second,
 * DESIGN §4 metadata sync), so a topic or schema created outside Riffle shows up within seconds; the
 * adapter's own changes invalidate what they touch. Errors the user can fix are RiffleErrors of kind
 * `invalid`/`conflict`; an unreachable cluster is `unavailable`, so the caller retries.
 */
export abstract class TopicCatalog {
  /** every topic of the cluster, internal ones included */
  abstract listTopics(cluster: KafkaClusterRecord): Promise<string[]>;
  /** whether the topic exists; a topic missing from a cached list is looked up live, so DDL can trust a false */
  abstract topicExists(cluster: KafkaClusterRecord, topic: string): Promise<boolean>;
  /** undefined when the topic does not exist */
  abstract describeTopic(cluster: KafkaClusterRecord, topic: string): Promise<TopicDescription | undefined>;
  /** false when the topic already exists; bad configs are RiffleError INVALID_TABLE_OPTION */
  abstract createTopic(cluster: KafkaClusterRecord, topic: NewTopic): Promise<boolean>;
  /**
   * Registers a schema under a subject and answers its id (the existing id for a schema already there).
   * Throws RiffleError SCHEMA_INCOMPATIBLE (the subject's compatibility refuses it) or SCHEMA_INVALID.
   */
  abstract registerSchema(
    cluster: KafkaClusterRecord,
    subject: string,
    schema: RegistrySchema,
  ): Promise<number>;
  /** deletes the subject with all its versions (soft, then permanently); false when there was none */
  abstract deleteSubject(cluster: KafkaClusterRecord, subject: string): Promise<boolean>;
  /**
   * Sets (value a string) or resets to the broker default (value null) topic configs, e.g. retention.ms;
   * false when the topic does not exist. Configs Kafka refuses are RiffleError INVALID_TABLE_OPTION.
   */
  abstract alterTopicConfig(
    cluster: KafkaClusterRecord,
    topic: string,
    changes: Record<string, string | null>,
  ): Promise<boolean>;
  /** false when the topic does not exist */
  abstract deleteTopic(cluster: KafkaClusterRecord, topic: string): Promise<boolean>;
  /** a cluster answers: brokers reachable and the registry answers */
  abstract check(
    cluster: Pick<KafkaClusterRecord, 'id' | 'bootstrapServers' | 'schemaRegistryUrl' | 'credentials'>,
  ): Promise<void>;
}

/**
 * Where Riffle may connect on a tenant's behalf (domain egress-policy): checked when a cluster is
 * registered, so a tenant cannot point Riffle at the platform's own services or internal addresses.
 */
export abstract class EgressGuard {
  /** resolves and checks each endpoint; throws RiffleError EGRESS_NOT_ALLOWED naming only what was given */
  abstract check(endpoints: readonly Endpoint[]): Promise<void>;
}
