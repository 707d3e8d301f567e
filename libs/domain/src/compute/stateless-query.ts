/**
 * Whether a statement's query only filters and projects (DESIGN §5 "Initial size": such a plan starts at
 * 1 CFU). Read from the SQL text, not Flink's plan: after quoted text and comments are dropped, any word
 * that brings state — a join, grouping or aggregate, window, OVER, DISTINCT, ORDER BY/LIMIT, set
 * operation, MATCH_RECOGNIZE — makes it stateful. A wrong guess only changes where the statement starts;
 * the autoscaler sizes it from its metrics afterwards.
 */
const STATEFUL_WORDS = new Set([
  'JOIN',
  'OVER',
  'DISTINCT',
  'MATCH_RECOGNIZE',
  'TUMBLE',
  'HOP',
  'CUMULATE',
  'SESSION',
  'LIMIT',
  'UNION',
  'INTERSECT',
  'EXCEPT',
  'MINUS',
]);
const AGGREGATES = new Set([
  'COUNT',
  'SUM',
  'AVG',
  'MIN',
  'MAX',
  'LISTAGG',
  'COLLECT',
  'STDDEV_POP',
  'VAR_POP',
]);

/** the text with quoted strings, quoted identifiers and comments replaced by spaces */
function code(sql: string): string {
  return sql.replace(/'(?:[^']|'')*'|`(?:[^`]|``)*`|"(?:[^"]|"")*"|--[^\n]*|\/\*[\s\S]*?(?:\*\/|$)/g, ' ');
}

export function isStatelessQuery(sql: string): boolean {
  const words = [
    ...code(sql)
      .toUpperCase()
      .matchAll(/[A-Z_][A-Z0-9_]*|\(/g),
  ].map((m) => m[0]);
  return !words.some((word, i) => {
    if (STATEFUL_WORDS.has(word)) return true;
    if ((word === 'GROUP' || word === 'ORDER') && words[i + 1] === 'BY') return true;
    return AGGREGATES.has(word) && words[i + 1] === '(';
  });
}
