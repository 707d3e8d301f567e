import {
  type KafkaClusterRecord,
  type NewTopic,
  TopicCatalog,
  type TopicDescription,
} from '@riffle/application';
import { type RegistrySchema, RiffleError, type SchemaFormat } from '@riffle/domain';
import { type Admin, ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';

const REGISTRY_TIMEOUT_MS = 5_000;
/** the topic configs the catalog shows (SHOW CREATE TABLE, REST) */
const VISIBLE_CONFIGS = ['cleanup.policy', 'retention.ms', 'retention.bytes', 'max.message.bytes'];
/** Kafka's answers to a topic Riffle asked for that the user can fix */
const USER_ERRORS = new Set([
  'INVALID_CONFIG',
  'POLICY_VIOLATION',
  'INVALID_PARTITIONS',
  'INVALID_REPLICATION_FACTOR',
  'INVALID_TOPIC_EXCEPTION',
]);

interface SubjectVersion {
  schema: string;
  schemaType?: SchemaFormat;
  references?: { name: string; subject: string; version: number }[];
}

/**
 * Topics and their key/value schemas, read live from each registered cluster (kafkajs admin + the
 * Confluent schema registry API). Nothing is cached but the admin connection: metadata requests are
 * cheap, and a topic or schema created outside Riffle is visible at once (DESIGN §4, metadata sync).
 */
export class KafkaTopicCatalog extends TopicCatalog {
  private readonly admins = new Map<string, Promise<Admin>>();

  async listTopics(cluster: KafkaClusterRecord): Promise<string[]> {
    return this.withAdmin(cluster, (admin) => admin.listTopics());
  }

  async describeTopic(cluster: KafkaClusterRecord, topic: string): Promise<TopicDescription | undefined> {
    const found = await this.withAdmin(cluster, async (admin) => {
      // listTopics first: a metadata request naming a missing topic may auto-create it on some brokers
      if (!(await admin.listTopics()).includes(topic)) return undefined;
      const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
      const { resources } = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: VISIBLE_CONFIGS }],
      });
      const config = Object.fromEntries(
        (resources[0]?.configEntries ?? []).map((entry) => [entry.configName, entry.configValue]),
      );
      return { partitions: metadata.topics[0]?.partitions.length ?? 0, config };
    });
    if (!found) return undefined;
    const [keySchema, valueSchema] = await Promise.all([
      this.latestSchema(cluster, `${topic}-key`),
      this.latestSchema(cluster, `${topic}-value`),
    ]);
    return {
      partitions: found.partitions,
      compacted: (found.config['cleanup.policy'] ?? 'delete').split(',').includes('compact'),
      config: found.config,
      ...(keySchema ? { keySchema } : {}),
      ...(valueSchema ? { valueSchema } : {}),
    };
  }

  async createTopic(cluster: KafkaClusterRecord, topic: NewTopic): Promise<boolean> {
    return this.withAdmin(cluster, async (admin) => {
      try {
        return await admin.createTopics({
          waitForLeaders: true,
          topics: [
            {
              topic: topic.topic,
              numPartitions: topic.partitions,
              configEntries: Object.entries(topic.config).map(([name, value]) => ({ name, value })),
            },
          ],
        });
      } catch (error) {
        const refused = kafkaErrorsOf(error).find((e) => USER_ERRORS.has(e.type ?? ''));
        if (refused) {
          throw new RiffleError(
            'INVALID_TABLE_OPTION',
            'invalid',
            `Kafka refused the topic ${topic.topic}: ${refused.message}`,
            { topic: topic.topic },
          );
        }
        throw error;
      }
    });
  }

  async registerSchema(
    cluster: KafkaClusterRecord,
    subject: string,
    schema: RegistrySchema,
  ): Promise<number> {
    const response = await this.registry(
      cluster,
      'POST',
      `/subjects/${encodeURIComponent(subject)}/versions`,
      {
        schema: schema.schema,
        schemaType: schema.format,
        ...(schema.references?.length ? { references: schema.references } : {}),
      },
    );
    const body = (await response.json().catch(() => ({}))) as { id?: number; message?: string };
    if (response.ok && typeof body.id === 'number') return body.id;
    const said = body.message ?? `status ${response.status}`;
    if (response.status === 409) {
      throw new RiffleError(
        'SCHEMA_INCOMPATIBLE',
        'conflict',
        `The schema registry refused the new schema for ${subject}: it is incompatible with the subject's existing versions (${said}).`,
        { subject },
      );
    }
    if (response.status === 422 || response.status === 400) {
      throw new RiffleError(
        'SCHEMA_INVALID',
        'invalid',
        `The schema registry refused the schema for ${subject}: ${said}`,
        {
          subject,
        },
      );
    }
    throw registryUnavailable(`registering ${subject}`, response.status);
  }

  async deleteSubject(cluster: KafkaClusterRecord, subject: string): Promise<boolean> {
    const path = `/subjects/${encodeURIComponent(subject)}`;
    const soft = await this.registry(cluster, 'DELETE', path);
    if (soft.status === 404) return false;
    if (!soft.ok) throw registryUnavailable(`deleting ${subject}`, soft.status);
    const hard = await this.registry(cluster, 'DELETE', `${path}?permanent=true`);
    if (!hard.ok && hard.status !== 404) throw registryUnavailable(`deleting ${subject}`, hard.status);
    return true;
  }

  async deleteTopic(cluster: KafkaClusterRecord, topic: string): Promise<boolean> {
    return this.withAdmin(cluster, async (admin) => {
      if (!(await admin.listTopics()).includes(topic)) return false;
      await admin.deleteTopics({ topics: [topic] });
      return true;
    });
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
      signal: AbortSignal.timeout(REGISTRY_TIMEOUT_MS),
    });
    if (!response.ok) throw new Error(`schema registry answered ${response.status}`);
  }

  /** Nest lifecycle */
  async onApplicationShutdown(): Promise<void> {
    for (const admin of this.admins.values()) await (await admin.catch(() => undefined))?.disconnect();
  }

  private async latestSchema(
    cluster: KafkaClusterRecord,
    subject: string,
  ): Promise<RegistrySchema | undefined> {
    const response = await this.registry(
      cluster,
      'GET',
      `/subjects/${encodeURIComponent(subject)}/versions/latest`,
    );
    if (response.status === 404) return undefined;
    if (!response.ok) throw registryUnavailable(`reading ${subject}`, response.status);
    const body = (await response.json()) as SubjectVersion;
    return {
      format: body.schemaType ?? 'AVRO',
      schema: body.schema,
      ...(body.references?.length ? { references: body.references } : {}),
    };
  }

  private async registry(
    cluster: KafkaClusterRecord,
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    body?: unknown,
  ): Promise<Response> {
    try {
      return await fetch(`${cluster.schemaRegistryUrl}${path}`, {
        method,
        signal: AbortSignal.timeout(REGISTRY_TIMEOUT_MS),
        ...(body === undefined
          ? {}
          : {
              headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
              body: JSON.stringify(body),
            }),
      });
    } catch (error) {
      throw new RiffleError(
        'SCHEMA_REGISTRY_UNAVAILABLE',
        'unavailable',
        `The schema registry of Kafka cluster ${cluster.name} did not answer: ${(error as Error).message}`,
      );
    }
  }

  /** Kafka unreachable (connection, timeouts) is `unavailable`, so statements retry instead of failing. */
  private async withAdmin<T>(cluster: KafkaClusterRecord, work: (admin: Admin) => Promise<T>): Promise<T> {
    try {
      return await work(await this.admin(cluster.bootstrapServers));
    } catch (error) {
      if (error instanceof RiffleError) throw error;
      const name = (error as { name?: string }).name ?? '';
      if (/Connection|Timeout|NumberOfRetriesExceeded|BrokerNotFound|NonRetriable/.test(name)) {
        throw new RiffleError(
          'KAFKA_UNAVAILABLE',
          'unavailable',
          `Kafka cluster ${cluster.name} did not answer: ${(error as Error).message}`,
        );
      }
      throw error;
    }
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
}

function kafkaErrorsOf(error: unknown): { type?: string; message: string }[] {
  const nested = (error as { errors?: unknown }).errors;
  const all = Array.isArray(nested) ? [error, ...nested] : [error];
  return all.map((e) => ({ type: (e as { type?: string }).type, message: (e as Error).message }));
}

function registryUnavailable(what: string, status: number): RiffleError {
  return new RiffleError(
    'SCHEMA_REGISTRY_UNAVAILABLE',
    'unavailable',
    `The schema registry answered ${status} when ${what}.`,
  );
}
