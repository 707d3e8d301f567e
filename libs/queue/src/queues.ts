/**
 * Queue names (kebab-case) and job names (dot.case) with their payloads. These are wire contracts
 * between apps: add fields compatibly, never rename. Every job's data may also carry the producer's
 * W3C trace context (`traceparent`, `tracestate`: optional, absent when tracing is off).
 */
export const QUEUES = {
  statementReconcile: 'statement-reconcile',
  statementResults: 'statement-results',
  usageMetering: 'usage-metering',
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

export interface JobContracts {
  /** observe → decide → act for one statement; job id = statement uid so it is never queued twice */
  'statement.reconcile': { statementUid: string; organizationId: string };
  /** one short step of a running query's result stream; job id = statement uid */
  'statement.results': { statementUid: string; organizationId: string };
  /** stream one billing export's cost lines to the export sink; job id = export id */
  'billing.export': { exportId: string };
}
export type JobName = keyof JobContracts;

export const JOB_QUEUE: { readonly [J in JobName]: QueueName } = {
  'statement.reconcile': QUEUES.statementReconcile,
  'statement.results': QUEUES.statementResults,
  'billing.export': QUEUES.usageMetering,
};

/**
 * Queues live under a prefix per deployment: by default `riffle:<database name>`, so a test run and a
 * local `npm start` sharing one Redis never take each other's jobs.
 */
export function queuePrefix(redis: { queuePrefix?: string }, database: { url: string }): string {
  if (redis.queuePrefix) return redis.queuePrefix;
  const name = decodeURIComponent(new URL(database.url).pathname.replace(/^\//, '')) || 'default';
  return `riffle:${name}`;
}
