export * from './real-stack';
export * from './tenants';
export * from './avro-topics';
export * from './usage-reference';
export * from './read-topic';
export * from './statement-record';
