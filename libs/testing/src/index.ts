export * from './real-stack';
