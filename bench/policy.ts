/**
 * `npm run bench:policy [-- --runs N]`: how long reading and checking one statement takes, as SubmitStatement
 * does it: the SQL analyzer (Flink's own parser, over HTTP, `npm run stack:up` starts it) answers, then the
 * policy (checkStatementPolicy) runs on its answer. p50 and p99 per workload (small statements, 10 KB, 1 MiB),
 * the analyzer's own share (lex + parse + walk, from its answer), and the API process's event-loop delay
 * while the 1 MiB statements are read (the parse runs in the analyzer, so the event loop only sends the text
 * and parses the answer). A measurement, not a test: it exits 0 once it has measured.
 *
 * Before: dt-sql-parser's Flink grammar parsed on the event loop. While the package is still installed (it
 * left package.json with #22, so a fresh install has it no more), each workload is also parsed with it in
 * the same run, as the baseline; otherwise docs/benchmarks.md's figures of that parser stand (small
 * statements p50 0.35 ms / p99 37.7 ms, 1 MiB INSERT … VALUES p50 367 ms / p99 545 ms, all of it on the
 * event loop).
 */
import { cpus, loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import {
  checkStatementPolicy,
  checkStatementText,
  RiffleError,
  SQL_ANALYSIS_LIMITS,
  type SqlAnalysisAnswer,
} from '@riffle/domain';
import { HttpSqlAnalyzer } from '@riffle/flink';
import { HOSTILE_SQL_CONTEXT, LEGITIMATE_SQL } from '../test/fixtures/hostile-sql';

const flag = process.argv.indexOf('--runs');
const RUNS = flag > 0 ? Number(process.argv[flag + 1]) : 200;
if (!Number.isInteger(RUNS) || RUNS < 10) throw new Error('--runs takes a whole number ≥ 10');
const MIB = 1024 * 1024;
const analyzer = new HttpSqlAnalyzer(process.env.SQL_ANALYZER_URL ?? 'http://127.0.0.1:18990', 30_000);

interface Workload {
  name: string;
  statements: string[];
  runs: number;
  /** also parse it with dt-sql-parser (the old parser counted tokens first, so refused ones never reached it) */
  baseline?: boolean;
}

type Parse = (sql: string) => void;

/** dt-sql-parser's Flink grammar, Riffle's parser before #22, while it is still installed */
async function oldParser(): Promise<Parse | undefined> {
  const name = 'dt-sql-parser'; // not a dependency any more: resolved at run time, if at all
  try {
    const { FlinkSQL } = (await import(name)) as { FlinkSQL: new () => { validate(sql: string): unknown } };
    const parser = new FlinkSQL();
    return (sql) => void parser.validate(sql);
  } catch {
    return undefined;
  }
}

const small = LEGITIMATE_SQL.filter(({ sql }) => sql.length < 4_000).map(({ sql }) => sql);

/** about 10 KB of a realistic INSERT … SELECT: a join, CASE expressions, functions */
function tenKilobytes(): string {
  const columns = Array.from(
    { length: 100 },
    (_, i) =>
      `CASE WHEN o.amount_${i} > ${i * 10} THEN UPPER(TRIM(o.note_${i})) ELSE COALESCE(c.name_${i}, 'n/a') END AS c${i}`,
  );
  return (
    `INSERT INTO payments.enriched SELECT o.id, ${columns.join(',\n  ')}\n` +
    'FROM orders o JOIN payments.customers c ON o.cid = c.id\n' +
    "WHERE o.amount > 100 AND o.region IN ('eu', 'us', 'apac') AND c.tier <> 'test'"
  );
}

const row = (i: number) => `(${i}, '${'x'.repeat(1_000)}', TIMESTAMP '2025-01-01 00:00:00')`;
const WORKLOADS: Workload[] = [
  { name: `small statements (${small.length} kinds)`, statements: small, runs: RUNS, baseline: true },
  { name: '10 KB INSERT … SELECT', statements: [tenKilobytes()], runs: RUNS, baseline: true },
  {
    name: '1 MiB INSERT … VALUES, 1,000 rows',
    statements: [`INSERT INTO audit VALUES ${Array.from({ length: 1_000 }, (_, i) => row(i)).join(', ')}`],
    runs: Math.max(10, RUNS / 10),
    baseline: true,
  },
  {
    name: '1 MiB statement, mostly a comment',
    statements: [`SELECT id FROM orders -- ${'x'.repeat(MIB)}\nWHERE id > 0`],
    runs: Math.max(10, RUNS / 10),
    baseline: true,
  },
  {
    name: '1 MiB UNION ALL (refused: tokens)',
    statements: [Array(36_000).fill('SELECT a,b,c FROM t').join(' UNION ALL ')],
    runs: Math.max(10, RUNS / 10),
  },
];

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** what SubmitStatement does with the text: size, the analyzer, the policy; the answer's code or kind */
async function readAndCheck(sql: string): Promise<{ outcome: string; analyzerMicros: number }> {
  let answer: SqlAnalysisAnswer | undefined;
  try {
    checkStatementText(sql);
    answer = await analyzer.analyze(sql, SQL_ANALYSIS_LIMITS);
    const outcome = checkStatementPolicy(sql, answer, HOSTILE_SQL_CONTEXT).sqlKind;
    return { outcome, analyzerMicros: micros(answer) };
  } catch (error) {
    if (error instanceof RiffleError) return { outcome: error.code, analyzerMicros: micros(answer) };
    throw error;
  }
}

function micros(answer: SqlAnalysisAnswer | undefined): number {
  const timing = (answer as { timing?: Record<string, number> } | undefined)?.timing ?? {};
  return (timing.lexMicros ?? 0) + (timing.parseMicros ?? 0) + (timing.walkMicros ?? 0);
}

interface Measured {
  name: string;
  bytes: number;
  outcome: string;
  total: number[];
  analyzer: number[];
  loopP99?: number;
  loopMax?: number;
  before?: number[];
}

async function measure(workload: Workload, watchLoop: boolean, parse?: Parse): Promise<Measured> {
  const result: Measured = {
    name: workload.name,
    bytes: Math.max(...workload.statements.map((sql) => Buffer.byteLength(sql))),
    outcome: (await readAndCheck(workload.statements[0] ?? '')).outcome,
    total: [],
    analyzer: [],
  };
  for (const sql of workload.statements) await readAndCheck(sql); // warm: a running analyzer has seen shapes
  const loop = monitorEventLoopDelay({ resolution: 1 });
  if (watchLoop) loop.enable();
  for (let run = 0; run < workload.runs; run += 1) {
    for (const sql of workload.statements) {
      const started = process.hrtime.bigint();
      const { analyzerMicros } = await readAndCheck(sql);
      result.total.push(Number(process.hrtime.bigint() - started) / 1e6);
      result.analyzer.push(analyzerMicros / 1_000);
    }
  }
  if (watchLoop) {
    loop.disable();
    result.loopP99 = loop.percentile(99) / 1e6;
    result.loopMax = loop.max / 1e6;
  }
  if (parse && workload.baseline) {
    result.before = [];
    for (const sql of workload.statements) parse(sql); // its lookahead cache fills on first sight
    for (let run = 0; run < workload.runs; run += 1)
      for (const sql of workload.statements) {
        // it keeps the tree of the text it parsed last: a trailing space makes each parse a real one
        const text = run % 2 === 0 ? sql : `${sql} `;
        const started = process.hrtime.bigint();
        parse(text);
        result.before.push(Number(process.hrtime.bigint() - started) / 1e6);
      }
  }
  return result;
}

/** the event loop's delay with nothing to do, as long as the 1 MiB runs took: the machine's own noise */
async function idleLoop(ms: number): Promise<{ p99: number; max: number }> {
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  await new Promise((resolve) => setTimeout(resolve, ms));
  loop.disable();
  return { p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 };
}

const format = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms >= 1 ? ms.toFixed(1) : ms.toFixed(2));
const size = (bytes: number) =>
  bytes >= MIB / 2
    ? `${(bytes / MIB).toFixed(1)} MiB`
    : bytes >= 4096
      ? `${(bytes / 1024).toFixed(0)} KB`
      : `${bytes} B`;

