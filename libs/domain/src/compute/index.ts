export * from './admission';
export * from './autoscaler';
export * from './cfu-sizing';
export * from './partition-alignment';
export * from './placement';
export * from './scale-down-window';
export * from './scaling-metrics';
export * from './stateless-query';
