export * from './riffle-error';
