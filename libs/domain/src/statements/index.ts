export * from './decide-statement-action';
export * from './statement';
export * from './admit-in-order';
