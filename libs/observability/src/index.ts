export * from './logger';
export * from './readiness';
export * from './health.controller';
export * from './run-main';
export * from './create-worker-app';
export * from './metrics';
export * from './graceful-shutdown';
export * from './tracing';
