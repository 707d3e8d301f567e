import type { DatabaseOptions } from '@riffle/config';
import { Client } from 'pg';
import { createDataSource } from './data-source';

/** Creates the database if the server lacks it (local and test setups), then applies pending migrations. */
export async function migrate(
  options: DatabaseOptions,
  log: (message: string) => void = () => {},
): Promise<string[]> {
  await ensureDatabase(options.url, log);
  const dataSource = createDataSource(options);
  await dataSource.initialize();
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    const [{ autovacuum }] = (await dataSource.query(
      `SELECT current_setting('autovacuum') AS autovacuum`,
    )) as {
      autovacuum: string;
    }[];
    if (autovacuum !== 'on')
      log(
        'warning: this PostgreSQL runs with autovacuum off, so planner statistics go stale: reads by name can ' +
          'scan a whole environment as it grows. Turn autovacuum on, or run ANALYZE regularly.',
      );
    return applied.map((m) => m.name);
  } finally {
    await dataSource.destroy();
  }
}

async function ensureDatabase(url: string, log: (message: string) => void): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_]+$/.test(name))
    throw new Error(`database name ${JSON.stringify(name)} must match [A-Za-z0-9_]+`);
  const maintenance = new URL(url);
  maintenance.pathname = '/postgres';
  const client = new Client({ connectionString: maintenance.toString(), connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) {
      log(`creating database ${name}`);
      await client.query(`CREATE DATABASE "${name}"`);
    }
  } finally {
    await client.end();
  }
}
