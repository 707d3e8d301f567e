import { DependencyProbe } from '@riffle/observability';
import type { DataSource } from 'typeorm';

export class PostgresProbe extends DependencyProbe {
  readonly name = 'postgres';

  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async check(): Promise<void> {
    if (!this.dataSource.isInitialized) throw new Error('not connected yet (retrying every 2 s)');
    await this.dataSource.query('SELECT 1');
  }
}
