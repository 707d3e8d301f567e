export * from './decide-statement-action';
export * from './statement';
