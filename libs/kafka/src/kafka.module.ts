import { type DynamicModule, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { KafkaOptions } from '@riffle/config';
import { Kafka } from 'kafkajs';
import { createKafka, KafkaProbe, SchemaRegistryProbe } from './kafka.probes';

class KafkaCloser implements OnApplicationShutdown {
  constructor(@Inject(KafkaProbe) private readonly probe: KafkaProbe) {}

  async onApplicationShutdown(): Promise<void> {
    await this.probe.close();
  }
}

@Module({})
export class KafkaModule {
  static forRoot(options: KafkaOptions, app: string): DynamicModule {
    return {
      module: KafkaModule,
      global: true,
      providers: [
        { provide: Kafka, useFactory: () => createKafka(options, `riffle-${app}`) },
        { provide: KafkaProbe, inject: [Kafka], useFactory: (kafka: Kafka) => new KafkaProbe(kafka) },
        {
          provide: SchemaRegistryProbe,
          useFactory: () => new SchemaRegistryProbe(options.schemaRegistryUrl),
        },
        KafkaCloser,
      ],
      exports: [Kafka, KafkaProbe, SchemaRegistryProbe],
    };
  }
}
