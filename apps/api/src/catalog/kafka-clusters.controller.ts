import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBasicAuth, ApiTags } from '@nestjs/swagger';
import {
  KafkaClusterRepository,
  type KafkaClusterRecord,
  type Principal,
  RegisterKafkaCluster,
} from '@riffle/application';
import { CurrentPrincipal, RequirePermission } from '../auth/api-key.guard';

const present = (c: KafkaClusterRecord) => ({
  api_version: 'cmk/v2',
  kind: 'Cluster',
  id: c.id,
  display_name: c.name,
  metadata: { self: `/cmk/v2/clusters/${c.id}`, created_at: c.createdAt.toISOString() },
  spec: {
    environment: { id: c.environmentId },
    // a logical cluster lives on the platform's Kafka: its addresses are Riffle's business
    kind: c.kind === 'logical' ? 'LOGICAL' : 'EXTERNAL',
    ...(c.kind === 'logical'
      ? {}
      : {
          bootstrap_servers: c.bootstrapServers,
          schema_registry_url: c.schemaRegistryUrl,
          tls: c.credentials?.tls === true,
          // who Riffle logs in as, never with what: passwords are write-only
          ...(c.credentials?.sasl
            ? { sasl: { mechanism: c.credentials.sasl.mechanism, username: c.credentials.sasl.username } }
            : {}),
          ...(c.credentials?.registry
            ? { schema_registry_auth: { username: c.credentials.registry.username } }
            : {}),
        }),
  },
});

/** Kafka clusters of an environment: each is a database of the environment's Flink catalog. */
@ApiTags('kafka clusters')
@ApiBasicAuth()
@Controller('cmk/v2/clusters')
export class KafkaClustersController {
  constructor(
    private readonly register: RegisterKafkaCluster,
    private readonly clusters: KafkaClusterRepository,
  ) {}

  @Post()
  @RequirePermission(
    'cluster.manage',
    (r) => (r.body as { spec?: { environment?: { id?: unknown } } })?.spec?.environment?.id,
  )
  @HttpCode(201)
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: Parameters<RegisterKafkaCluster['execute']>[1],
  ) {
    return present(await this.register.execute(principal, body));
  }

  @Get()
  @RequirePermission('cluster.read', (r) => r.query.environment)
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query('environment') environment: string | undefined,
  ) {
    const clusters =
      typeof environment === 'string' ? await this.clusters.list(principal.organizationId, environment) : [];
    return { api_version: 'cmk/v2', kind: 'ClusterList', data: clusters.map(present) };
  }
}
