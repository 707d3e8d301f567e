/**
 * `npm run bench:metering`: how long the metering app takes to close and aggregate 1,000,000
 * statement-minutes (10,000 statements × 100 minutes, each rescaled once), and how much memory
 * exporting 1,000,000 cost lines as CSV takes (it must stay flat: streamed). Baselines measured in the
 * same run on the same Postgres: writing 1,000,000 equally wide rows with one INSERT … SELECT, and
 * reading the export's rows through the same cursor without formatting them. Needs only Postgres.
 * A measurement, not a test: exit 0 whatever the figures, 1 only if it could not measure.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloseUsageMinutes, CostReader, RunBillingExport } from '@riffle/application';
import { databaseConfig } from '@riffle/config';
import { parsePriceList } from '@riffle/domain';
import {
  createDataSource,
  LocalDirectoryExportSink,
  migrate,
  SqlBillingExportRepository,
  SqlCostReader,
  SqlUsageMinuteStore,
} from '@riffle/persistence';
import { createTestTenant } from '@riffle/testing';

const DATABASE_URL =
  process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/riffle_bench_metering';
const STATEMENTS = 10_000;
const MINUTES = 100;
const EXPORT_LINES = 1_000_000;
const say = (message: string) => process.stdout.write(`▸ ${message}\n`);

/** peak RSS while `work` runs, sampled every 20 ms */
async function peakRss<T>(work: () => Promise<T>): Promise<{ result: T; peakMb: number; ms: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const started = performance.now();
  try {
    const result = await work();
    return { result, peakMb: peak / 2 ** 20, ms: performance.now() - started };
  } finally {
    clearInterval(timer);
  }
}

