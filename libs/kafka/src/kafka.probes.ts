import type { ClusterCredentials } from '@riffle/application';
import type { KafkaOptions } from '@riffle/config';
import { DependencyProbe } from '@riffle/observability';
import { type Admin, Kafka, type KafkaConfig, logLevel, type SASLOptions } from 'kafkajs';

export function createKafka(options: KafkaOptions, clientId: string): Kafka {
  return new Kafka({
    clientId,
    brokers: options.brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3_000,
    requestTimeout: 10_000,
    retry: { retries: 2, initialRetryTime: 200 },
    // Riffle's own login to the platform Kafka (KAFKA_SASL_*, KAFKA_TLS)
    ...kafkaLogin(options.credentials),
  });
}

/** kafkajs' TLS and SASL options for a cluster's credentials (the platform's or a registered one's) */
export function kafkaLogin(credentials: ClusterCredentials | undefined): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  const sasl = credentials?.sasl;
  return {
    ...(credentials?.tls ? { ssl: true } : {}),
    ...(sasl
      ? {
          sasl: {
            mechanism: sasl.mechanism.toLowerCase() as 'plain' | 'scram-sha-256' | 'scram-sha-512',
            username: sasl.username,
            password: sasl.password,
          } as SASLOptions,
        }
      : {}),
  };
}

export class KafkaProbe extends DependencyProbe {
  readonly name = 'kafka';
  private admin: Admin | undefined;

  constructor(private readonly kafka: Kafka) {
    super();
  }

  async check(): Promise<void> {
    try {
      this.admin ??= this.kafka.admin();
      await this.admin.connect();
      const cluster = await this.admin.describeCluster();
      if (cluster.brokers.length === 0) throw new Error('no brokers in cluster metadata');
    } catch (error) {
      const admin = this.admin;
      this.admin = undefined;
      await admin?.disconnect().catch(() => undefined);
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.admin?.disconnect();
  }
}

export class SchemaRegistryProbe extends DependencyProbe {
  readonly name = 'schema_registry';

  constructor(private readonly url: string) {
    super();
  }

  async check(): Promise<void> {
    const response = await fetch(`${this.url}/subjects`, { signal: AbortSignal.timeout(3_000) });
    if (!response.ok) throw new Error(`GET /subjects answered ${response.status}`);
    await response.arrayBuffer();
  }
}
