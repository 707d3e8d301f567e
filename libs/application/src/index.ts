export * from './identity';
export * from './statements/statement.ports';
export * from './statements/change-statement.use-case';
export * from './statements/statement-queries.use-case';
export * from './statements/statement-scope';
export * from './statements/submit-statement.use-case';
export * from './statements/reconcile-statement.use-case';
export * from './statements/statement-engine.port';