async function main(): Promise<void> {
  const options = databaseConfig.load({ DATABASE_URL, DATABASE_POOL_SIZE: '4' });
  const maintenance = createDataSource({ ...options, url: DATABASE_URL.replace(/\/[^/]+$/, '/postgres') });
  await maintenance.initialize();
  await maintenance.query(`DROP DATABASE IF EXISTS ${new URL(DATABASE_URL).pathname.slice(1)} WITH (FORCE)`);
  await maintenance.destroy();
  await migrate(options);
  const db = createDataSource(options);
  await db.initialize();
  try {
    const tenant = await createTestTenant(db, 'bench');
    const now = Date.now();
    const start = now - (now % 60_000) - (MINUTES + 5) * 60_000;
    say(`ledger: ${STATEMENTS} statements × ${MINUTES} minutes, one rescale each`);
    await db.query(
      `INSERT INTO allocation_ledger (statement_uid, statement_name, organization_id, environment_id, cfu, reason, valid_from)
       SELECT md5(s::text || $3)::uuid, 'bench-' || s, $1, $2, e.cfu, e.reason,
              to_timestamp(($4::bigint + (s % 60) * 1000 + e.at) / 1000.0)
       FROM generate_series(1, $5) s,
            (VALUES (1, 'start', 0), (3, 'rescale', $6::bigint / 2), (0, 'stop', $6::bigint)) AS e(cfu, reason, at)`,
      [tenant.organizationId, tenant.environmentId, 'bench', start, STATEMENTS, MINUTES * 60_000],
    );

    // baseline: the database writing 1M rows of the same width in one statement
    await db.query('CREATE TABLE usage_minutes_baseline (LIKE usage_minutes INCLUDING ALL)');
    const baselineStarted = performance.now();
    await db.query(
      `INSERT INTO usage_minutes_baseline
       SELECT md5(s::text)::uuid, to_timestamp($2::bigint / 1000.0 + (s / $3::int) * 60), 'b', $1, 'env', NULL, 60000, 0, 60000, 1
       FROM generate_series(0, $4 - 1) s`,
      [tenant.organizationId, start, STATEMENTS, STATEMENTS * MINUTES],
    );
    const baselineMs = performance.now() - baselineStarted;

    say('closing every minute');
    const store = new SqlUsageMinuteStore(db);
    const close = new CloseUsageMinutes(store, { graceMs: 0 });
    const closing = await peakRss(() => close.execute());
    const [{ count }]: { count: string }[] = await db.query('SELECT count(*) FROM usage_minutes');
    const statementMinutes = Number(count);

    const reader: CostReader = new SqlCostReader(db);
    const today = new Date(start).toISOString().slice(0, 10);
    const tomorrow = new Date(Date.parse(today) + 2 * 86_400_000).toISOString().slice(0, 10);
    const aggregateStarted = performance.now();
    let poolLines = 0;
    for await (const line of reader.stream({
      organizationId: tenant.organizationId,
      startDate: today,
      endDate: tomorrow,
      granularity: 'pool',
    }))
      poolLines += line ? 1 : 0;
    const aggregateMs = performance.now() - aggregateStarted;

    say(`export: ${EXPORT_LINES} cost lines (one usage minute for each of ${EXPORT_LINES} statements)`);
    const exportDay = '2026-01-15';
    await db.query(
      `INSERT INTO usage_minutes (statement_uid, minute, statement_name, organization_id, environment_id,
         compute_pool_id, cfu_ms, minimum_top_up_ms, billed_cfu_ms, end_cfu)
       SELECT md5('export' || s)::uuid, $2::date + interval '1 hour', 'export-' || s, $1, 'env-bench', NULL,
              1000 + s % 59000, 60000 - (1000 + s % 59000), 60000, 0
       FROM generate_series(1, $3) s`,
      [tenant.organizationId, exportDay, EXPORT_LINES],
    );
    const query = {
      organizationId: tenant.organizationId,
      startDate: exportDay,
      endDate: '2026-01-16',
      granularity: 'statement' as const,
    };
    const rawRead = await peakRss(async () => {
      let rows = 0;
      for await (const row of reader.stream(query)) rows += row ? 1 : 0;
      return rows;
    });
    const directory = mkdtempSync(join(tmpdir(), 'riffle-bench-export-'));
    const exports = new SqlBillingExportRepository(db);
    await exports.insert({ id: 'exp-bench', ...query, format: 'csv' });
    const idleMb = process.memoryUsage().rss / 2 ** 20;
    const exported = await peakRss(() =>
      new RunBillingExport(exports, reader, new LocalDirectoryExportSink(directory), {
        priceList: parsePriceList({ currency: 'USD', defaultUnitPrice: '0.21' }),
        region: 'local',
      }).execute('exp-bench'),
    );
    const written = await exports.findById('exp-bench');
    rmSync(directory, { recursive: true, force: true });

    const figures = {
      statementMinutes,
      closeMs: Math.round(closing.ms),
      closePerSecond: Math.round(statementMinutes / (closing.ms / 1000)),
      baselineInsertMs: Math.round(baselineMs),
      closeVsBaseline: +(closing.ms / baselineMs).toFixed(2),
      aggregateMs: Math.round(aggregateMs),
      poolLines,
      exportLines: written?.lines,
      exportBytes: written?.bytes,
      exportMs: Math.round(exported.ms),
      rawReadMs: Math.round(rawRead.ms),
      exportVsRawRead: +(exported.ms / rawRead.ms).toFixed(2),
      idleRssMb: Math.round(idleMb),
      exportPeakRssMb: Math.round(exported.peakMb),
      exportRssGrowthMb: Math.round(exported.peakMb - idleMb),
    };
    console.table({
      'close 1M statement-minutes': {
        ms: figures.closeMs,
        baseline_ms: figures.baselineInsertMs,
        ratio: figures.closeVsBaseline,
      },
      'aggregate into daily pool lines': { ms: figures.aggregateMs, baseline_ms: '', ratio: '' },
      'export 1M cost lines (CSV)': {
        ms: figures.exportMs,
        baseline_ms: figures.rawReadMs,
        ratio: figures.exportVsRawRead,
      },
    });
    say(
      `export memory: idle ${figures.idleRssMb} MB → peak ${figures.exportPeakRssMb} MB (+${figures.exportRssGrowthMb} MB for ${figures.exportLines} lines, ${Math.round((figures.exportBytes ?? 0) / 2 ** 20)} MB written)`,
    );
    mkdirSync(join(__dirname, 'out'), { recursive: true });
    writeFileSync(join(__dirname, 'out', 'metering.json'), `${JSON.stringify(figures, null, 2)}\n`);
  } finally {
    await db.destroy();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
