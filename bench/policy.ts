/**
 * `npx tsx bench/policy.ts [--runs N]`: how long the SQL policy (checkStatementPolicy: scan, parse, checks)
 * takes per statement, p50 and p99, for small statements and for large ones, next to two baselines measured
 * on the same text in the same run: JSON.parse of the statement as a JSON string (the API parses the request
 * body anyway) and one regex pass over it. A measurement, not a test: it always exits 0 once it has
 * measured. Pure CPU, no services needed.
 */
import { cpus, loadavg } from 'node:os';
import { checkStatementPolicy, MAX_SQL_NESTING, MAX_SQL_TOKENS, RiffleError } from '@riffle/domain';
import { HOSTILE_SQL_CONTEXT, LEGITIMATE_SQL } from '../test/fixtures/hostile-sql';

const flag = process.argv.indexOf('--runs');
const RUNS = flag > 0 ? Number(process.argv[flag + 1]) : 200;
if (!Number.isInteger(RUNS) || RUNS < 10) throw new Error('--runs takes a whole number ≥ 10');
const MIB = 1024 * 1024;

interface Workload {
  name: string;
  statements: string[];
  runs: number;
}

const small = LEGITIMATE_SQL.filter(({ sql }) => sql.length < 4_000).map(({ sql }) => sql);
const row = (i: number) => `(${i}, '${'x'.repeat(1_000)}', TIMESTAMP '2025-01-01 00:00:00')`;
const WORKLOADS: Workload[] = [
  { name: `small statements (${small.length} kinds)`, statements: small, runs: RUNS },
  {
    name: '1 MiB INSERT … VALUES, 1,000 rows',
    statements: [`INSERT INTO audit VALUES ${Array.from({ length: 1_000 }, (_, i) => row(i)).join(', ')}`],
    runs: Math.max(10, RUNS / 10),
  },
  {
    name: '1 MiB statement, mostly a comment',
    statements: [`SELECT id FROM orders -- ${'x'.repeat(MIB)}\nWHERE id > 0`],
    runs: Math.max(10, RUNS / 10),
  },
  {
    name: '1 MiB UNION ALL (refused: tokens)',
    statements: [Array(36_000).fill('SELECT a,b,c FROM t').join(' UNION ALL ')],
    runs: Math.max(10, RUNS / 10),
  },
  {
    name: `${MAX_SQL_NESTING}-deep nesting, the limit`,
    statements: [`SELECT ${'('.repeat(MAX_SQL_NESTING)}1${')'.repeat(MAX_SQL_NESTING)} FROM t`],
    runs: RUNS,
  },
];

function millisOf(work: () => unknown): number {
  const started = process.hrtime.bigint();
  work();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

function policy(sql: string): string {
  try {
    return checkStatementPolicy(sql, HOSTILE_SQL_CONTEXT).sqlKind;
  } catch (error) {
    if (error instanceof RiffleError) return error.code;
    throw error;
  }
}

const WORD = /\b(SELECT|FROM|WHERE|INSERT|INTO)\b/gi;
const baselines = {
  json: (sql: string) => JSON.parse(JSON.stringify(sql)) as string,
  regex: (sql: string) => sql.match(WORD)?.length ?? 0,
};

interface Measured {
  name: string;
  bytes: number;
  outcome: string;
  first: number;
  policy: number[];
  json: number[];
  regex: number[];
}

function measure(workload: Workload): Measured {
  const [first] = workload.statements;
  const outcome = policy(first ?? '');
  // the first call builds the parser's lookahead cache for these shapes: reported apart
  const firstCall = millisOf(() => workload.statements.forEach(policy));
  const result: Measured = {
    name: workload.name,
    bytes: 0,
    outcome,
    first: firstCall,
    policy: [],
    json: [],
    regex: [],
  };
  result.bytes = Math.max(...workload.statements.map((sql) => Buffer.byteLength(sql)));
  for (let run = 0; run < workload.runs; run += 1) {
    for (const sql of workload.statements) {
      result.policy.push(millisOf(() => policy(sql)));
      result.json.push(millisOf(() => baselines.json(sql)));
      result.regex.push(millisOf(() => baselines.regex(sql)));
    }
  }
  return result;
}

const format = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms >= 1 ? ms.toFixed(1) : ms.toFixed(3));
const size = (bytes: number) => (bytes >= MIB / 2 ? `${(bytes / MIB).toFixed(1)} MiB` : `${bytes} B`);

process.stdout.write(
  `SQL policy bench: node ${process.version}, ${cpus().length} CPUs, load ${loadavg()
    .map((load) => load.toFixed(1))
    .join(' ')}, ${RUNS} runs; limits: ${MAX_SQL_TOKENS} tokens, nesting ${MAX_SQL_NESTING}\n\n`,
);
policy('SELECT 1'); // load and warm the parser once, as a running API has
const header = [
  'workload',
  'size',
  'answer',
  'first ms',
  'p50 ms',
  'p99 ms',
  'JSON p50',
  '×JSON',
  'regex p50',
  '×regex',
];
const rows = WORKLOADS.map(measure).map((m) => {
  const p50 = percentile(m.policy, 50);
  const [json, regex] = [percentile(m.json, 50), percentile(m.regex, 50)];
  return [
    m.name,
    size(m.bytes),
    m.outcome,
    format(m.first),
    format(p50),
    format(percentile(m.policy, 99)),
    format(json),
    `${(p50 / json).toFixed(0)}×`,
    format(regex),
    `${(p50 / regex).toFixed(0)}×`,
  ];
});
const widths = header.map((title, column) =>
  Math.max(title.length, ...rows.map((cells) => cells[column]?.length ?? 0)),
);
for (const cells of [header, ...rows]) {
  process.stdout.write(`${cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ')}\n`);
}
process.stdout.write(
  '\nfirst ms: the first check of the workload in this process (lookahead not cached yet); p50/p99 after.\n' +
    '×JSON, ×regex: policy p50 over the baseline p50 on the same text.\n',
);
