export * from './real-stack';
export * from './tenants';
