import { type DynamicModule, Module } from '@nestjs/common';
import { FlinkModule, JobManagerProbe, SqlGatewayProbe } from '@riffle/flink';
import { KafkaModule, KafkaProbe, SchemaRegistryProbe } from '@riffle/kafka';
import { DEPENDENCY_PROBES, type DependencyProbe, HealthController } from '@riffle/observability';
import { PersistenceModule, PostgresProbe } from '@riffle/persistence';
import { QueueModule, RedisProbe } from '@riffle/queue';
import type { ApiConfig } from './api.config';

const PROBES = [PostgresProbe, RedisProbe, KafkaProbe, SchemaRegistryProbe, SqlGatewayProbe, JobManagerProbe];

@Module({})
export class ApiModule {
  static forRoot(config: ApiConfig): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        PersistenceModule.forRoot(config.database),
        QueueModule.forRoot(config.redis, 'api'),
        KafkaModule.forRoot(config.kafka, 'api'),
        FlinkModule.forRoot(config.flink),
      ],
      controllers: [HealthController],
      providers: [{ provide: DEPENDENCY_PROBES, inject: PROBES, useFactory: (...p: DependencyProbe[]) => p }],
    };
  }
}
