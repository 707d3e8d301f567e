import { type DynamicModule, Module } from '@nestjs/common';
import type { FlinkOptions } from '@riffle/config';
import { JobManagerProbe, SqlGatewayProbe } from './flink.probes';
import { JobManagerClient } from './job-manager.client';
import { SqlGatewayClient } from './sql-gateway.client';

@Module({})
export class FlinkModule {
  static forRoot(options: FlinkOptions): DynamicModule {
    return {
      module: FlinkModule,
      global: true,
      providers: [
        {
          provide: SqlGatewayClient,
          useFactory: () => new SqlGatewayClient(options.sqlGatewayUrl, options.requestTimeoutMs),
        },
        {
          provide: JobManagerClient,
          useFactory: () => new JobManagerClient(options.restUrl, options.requestTimeoutMs),
        },
        {
          provide: SqlGatewayProbe,
          inject: [SqlGatewayClient],
          useFactory: (c: SqlGatewayClient) => new SqlGatewayProbe(c),
        },
        {
          provide: JobManagerProbe,
          inject: [JobManagerClient],
          useFactory: (c: JobManagerClient) => new JobManagerProbe(c),
        },
      ],
      exports: [SqlGatewayClient, JobManagerClient, SqlGatewayProbe, JobManagerProbe],
    };
  }
}
