export * from './data-source';
export * from './migrate';
export * from './postgres.probe';
export * from './persistence.module';
export * from './sql-identity.repository';
export * from './sql-statement.repository';
export * from './sql-idempotency.repository';
export * from './sql-kafka-cluster.repository';
