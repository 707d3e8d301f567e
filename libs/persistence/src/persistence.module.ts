import { type DynamicModule, Module, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { DatabaseOptions } from '@riffle/config';
import { DataSource } from 'typeorm';
import { createDataSource } from './data-source';
import { PostgresProbe } from './postgres.probe';

const RETRY_MS = 2_000;

/**
 * Connects the pool when the app boots. If Postgres is down then, the app still starts (it reports
 * not-ready, and queries answer 503) and keeps trying to connect in the background.
 */
class DatabaseConnector implements OnModuleInit, OnApplicationShutdown {
  private retry: NodeJS.Timeout | undefined;

  constructor(private readonly dataSource: DataSource) {}

  async onModuleInit(): Promise<void> {
    if (await this.tryConnect()) return;
    this.retry = setInterval(() => {
      void this.tryConnect().then((connected) => connected && clearInterval(this.retry));
    }, RETRY_MS);
    this.retry.unref();
  }

  private async tryConnect(): Promise<boolean> {
    if (this.dataSource.isInitialized) return true;
    try {
      await this.dataSource.initialize();
      return true;
    } catch {
      return false;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.retry);
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

/** the results service's own pool (see createDataSource), provided when asked for */
export const RESULTS_DATA_SOURCE = 'RESULTS_DATA_SOURCE';

/** The Postgres connection pool, shared by every repository of the app (and the results service's pool). */
@Module({})
export class PersistenceModule {
  static forRoot(options: DatabaseOptions, pools: { results?: boolean } = {}): DynamicModule {
    const results = pools.results
      ? [
          { provide: RESULTS_DATA_SOURCE, useFactory: () => createDataSource(options, 'results') },
          {
            provide: 'RESULTS_DATABASE_CONNECTOR',
            inject: [RESULTS_DATA_SOURCE],
            useFactory: (ds: DataSource) => new DatabaseConnector(ds),
          },
        ]
      : [];
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
        {
          provide: DatabaseConnector,
          inject: [DataSource],
          useFactory: (ds: DataSource) => new DatabaseConnector(ds),
        },
        ...results,
      ],
      exports: [DataSource, PostgresProbe, ...(pools.results ? [RESULTS_DATA_SOURCE] : [])],
    };
  }
}
