export * from './queue-worker';
export * from './queues';
export * from './redis-connection';
export * from './queue.module';
export * from './bull-statement.queue';
export * from './bull-billing-export.queue';
export * from './queue-metrics';
