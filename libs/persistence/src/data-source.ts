import type { DatabaseOptions } from '@riffle/config';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../../migrations';

/**
 * Schema changes only through reviewed SQL migrations; never `synchronize`. `purpose: 'results'` is the
 * results service's own pool: its many small writes (a page, a token moved) commit without waiting for
 * the WAL flush, and never queue for a connection ahead of the statements' work (DESIGN §9.1). What a
 * crash of Postgres can lose is the last fraction of a second of a query's stream, which then fails with
 * RESULTS_LOST; statements, the ledger and usage always commit durably.
 */
export function createDataSource(options: DatabaseOptions, purpose: 'main' | 'results' = 'main'): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    poolSize: options.poolSize,
    synchronize: false,
    migrationsRun: false,
    migrations: MIGRATIONS,
    migrationsTableName: 'riffle_migrations',
    entities: [],
    applicationName: purpose === 'results' ? 'riffle-results' : 'riffle',
    connectTimeoutMS: 5_000,
    ...(purpose === 'results' ? { extra: { options: '-c synchronous_commit=off' } } : {}),
  });
}
