export * from './cell-observer';
export * from './checkpoint-locator';
export * from './flink-statement-engines';
export * from './static-fleet';
export * from './local-fleet';
export * from './kubernetes-cell';
export * from './kubernetes-fleet';
