import {
  type ClusterCredentials,
  type KafkaClusterRecord,
  type NewTopic,
  type SubjectVersion,
  TopicCatalog,
  type TopicDescription,
  TtlCache,
} from '@riffle/application';
import { type EgressPolicy, type RegistrySchema, RiffleError, type SchemaFormat } from '@riffle/domain';
import { inSpan, SpanKind } from '@riffle/observability';
import {
  BrokenCircuitError,
  type CircuitBreakerPolicy,
  circuitBreaker,
  ConsecutiveBreaker,
  handleWhen,
} from 'cockatiel';
import { type Admin, ConfigResourceTypes, type ISocketFactory, Kafka, logLevel } from 'kafkajs';
import type { Dispatcher } from 'undici';
import { createTopicsWithLeaders } from './create-topics';
import { kafkaLogin } from './kafka.probes';
import { egressDispatcher, egressSocketFactory } from './egress-guard';

const REGISTRY_TIMEOUT_MS = 5_000;
/**
 * A catalog read against a broker that is down: kafkajs' default retries (5, growing to 30 s) kept a
 * SHOW TABLES waiting about 10 s for its 503. Two quick retries ride out a broker's hiccup; after three
 * calls without an answer the cluster's circuit opens and reads fail at once for KAFKA_BREAKER.openMs.
 */
const ADMIN_RETRY = { retries: 2, initialRetryTime: 250, maxRetryTime: 1_000 };
export const KAFKA_BREAKER = { consecutiveFailures: 3, openMs: 5_000 };
const SCOPE = '@riffle/kafka';
/** the topic configs the catalog shows (SHOW CREATE TABLE, REST) */
const VISIBLE_CONFIGS = ['cleanup.policy', 'retention.ms', 'retention.bytes', 'max.message.bytes'];
/** DescribeConfigs' config source of a value set on the topic itself (DYNAMIC_TOPIC_CONFIG) */
const TOPIC_CONFIG_SOURCE = 1;
/** Kafka's answers to a topic Riffle asked for that the user can fix */
const USER_ERRORS = new Set([
  'INVALID_CONFIG',
  'POLICY_VIOLATION',
  'INVALID_PARTITIONS',
  'INVALID_REPLICATION_FACTOR',
  'INVALID_TOPIC_EXCEPTION',
]);

interface RegistryVersion {
  subject?: string;
  version?: number;
  id?: number;
  schema: string;
  schemaType?: SchemaFormat;
  references?: { name: string; subject: string; version: number }[];
}

interface LatestSchema {
  schema: RegistrySchema;
  version: SubjectVersion;
}

export interface KafkaTopicCatalogOptions {
  /**
   * How long a topic list, a topic's partitions and configs and a subject's latest version are reused
   * (0: never). Short, so that topics and schema versions made outside Riffle appear within seconds.
   */
  cacheTtlMs?: number;
  /** entries per cache, oldest dropped first */
  cacheMaxEntries?: number;
  /**
   * Where tenants' clusters may send Riffle: every broker socket (bootstrap and advertised) and every
   * registry call is checked at connect time. Left out only by trusted tools (benchmarks).
   */
  egress?: EgressPolicy;
}

export const DEFAULT_CATALOG_CACHE_TTL_MS = 1_000;
const DEFAULT_CACHE_MAX_ENTRIES = 10_000;

/**
 * Topics and their key/value schemas, read from each registered cluster (kafkajs admin + the Confluent
 * schema registry API) through a short TTL cache (DESIGN §4, metadata sync): a topic list, a topic's
 * partitions and configs and a subject's latest version are reused for about a second, so describing many
 * tables in a burst costs one topic listing, and a topic or schema made outside Riffle shows up within
 * seconds. A topic missing from a cached list is looked up again before it is reported missing. Riffle's
 * own changes (create, alter, delete, register) drop what they touch from this instance's cache.
 */
export class KafkaTopicCatalog extends TopicCatalog {
  private readonly admins = new Map<string, Promise<Admin>>();
  private readonly breakers = new Map<string, CircuitBreakerPolicy>();
  private readonly topicLists: TtlCache<string[]>;
  private readonly topicDetails: TtlCache<{ partitions: number; config: Record<string, string> }>;
  private readonly latestVersions: TtlCache<LatestSchema | undefined>;
  private readonly socketFactory: ISocketFactory | undefined;
  private readonly dispatcher: Dispatcher | undefined;

  constructor(options: KafkaTopicCatalogOptions = {}) {
    super();
    this.socketFactory = options.egress && egressSocketFactory(options.egress);
    this.dispatcher = options.egress && egressDispatcher(options.egress);
    const ttl = options.cacheTtlMs ?? DEFAULT_CATALOG_CACHE_TTL_MS;
    const max = options.cacheMaxEntries ?? DEFAULT_CACHE_MAX_ENTRIES;
    this.topicLists = new TtlCache(ttl, 100);
    this.topicDetails = new TtlCache(ttl, max);
    this.latestVersions = new TtlCache(ttl, max);
  }

