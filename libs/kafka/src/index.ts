export * from './create-topics';
export * from './kafka.probes';
export * from './kafka.module';
export * from './kafka-topic.catalog';
export * from './kafka-usage-event.log';
export * from './read-until-offsets';
export * from './egress-guard';
