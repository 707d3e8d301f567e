export * from './kafka.probes';
export * from './kafka.module';
