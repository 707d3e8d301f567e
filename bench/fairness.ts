/**
 * `npm run bench:fairness [-- --schedulers 1,2 --held 20,5 --burst 500]`: tenant B's latencies on an idle
 * Riffle and while tenant A holds open queries (unread and continuously read) and submits a burst of
 * statements, measured in one run, for each number of scheduler replicas (DESIGN §9.1). Targets: B's
 * metadata p99 ≤ 2× idle + 1 s, B's INSERT submit → RUNNING ≤ 1.5× idle, B's delete ≤ 10 s. A
 * measurement, not a test: exit 0 on a missed target too, 1 only if it could not measure.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { stackPaths } from '../deploy/local/src/paths';
import { stackDown, stackUp } from '../deploy/local/src/stack';
import { localStack, localStackOptions, stackEnvironment } from '../deploy/local/src/stack-definition';
import { FairnessRig, type Latencies, median, percentile } from '../test/e2e/support/fairness';

const arg = (name: string, fallback: string) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1]! : fallback;
};
const SCHEDULERS = arg('schedulers', '1,2').split(',').map(Number);
const [HELD_UNREAD, HELD_READ] = arg('held', '20,5').split(',').map(Number) as [number, number];
const BURST = Number(arg('burst', '500'));
const SAMPLES = { metadata: Number(arg('metadata', '20')), inserts: Number(arg('inserts', '3')) };
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/riffle_bench';
const say = (message: string) => process.stdout.write(`▸ ${message}\n`);

interface Row {
  schedulers: number;
  idle: Latencies;
  loaded: Latencies;
}

const ms = (n: number) => `${Math.round(n).toLocaleString('en-US')} ms`;
const figures = (l: Latencies) => ({
  metadataP50: median(l.metadataMs),
  metadataP99: percentile(l.metadataMs, 99),
  insertMedian: median(l.insertMs),
  deleteMax: Math.max(...l.deleteMs),
});

async function main(): Promise<void> {
  const paths = stackPaths();
  const components = localStack(localStackOptions());
  say('local stack (reused if already running)…');
  const started = await stackUp(components, paths, say);
  const rows: Row[] = [];
  try {
    for (const schedulers of SCHEDULERS) {
      say(`— ${schedulers} scheduler replica${schedulers === 1 ? '' : 's'} —`);
      const rig = new FairnessRig(
        { ...process.env, ...stackEnvironment(), DATABASE_URL } as Record<string, string>,
        { schedulers, extraSlots: HELD_UNREAD + HELD_READ + 4, database: `riffle_bench_fairness`, say },
      );
      try {
        await rig.start();
        say('B idle…');
        const idle = await rig.measureB(SAMPLES);
        const load = await rig.loadA({ heldUnread: HELD_UNREAD, heldRead: HELD_READ, burst: BURST });
        say("B under A's load…");
        const loaded = await rig.measureB(SAMPLES);
        say(
          `A's burst: ${await load.burst} of ${BURST} accepted; read queries delivered ${load.delivered().join(', ')} rows`,
        );
        await load.stop();
        rows.push({ schedulers, idle, loaded });
      } finally {
        await rig.close();
      }
    }
  } finally {
    if (started.length) await stackDown(components, paths, say, started);
  }

  process.stdout.write(
    `\nB's latencies, idle vs while A holds ${HELD_UNREAD} unread + ${HELD_READ} read queries and submits ${BURST} statements\n` +
      `(${cpus().length} cores, load average ${loadavg()[0]!.toFixed(1)}; ${SAMPLES.metadata} metadata and ${SAMPLES.inserts} INSERT samples each)\n\n`,
  );
  process.stdout.write(
    '| schedulers | metadata p50 idle → load | metadata p99 idle → load (target) | INSERT → RUNNING median idle → load (ratio, target 1.5) | delete max under load (target 10 s) |\n|---|---|---|---|---|\n',
  );
  for (const row of rows) {
    const idle = figures(row.idle);
    const loaded = figures(row.loaded);
    const target = 2 * idle.metadataP99 + 1_000;
    const ratio = loaded.insertMedian / idle.insertMedian;
    process.stdout.write(
      `| ${row.schedulers} | ${ms(idle.metadataP50)} → ${ms(loaded.metadataP50)} | ${ms(idle.metadataP99)} → ${ms(loaded.metadataP99)} (≤ ${ms(target)}: ${loaded.metadataP99 <= target ? 'met' : 'MISSED'}) | ${ms(idle.insertMedian)} → ${ms(loaded.insertMedian)} (${ratio.toFixed(2)}×: ${ratio <= 1.5 ? 'met' : 'MISSED'}) | ${ms(loaded.deleteMax)} (${loaded.deleteMax <= 10_000 ? 'met' : 'MISSED'}) |\n`,
    );
  }
  const out = join(__dirname, 'out');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'fairness.json'), JSON.stringify(rows, null, 2));
  process.stdout.write(`\n(raw samples: ${join(out, 'fairness.json')})\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
