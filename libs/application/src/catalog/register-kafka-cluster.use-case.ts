import { RiffleError } from '@riffle/domain';
import { newResourceId } from '../identity/credentials';
import type { IdentityRepository } from '../identity/identity.ports';
import type { Principal } from '../identity/principal';
import type { KafkaClusterRecord, KafkaClusterRepository, TopicCatalog } from './catalog.ports';

const invalid = (message: string) => new RiffleError('INVALID_KAFKA_CLUSTER', 'invalid', message);

/** Registers a Kafka cluster (a database of the environment's catalog) after checking it answers. */
export class RegisterKafkaCluster {
  constructor(
    private readonly identities: IdentityRepository,
    private readonly clusters: KafkaClusterRepository,
    private readonly catalog: TopicCatalog,
  ) {}

  async execute(
    principal: Principal,
    request: {
      display_name?: unknown;
      spec?: { environment?: { id?: unknown }; bootstrap_servers?: unknown; schema_registry_url?: unknown };
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
    const bootstrap = request.spec?.bootstrap_servers;
    if (
      typeof bootstrap !== 'string' ||
      !bootstrap.split(',').every((b) => /^[A-Za-z0-9.-]+:\d{1,5}$/.test(b.trim()))
    ) {
      throw invalid('spec.bootstrap_servers must be host:port[,host:port…].');
    }
    const registry = request.spec?.schema_registry_url;
    if (typeof registry !== 'string' || !/^https?:\/\/[^\s]+$/.test(registry)) {
      throw invalid(
        'spec.schema_registry_url must be the http(s) URL of a Confluent-compatible schema registry.',
      );
    }
    const cluster = { bootstrapServers: bootstrap.trim(), schemaRegistryUrl: registry.replace(/\/+$/, '') };
    try {
      await this.catalog.check(cluster);
    } catch (error) {
      throw new RiffleError(
        'KAFKA_CLUSTER_UNREACHABLE',
        'invalid',
        `The cluster did not answer: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    return this.clusters.insert({
      id: newResourceId('lkc'),
      organizationId: principal.organizationId,
      environmentId: environment.id,
      name,
      ...cluster,
    });
  }
}
