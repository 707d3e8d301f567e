import { DependencyProbe } from '@riffle/observability';
import type { DataSource } from 'typeorm';

export class PostgresProbe extends DependencyProbe {
  readonly name = 'postgres';

  constructor(private readonly dataSource: DataSource) {
    super();
  }

  private connecting: Promise<unknown> | undefined;

  async check(): Promise<void> {
    if (!this.dataSource.isInitialized) {
      // one connect attempt at a time; a failed attempt is retried by the next probe
      this.connecting ??= this.dataSource.initialize().finally(() => (this.connecting = undefined));
      await this.connecting;
    }
    await this.dataSource.query('SELECT 1');
  }
}
