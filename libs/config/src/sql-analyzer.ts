import { z } from 'zod';
import { defineConfig, httpUrl } from './define-config';

/**
 * The SQL analyzer (deploy/sql-analyzer): Flink's own parser and planner, which the API asks about every
 * statement before storing it and the scheduler asks for plans and DDL. The timeout bounds one call; the
 * analyzer's own parse deadline (3 s) is well inside the default.
 */
export const sqlAnalyzerConfig = defineConfig(
  'sqlAnalyzer',
  {
    SQL_ANALYZER_URL: httpUrl('http://127.0.0.1:18990'),
    SQL_ANALYZER_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(10_000),
  },
  (v) => ({ url: v.SQL_ANALYZER_URL, timeoutMs: v.SQL_ANALYZER_TIMEOUT_MS }),
);
export type SqlAnalyzerOptions = ReturnType<typeof sqlAnalyzerConfig.load>;
