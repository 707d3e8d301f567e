export * from './decide-statement-action';
export * from './statement';
export * from './flink-failure';
export * from './query-results';
