import { type Endpoint, parseEndpoint, parseRegistryUrl, RiffleError } from '@riffle/domain';
import { newResourceId } from '../identity/credentials';
import type { IdentityRepository } from '../identity/identity.ports';
import type { Principal } from '../identity/principal';
import type {
  ClusterCredentials,
  EgressGuard,
  KafkaClusterRecord,
  KafkaClusterRepository,
  TopicCatalog,
} from './catalog.ports';

/** databases (its logical cluster included) an environment may have */
export const MAX_CLUSTERS_PER_ENVIRONMENT = 20;

const invalid = (message: string) => new RiffleError('INVALID_KAFKA_CLUSTER', 'invalid', message);

/**
 * Registers a Kafka cluster (a database of the environment's catalog) after checking that Riffle may
 * connect to every address it names (the egress policy) and that it answers. What did not answer, and
 * why, stays in Riffle's logs: the tenant learns only that the cluster did not answer, never which of
 * its addresses were closed ports, other services or timeouts.
 */
export class RegisterKafkaCluster {
  constructor(
    private readonly identities: IdentityRepository,
    private readonly clusters: KafkaClusterRepository,
    private readonly catalog: TopicCatalog,
    private readonly egress: EgressGuard,
    private readonly log: (message: string, error: unknown) => void = () => undefined,
  ) {}

  async execute(
    principal: Principal,
    request: {
      display_name?: unknown;
      spec?: {
        environment?: { id?: unknown };
        bootstrap_servers?: unknown;
        schema_registry_url?: unknown;
        sasl?: unknown;
        tls?: unknown;
        schema_registry_auth?: unknown;
      };
    },
  ): Promise<KafkaClusterRecord> {
    const name = request?.display_name;
    if (typeof name !== 'string' || !/^[A-Za-z0-9_.-]{1,128}$/.test(name)) {
      throw invalid(
        'display_name must be 1-128 letters, digits, dots, dashes or underscores (it becomes the database name).',
      );
    }
    const environmentId = request.spec?.environment?.id;
    const environment =
      typeof environmentId === 'string'
        ? await this.identities.findEnvironment(principal.organizationId, environmentId)
        : undefined;
    if (!environment)
      throw new RiffleError('ENVIRONMENT_NOT_FOUND', 'not_found', 'No such organization or environment.');
    // each registered cluster keeps a Kafka client of its own in Riffle's catalog: a tenant gets a bounded few
    const registered = await this.clusters.list(principal.organizationId, environment.id);
    if (registered.length >= MAX_CLUSTERS_PER_ENVIRONMENT) {
      throw new RiffleError(
        'KAFKA_CLUSTER_QUOTA_EXCEEDED',
        'quota',
        `This environment already has ${MAX_CLUSTERS_PER_ENVIRONMENT} databases, its quota; register the cluster in another environment.`,
      );
    }
    const raw = request.spec?.bootstrap_servers;
    const brokers = typeof raw === 'string' ? raw.split(',').map((b) => parseEndpoint(b)) : [];
    if (brokers.length === 0 || brokers.length > 32 || brokers.some((b) => b === undefined)) {
      throw invalid('spec.bootstrap_servers must be host:port[,host:port…] (at most 32).');
    }
    const registryRaw = request.spec?.schema_registry_url;
    const registry = typeof registryRaw === 'string' ? parseRegistryUrl(registryRaw) : undefined;
    if (!registry) {
      throw invalid(
        'spec.schema_registry_url must be the http(s) URL of a Confluent-compatible schema registry, ' +
          'without user info, query or fragment.',
      );
    }
    const credentials = parseCredentials(request.spec ?? {});
    const endpoints = brokers as Endpoint[];
    await this.egress.check([...endpoints, registry.endpoint]);
    const cluster = {
      id: newResourceId('lkc'),
      ...(credentials ? { credentials } : {}),
      bootstrapServers: endpoints
        .map((b) => (b.host.includes(':') ? `[${b.host}]:${b.port}` : `${b.host}:${b.port}`))
        .join(','),
      schemaRegistryUrl: registry.url,
    };
    try {
      await this.catalog.check(cluster);
    } catch (error) {
      if (error instanceof RiffleError && error.code === 'EGRESS_NOT_ALLOWED') throw error;
      this.log(`cluster ${cluster.bootstrapServers} / ${cluster.schemaRegistryUrl} did not answer`, error);
      throw new RiffleError(
        'KAFKA_CLUSTER_UNREACHABLE',
        'invalid',
        'The cluster did not answer as Kafka with a Confluent-compatible schema registry at the given addresses.',
      );
    }
    return this.clusters.insert({
      organizationId: principal.organizationId,
      environmentId: environment.id,
      name,
      kind: 'external',
      ...cluster,
    });
  }
}

const MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
/** printable, no control characters: it goes into a JAAS config and an HTTP header */
const text = (value: unknown, max: number): value is string =>
  typeof value === 'string' &&
  value.length >= 1 &&
  value.length <= max &&
  ![...value].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);

/** `spec.sasl`, `spec.tls` and `spec.schema_registry_auth`, all optional; undefined when none is given */
function parseCredentials(spec: {
  sasl?: unknown;
  tls?: unknown;
  schema_registry_auth?: unknown;
}): ClusterCredentials | undefined {
  const credentials: ClusterCredentials = {};
  if (spec.sasl !== undefined) {
    const sasl = spec.sasl;
    if (
      !isObject(sasl) ||
      !MECHANISMS.includes(sasl.mechanism as never) ||
      !text(sasl.username, 256) ||
      !text(sasl.password, 1024)
    ) {
      throw invalid(
        `spec.sasl must be {"mechanism": ${MECHANISMS.map((m) => `"${m}"`).join('|')}, "username", "password"} ` +
          '(1-256 and 1-1024 printable characters).',
      );
    }
    credentials.sasl = {
      mechanism: sasl.mechanism as (typeof MECHANISMS)[number],
      username: sasl.username,
      password: sasl.password,
    };
  }
  if (spec.tls !== undefined) {
    if (typeof spec.tls !== 'boolean') throw invalid('spec.tls must be true or false.');
    if (spec.tls) credentials.tls = true;
  }
  if (spec.schema_registry_auth !== undefined) {
    const auth = spec.schema_registry_auth;
    if (
      !isObject(auth) ||
      !text(auth.username, 256) ||
      !text(auth.password, 1024) ||
      auth.username.includes(':')
    ) {
      throw invalid(
        'spec.schema_registry_auth must be {"username", "password"} (printable, the username without ":").',
      );
    }
    credentials.registry = { username: auth.username, password: auth.password };
  }
  return Object.keys(credentials).length ? credentials : undefined;
}