async function main(): Promise<void> {
  process.stdout.write(
    `SQL policy bench: node ${process.version}, ${cpus().length} CPUs, load ${loadavg()
      .map((load) => load.toFixed(1))
      .join(' ')}, ${RUNS} runs; analyzer ${process.env.SQL_ANALYZER_URL ?? 'http://127.0.0.1:18990'}\n\n`,
  );
  await analyzer.health();
  const parse = await oldParser();
  const header = [
    'workload',
    'size',
    'answer',
    'p50 ms',
    'p99 ms',
    'analyzer p50',
    'analyzer p99',
    'loop p99',
    'loop max',
    'before p50',
    'before p99',
  ];
  const rows: string[][] = [];
  let loaded = 0;
  for (const workload of WORKLOADS) {
    const started = Date.now();
    const m = await measure(workload, workload.name.startsWith('1 MiB'), parse);
    if (m.loopMax !== undefined) loaded += Date.now() - started;
    rows.push([
      m.name,
      size(m.bytes),
      m.outcome,
      format(percentile(m.total, 50)),
      format(percentile(m.total, 99)),
      format(percentile(m.analyzer, 50)),
      format(percentile(m.analyzer, 99)),
      m.loopP99 === undefined ? '' : format(m.loopP99),
      m.loopMax === undefined ? '' : format(m.loopMax),
      m.before ? format(percentile(m.before, 50)) : '',
      m.before ? format(percentile(m.before, 99)) : '',
    ]);
  }
  const idle = await idleLoop(Math.min(loaded, 60_000));
  rows.push(['idle (control)', '', '', '', '', '', '', format(idle.p99), format(idle.max), '', '']);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((cells) => cells[column]?.length ?? 0)),
  );
  for (const cells of [header, ...rows])
    process.stdout.write(`${cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ')}\n`);
  process.stdout.write(
    '\np50/p99: the whole check as SubmitStatement runs it (HTTP to the analyzer, Flink parse, policy).\n' +
      "analyzer: Flink's lexer, parser and walk inside the analyzer. loop: this process's event-loop delay\n" +
      'while the 1 MiB statements were checked (targets: 10 KB p99 ≤ 10 ms, no stall over 20 ms); idle: the\n' +
      "same process doing nothing for as long, the machine's own share of those delays.\n" +
      (parse
        ? "before: dt-sql-parser's parse of the same text, on this event loop (each parse stalls it that long).\n"
        : 'before: dt-sql-parser is not installed any more; its figures are in docs/benchmarks.md.\n'),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
