import { type DynamicModule, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { DatabaseOptions } from '@riffle/config';
import { DataSource } from 'typeorm';
import { createDataSource } from './data-source';
import { PostgresProbe } from './postgres.probe';

class DataSourceCloser implements OnApplicationShutdown {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

/** The Postgres connection pool (connected lazily, so a down database makes the app unready, not dead). */
@Module({})
export class PersistenceModule {
  static forRoot(options: DatabaseOptions): DynamicModule {
    return {
      module: PersistenceModule,
      global: true,
      providers: [
        { provide: DataSource, useFactory: () => createDataSource(options) },
        {
          provide: PostgresProbe,
          inject: [DataSource],
          useFactory: (ds: DataSource) => new PostgresProbe(ds),
        },
        DataSourceCloser,
      ],
      exports: [DataSource, PostgresProbe],
    };
  }
}
