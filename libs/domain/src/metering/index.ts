export * from './billing-range';
export * from './cost-lines';
export * from './price-list';
export * from './usage-event';
export * from './usage-minutes';
