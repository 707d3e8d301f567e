import { type KafkaClusterRecord, type KafkaLogin, LogicalClusterLogins } from '@riffle/application';

/** Logical clusters' logins without a Kafka: the cluster's id as user, a fixed password, and who asked. */
export class FixedLogins extends LogicalClusterLogins {
  readonly asked: string[] = [];

  async loginFor(cluster: KafkaClusterRecord): Promise<KafkaLogin> {
    this.asked.push(cluster.id);
    return {
      bootstrapServers: 'tenant-kafka:9094',
      securityProtocol: 'SASL_SSL',
      mechanism: 'SCRAM-SHA-512',
      username: cluster.id,
      password: `secret-of-${cluster.id}`,
    };
  }
}
