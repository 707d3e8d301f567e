export * from './concerns';
export * from './define-config';
export * from './environment';
export * from './fleet';
export * from './tracing';
export * from './sql-analyzer';
