export * from './kafka.probes';
export * from './kafka.module';
export * from './kafka-topic.catalog';
