import type { DatabaseOptions } from '@riffle/config';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../../migrations';

/** Schema changes only through reviewed SQL migrations; never `synchronize`. */
export function createDataSource(options: DatabaseOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    poolSize: options.poolSize,
    synchronize: false,
    migrationsRun: false,
    migrations: MIGRATIONS,
    migrationsTableName: 'riffle_migrations',
    entities: [],
    applicationName: 'riffle',
    connectTimeoutMS: 5_000,
  });
}
