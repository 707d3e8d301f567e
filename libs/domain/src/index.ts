export * from './riffle-error';
export * from './statements';
export * from './sql';
export * from './catalog';
export * from './metering';
export * from './identity';
export * from './compute';
