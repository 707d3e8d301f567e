export * from './flink-http';
export * from './flink.probes';
export * from './flink-statement-runner';
export * from './job-manager.client';
export * from './sql-gateway.client';
export * from './flink.module';
export * from './flink-statement-engine';
export * from './flink-metrics';
