export * from './flink-http';
export * from './flink.probes';
export * from './job-manager.client';
export * from './sql-gateway.client';
export * from './flink.module';
