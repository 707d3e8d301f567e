import type { SqlAnalysis } from '../sql/analysis';

/**
 * Whether a statement's query only filters and projects (DESIGN §5 "Initial size": such a plan starts at
 * 1 CFU), from Flink's own parse of it (SqlAnalysis): a join, grouping, DISTINCT, OVER, ORDER BY/LIMIT, a
 * set operation or MATCH_RECOGNIZE (the analysis' features), a window table function or an aggregate call
 * brings state. Not Flink's optimized plan: a wrong guess only changes where the statement starts; the
 * autoscaler sizes it from its metrics afterwards.
 */
const STATEFUL_FEATURES = new Set([
  'JOIN',
  'CROSS_JOIN',
  'TEMPORAL_JOIN',
  'GROUP_BY',
  'DISTINCT',
  'OVER',
  'ORDER_BY',
  'LIMIT',
  'SET_OPERATION',
  'MATCH_RECOGNIZE',
]);
const STATEFUL_FUNCTIONS = new Set([
  'TUMBLE',
  'HOP',
  'CUMULATE',
  'SESSION',
  'COUNT',
  'SUM',
  'AVG',
  'MIN',
  'MAX',
  'LISTAGG',
  'COLLECT',
  'STDDEV_POP',
  'STDDEV_SAMP',
  'VAR_POP',
  'VAR_SAMP',
  'FIRST_VALUE',
  'LAST_VALUE',
  'ARRAY_AGG',
  'JSON_ARRAYAGG',
  'JSON_OBJECTAGG',
]);

export function isStatelessQuery(analysis: Pick<SqlAnalysis, 'features' | 'references'>): boolean {
  if (analysis.features.some((feature) => STATEFUL_FEATURES.has(feature))) return false;
  return !analysis.references.some(
    (r) => r.type === 'FUNCTION' && r.path.length === 1 && STATEFUL_FUNCTIONS.has(r.path[0]!.toUpperCase()),
  );
}