  async listTopics(cluster: KafkaClusterRecord): Promise<string[]> {
    const topics = await this.topicLists.get(cluster.bootstrapServers, () =>
      this.withAdmin(cluster, 'list topics', (admin) => admin.listTopics()),
    );
    return [...topics];
  }

  /** forgets every cached answer (the bench measures cold reads with it) */
  clearCache(): void {
    this.topicLists.clear();
    this.topicDetails.clear();
    this.latestVersions.clear();
  }

  async describeTopic(cluster: KafkaClusterRecord, topic: string): Promise<TopicDescription | undefined> {
    // the registry and Kafka answer in parallel: a cold read costs the slower of them, not their sum
    const schemas = Promise.all([
      this.latestSchema(cluster, `${topic}-key`),
      this.latestSchema(cluster, `${topic}-value`),
    ]);
    schemas.catch(() => undefined); // awaited below, unless the topic is missing
    // the topic list before any metadata request naming the topic: on some brokers that auto-creates it
    if (!(await this.topicExists(cluster, topic))) return undefined;
    const [found, [key, value]] = await Promise.all([
      this.topicDetails.get(`${cluster.bootstrapServers}\u0000${topic}`, () =>
        this.fetchTopicDetails(cluster, topic),
      ),
      schemas,
    ]);
    return {
      partitions: found.partitions,
      compacted: (found.config['cleanup.policy'] ?? 'delete').split(',').includes('compact'),
      config: found.config,
      ...(key ? { keySchema: key.schema, keySubject: key.version } : {}),
      ...(value ? { valueSchema: value.schema, valueSubject: value.version } : {}),
    };
  }

  /** in the cached list, else in a fresh one: a topic just created elsewhere is never reported missing */
  async topicExists(cluster: KafkaClusterRecord, topic: string): Promise<boolean> {
    if ((await this.listTopics(cluster)).includes(topic)) return true;
    this.topicLists.delete(cluster.bootstrapServers);
    return (await this.listTopics(cluster)).includes(topic);
  }

