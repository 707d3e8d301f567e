import { createHmac } from 'node:crypto';
import {
  type KafkaClusterRecord,
  type KafkaLogin,
  LogicalClusterLogins,
  topicPrefixOf,
} from '@riffle/application';
import { RiffleError } from '@riffle/domain';
import {
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  type Kafka,
  ResourcePatternTypes,
} from 'kafkajs';
import { upsertScramCredential } from './scram-credentials';

export interface LogicalClusterLoginOptions {
  /** RIFFLE_SECRETS_KEY: each logical cluster's password is derived from it, so none is stored */
  secretsKey: Buffer;
  /** the listener tenants' Flink jobs log in to */
  bootstrapServers: string[];
  securityProtocol: KafkaLogin['securityProtocol'];
}

/** what a logical cluster's principal may do, all on resources under its prefix */
const GRANTS: [AclResourceTypes, AclOperationTypes[]][] = [
  [
    AclResourceTypes.TOPIC,
    [
      AclOperationTypes.READ,
      AclOperationTypes.WRITE,
      AclOperationTypes.DESCRIBE,
      AclOperationTypes.DESCRIBE_CONFIGS,
    ],
  ],
  [AclResourceTypes.GROUP, [AclOperationTypes.READ, AclOperationTypes.DESCRIBE]],
  [AclResourceTypes.TRANSACTIONAL_ID, [AclOperationTypes.WRITE, AclOperationTypes.DESCRIBE]],
];

/**
 * Each logical cluster's own principal on the platform Kafka: a SCRAM-SHA-512 user named after the
 * cluster, with PREFIXED allow ACLs on its topics, consumer groups and transactional ids and nothing
 * else (the broker runs an authorizer that denies what no ACL allows). Made through Riffle's platform
 * client on first use in a process; making it again is harmless (same password, same ACLs).
 */
export class KafkaLogicalClusterLogins extends LogicalClusterLogins {
  private readonly ensured = new Map<string, Promise<void>>();

  constructor(
    private readonly platform: Kafka,
    private readonly options: LogicalClusterLoginOptions,
  ) {
    super();
  }

  async loginFor(cluster: KafkaClusterRecord): Promise<KafkaLogin> {
    if (cluster.kind !== 'logical') throw new Error(`${cluster.id} is not a logical cluster`);
    const login: KafkaLogin = {
      bootstrapServers: this.options.bootstrapServers.join(','),
      securityProtocol: this.options.securityProtocol,
      mechanism: 'SCRAM-SHA-512',
      username: cluster.id,
      password: createHmac('sha256', this.options.secretsKey)
        .update(`kafka-login:${cluster.id}`)
        .digest('base64url'),
    };
    let ensured = this.ensured.get(cluster.id);
    if (!ensured) {
      ensured = this.ensure(login, topicPrefixOf(cluster));
      this.ensured.set(cluster.id, ensured);
      ensured.catch(() => this.ensured.delete(cluster.id));
    }
    try {
      await ensured;
    } catch (error) {
      // retried by the statement's next reconcile (or the caller's next try)
      throw new RiffleError(
        'KAFKA_UNAVAILABLE',
        'unavailable',
        `The Kafka login of database ${cluster.name} could not be made: ${(error as Error).message}`,
      );
    }
    return login;
  }

  private async ensure(login: KafkaLogin, prefix: string): Promise<void> {
    await upsertScramCredential(this.platform, login.username, login.password);
    const admin = this.platform.admin();
    await admin.connect();
    try {
      await admin.createAcls({
        acl: GRANTS.flatMap(([resourceType, operations]) =>
          operations.map((operation) => ({
            resourceType,
            resourceName: prefix,
            resourcePatternType: ResourcePatternTypes.PREFIXED,
            principal: `User:${login.username}`,
            host: '*',
            operation,
            permissionType: AclPermissionTypes.ALLOW,
          })),
        ),
      });
    } finally {
      await admin.disconnect();
    }
  }
}
