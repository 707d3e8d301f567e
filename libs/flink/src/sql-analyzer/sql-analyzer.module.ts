import { type DynamicModule, Module } from '@nestjs/common';
import { SqlAnalyzer } from '@riffle/application';
import type { SqlAnalyzerOptions } from '@riffle/config';
import { DependencyProbe, untraced } from '@riffle/observability';
import { HttpSqlAnalyzer } from './http-sql-analyzer';

export class SqlAnalyzerProbe extends DependencyProbe {
  readonly name = 'sql_analyzer';

  constructor(private readonly analyzer: HttpSqlAnalyzer) {
    super();
  }

  async check(): Promise<void> {
    await untraced(() => this.analyzer.health());
  }
}

/** The SqlAnalyzer port (HttpSqlAnalyzer) and its readiness probe. */
@Module({})
export class SqlAnalyzerModule {
  static forRoot(options: SqlAnalyzerOptions): DynamicModule {
    return {
      module: SqlAnalyzerModule,
      global: true,
      providers: [
        { provide: HttpSqlAnalyzer, useFactory: () => new HttpSqlAnalyzer(options.url, options.timeoutMs) },
        { provide: SqlAnalyzer, useExisting: HttpSqlAnalyzer },
        {
          provide: SqlAnalyzerProbe,
          inject: [HttpSqlAnalyzer],
          useFactory: (analyzer: HttpSqlAnalyzer) => new SqlAnalyzerProbe(analyzer),
        },
      ],
      exports: [SqlAnalyzer, SqlAnalyzerProbe],
    };
  }
}