  private fetchTopicDetails(
    cluster: KafkaClusterRecord,
    topic: string,
  ): Promise<{ partitions: number; config: Record<string, string> }> {
    return this.withAdmin(cluster, 'describe topic', async (admin) => {
      const [metadata, { resources }] = await Promise.all([
        admin.fetchTopicMetadata({ topics: [topic] }),
        admin.describeConfigs({
          includeSynonyms: false,
          resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: VISIBLE_CONFIGS }],
        }),
      ]);
      const config = Object.fromEntries(
        (resources[0]?.configEntries ?? []).map((entry) => [entry.configName, entry.configValue]),
      );
      return { partitions: metadata.topics[0]?.partitions.length ?? 0, config };
    });
  }

  async createTopic(cluster: KafkaClusterRecord, topic: NewTopic): Promise<boolean> {
    this.forgetTopic(cluster, topic.topic);
    return this.withAdmin(cluster, 'create topic', async (admin) => {
      try {
        return await createTopicsWithLeaders(admin, [
          {
            topic: topic.topic,
            numPartitions: topic.partitions,
            configEntries: Object.entries(topic.config).map(([name, value]) => ({ name, value })),
          },
        ]);
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
      } finally {
        this.forgetTopic(cluster, topic.topic);
      }
    });
  }

  async alterTopicConfig(
    cluster: KafkaClusterRecord,
    topic: string,
    changes: Record<string, string | null>,
  ): Promise<boolean> {
    if (!(await this.topicExists(cluster, topic))) return false;
    return this.withAdmin(cluster, 'alter topic config', async (admin) => {
      try {
        // kafkajs speaks the non-incremental AlterConfigs only, which replaces the topic's whole config:
        // send what the topic has set now with the changes applied (a concurrent change may be lost)
        const { resources } = await admin.describeConfigs({
          includeSynonyms: false,
          resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }],
        });
        const configs = new Map<string, string>();
        for (const entry of resources[0]?.configEntries ?? []) {
          const source = (entry as { configSource?: number }).configSource;
          if (source === TOPIC_CONFIG_SOURCE && entry.configValue !== null)
            configs.set(entry.configName, entry.configValue);
        }
        for (const [name, value] of Object.entries(changes)) {
          if (value === null) configs.delete(name);
          else configs.set(name, value);
        }
        await admin.alterConfigs({
          validateOnly: false,
          resources: [
            {
              type: ConfigResourceTypes.TOPIC,
              name: topic,
              configEntries: [...configs].map(([name, value]) => ({ name, value })),
            },
          ],
        });
        return true;
      } catch (error) {
        const refused = kafkaErrorsOf(error).find((e) => USER_ERRORS.has(e.type ?? ''));
        if (refused) {
          throw new RiffleError(
            'INVALID_TABLE_OPTION',
            'invalid',
            `Kafka refused the configs of topic ${topic}: ${refused.message}`,
            { topic },
          );
        }
        throw error;
      } finally {
        this.topicDetails.delete(`${cluster.bootstrapServers}\u0000${topic}`);
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
    this.latestVersions.delete(`${cluster.schemaRegistryUrl}\u0000${subject}`);
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
    this.latestVersions.delete(`${cluster.schemaRegistryUrl}\u0000${subject}`);
    const soft = await this.registry(cluster, 'DELETE', path);
    if (soft.status === 404) return false;
    if (!soft.ok) throw registryUnavailable(`deleting ${subject}`, soft.status);
    const hard = await this.registry(cluster, 'DELETE', `${path}?permanent=true`);
    if (!hard.ok && hard.status !== 404) throw registryUnavailable(`deleting ${subject}`, hard.status);
    return true;
  }

  async deleteTopic(cluster: KafkaClusterRecord, topic: string): Promise<boolean> {
    this.forgetTopic(cluster, topic);
    return this.withAdmin(cluster, 'delete topic', async (admin) => {
      if (!(await admin.listTopics()).includes(topic)) return false;
      try {
        await admin.deleteTopics({ topics: [topic] });
      } finally {
        this.forgetTopic(cluster, topic);
      }
      return true;
    });
  }

  private forgetTopic(cluster: KafkaClusterRecord, topic: string): void {
    this.topicLists.delete(cluster.bootstrapServers);
    this.topicDetails.delete(`${cluster.bootstrapServers}\u0000${topic}`);
  }

  async check(
    cluster: Pick<KafkaClusterRecord, 'id' | 'bootstrapServers' | 'schemaRegistryUrl' | 'credentials'>,
  ): Promise<void> {
    const kafka = new Kafka({
      clientId: 'riffle-cluster-check',
      brokers: cluster.bootstrapServers.split(','),
      logLevel: logLevel.NOTHING,
      connectionTimeout: 3_000,
      retry: { retries: 1 },
      ...(this.socketFactory ? { socketFactory: this.socketFactory } : {}),
      ...kafkaLogin(cluster.credentials),
    });
    const admin = kafka.admin();
    try {
      await admin.connect();
      await admin.describeCluster();
    } finally {
      await admin.disconnect();
    }
    const response = await fetch(`${cluster.schemaRegistryUrl}/subjects`, {
      ...this.fetchOptions(true),
      headers: registryAuth(cluster.credentials),
    });
    if (!response.ok) throw new Error(`schema registry answered ${response.status}`);
  }

  /** a registry call: bounded in time, never following a redirect, a tenant's only where egress allows */
  private fetchOptions(guarded: boolean): RequestInit {
    return {
      signal: AbortSignal.timeout(REGISTRY_TIMEOUT_MS),
      redirect: 'error',
      ...(guarded && this.dispatcher ? ({ dispatcher: this.dispatcher } as object) : {}),
    };
  }

  /** Nest lifecycle */
  async onApplicationShutdown(): Promise<void> {
    await this.dispatcher?.close().catch(() => undefined);
    for (const admin of this.admins.values()) await (await admin.catch(() => undefined))?.disconnect();
  }

  private latestSchema(cluster: KafkaClusterRecord, subject: string): Promise<LatestSchema | undefined> {
    return this.latestVersions.get(`${cluster.schemaRegistryUrl}\u0000${subject}`, () =>
      this.fetchLatestSchema(cluster, subject),
    );
  }

  private async fetchLatestSchema(
    cluster: KafkaClusterRecord,
    subject: string,
  ): Promise<LatestSchema | undefined> {
    const response = await this.registry(
      cluster,
      'GET',
      `/subjects/${encodeURIComponent(subject)}/versions/latest`,
    );
    if (response.status === 404) return undefined;
    if (!response.ok) throw registryUnavailable(`reading ${subject}`, response.status);
    const body = (await response.json()) as RegistryVersion;
    return {
      schema: {
        format: body.schemaType ?? 'AVRO',
        schema: body.schema,
        ...(body.references?.length ? { references: body.references } : {}),
      },
      version: { subject, version: body.version ?? 0, id: body.id ?? 0 },
    };
  }

  /** one CLIENT span per call, e.g. `schema-registry GET /subjects/:subject/versions/latest` */
  private registry(
    cluster: KafkaClusterRecord,
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    body?: unknown,
  ): Promise<Response> {
    const template = path.split('?')[0]!.replace(/^\/subjects\/[^/]+/, '/subjects/:subject');
    return inSpan(
      SCOPE,
      `schema-registry ${method} ${template}`,
      { kind: SpanKind.CLIENT, attributes: { 'http.request.method': method, 'url.template': template } },
      async (span) => {
        const response = await this.callRegistry(cluster, method, path, body);
        span.setAttribute('http.response.status_code', response.status);
        return response;
      },
    );
  }

  private async callRegistry(
    cluster: KafkaClusterRecord,
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    body: unknown,
  ): Promise<Response> {
    try {
      return await fetch(`${cluster.schemaRegistryUrl}${path}`, {
        ...this.fetchOptions(cluster.kind !== 'logical'),
        method,
        headers: {
          ...registryAuth(cluster.credentials),
          ...(body === undefined ? {} : { 'content-type': 'application/vnd.schemaregistry.v1+json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      throw new RiffleError(
        'SCHEMA_REGISTRY_UNAVAILABLE',
        'unavailable',
        `The schema registry of Kafka cluster ${cluster.name} did not answer: ${(error as Error).message}`,
      );
    }
  }

  /**
   * One admin operation in a CLIENT span `kafka <operation>`. Kafka unreachable (connection, timeouts)
   * is `unavailable`, so statements retry instead of failing.
   */
  private withAdmin<T>(
    cluster: KafkaClusterRecord,
    operation: string,
    work: (admin: Admin) => Promise<T>,
  ): Promise<T> {
    return inSpan(
      SCOPE,
      `kafka ${operation}`,
      {
        kind: SpanKind.CLIENT,
        attributes: { 'messaging.system': 'kafka', 'riffle.kafka.cluster_id': cluster.id },
      },
      () => this.adminCall(cluster, work),
    );
  }

  private async adminCall<T>(cluster: KafkaClusterRecord, work: (admin: Admin) => Promise<T>): Promise<T> {
    try {
      return await this.breakerFor(cluster.bootstrapServers).execute(() => this.adminCallOnce(cluster, work));
    } catch (error) {
      if (!(error instanceof BrokenCircuitError)) throw error;
      throw new RiffleError(
        'KAFKA_UNAVAILABLE',
        'unavailable',
        `Kafka cluster ${cluster.name} did not answer the last ${KAFKA_BREAKER.consecutiveFailures} calls; retry in ${KAFKA_BREAKER.openMs / 1000} s.`,
        { circuit: 'open' },
      );
    }
  }

  /** one circuit per bootstrap list: only "no answer" counts against it, never a refusal Kafka gave */
  private breakerFor(bootstrapServers: string): CircuitBreakerPolicy {
    let breaker = this.breakers.get(bootstrapServers);
    if (!breaker) {
      breaker = circuitBreaker(
        handleWhen((error) => error instanceof RiffleError && error.code === 'KAFKA_UNAVAILABLE'),
        {
          halfOpenAfter: KAFKA_BREAKER.openMs,
          breaker: new ConsecutiveBreaker(KAFKA_BREAKER.consecutiveFailures),
        },
      );
      this.breakers.set(bootstrapServers, breaker);
    }
    return breaker;
  }

  private async adminCallOnce<T>(
    cluster: KafkaClusterRecord,
    work: (admin: Admin) => Promise<T>,
  ): Promise<T> {
    try {
      return await work(await this.admin(cluster));
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

  /**
   * One admin client per cluster address and kind: a logical cluster is the platform's own Kafka, reached
   * as configured; an external one only where the egress policy allows.
   */
  private admin(cluster: KafkaClusterRecord): Promise<Admin> {
    const { bootstrapServers } = cluster;
    const guarded = cluster.kind !== 'logical' && this.socketFactory;
    // an external cluster's client logs in as that cluster's registration says: one per cluster
    const key =
      cluster.kind === 'logical' ? `platform|${bootstrapServers}` : `${cluster.id}|${bootstrapServers}`;
    let admin = this.admins.get(key);
    if (!admin) {
      const client = new Kafka({
        clientId: 'riffle-catalog',
        brokers: bootstrapServers.split(','),
        logLevel: logLevel.NOTHING,
        connectionTimeout: 3_000,
        retry: ADMIN_RETRY,
        ...(guarded ? { socketFactory: guarded } : {}),
        ...kafkaLogin(cluster.credentials),
      }).admin();
      admin = client.connect().then(() => client);
      admin.catch(() => this.admins.delete(key));
      this.admins.set(key, admin);
    }
    return admin;
  }
}

/** HTTP basic auth to a registered cluster's schema registry, when its registration gave one */
function registryAuth(credentials: ClusterCredentials | undefined): Record<string, string> {
  const auth = credentials?.registry;
  return auth
    ? { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` }
    : {};
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
