/**
 * `npm run bench:autoscaler`: a deterministic simulator drives the real `decideScaling` through four
 * input traces (step, ramp, diurnal, spike). The simulated job reads a 48-partition topic through one
 * source vertex and one downstream vertex; each subtask processes at most TRUE_RATE records/s; a
 * rescale stops processing for RESCALE_PAUSE_S (the job restarts from its checkpoint) while input keeps
 * arriving. Every AUTOSCALER_TICK_S the metrics the JobManager would report over that window (busy and
 * back-pressured time, record rates, source lag) go to `decideScaling` exactly as AutoscaleStatement
 * sends them, with the production defaults (stabilization 3 min, scale-down delay 1 h for one spare CFU,
 * shared out over the spare CFUs, target 70%).
 *
 * Per trace: rescales, time to catch up after the step, peak lag, CFU-minutes against an oracle that
 * knows the future (per minute, the smallest partition-aligned parallelism that serves that minute's
 * peak input at the same target utilization, with free, instant rescales), scale-downs while a backlog
 * drained, and rescales during steady load. One SVG chart per trace goes to bench/out/. Deterministic:
 * the same figures every run. A measurement, not a test: always exits 0.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type AutoscalerOptions,
  DEFAULT_AUTOSCALER_OPTIONS,
  decideScaling,
  type ScalingState,
  type VertexMetrics,
} from '@riffle/domain';

const PARTITIONS = 48;
const TRUE_RATE = 1_000; // records/s one subtask can process
const RESCALE_PAUSE_S = 30;
const AUTOSCALER_TICK_S = 15;
const POOL_MAX_CFU = 64;
const seconds = (name: string): number | undefined => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) * 1000 : undefined;
};
/** production defaults; `--scale-down-delay S` and `--stabilization S` (seconds) try other settings */
const options: AutoscalerOptions = {
  ...DEFAULT_AUTOSCALER_OPTIONS,
  scaleDownDelayMs: seconds('scale-down-delay') ?? DEFAULT_AUTOSCALER_OPTIONS.scaleDownDelayMs,
  stabilizationMs: seconds('stabilization') ?? DEFAULT_AUTOSCALER_OPTIONS.stabilizationMs,
};
const divisors = Array.from({ length: PARTITIONS }, (_, i) => i + 1).filter((d) => PARTITIONS % d === 0);
const aligned = (need: number) => divisors.find((d) => d >= need) ?? PARTITIONS;

interface Trace {
  name: string;
  seconds: number;
  rate: (t: number) => number;
  /** [from, to) seconds where the input is steady and the size should not change */
  steady: [number, number][];
  /** the step's start, for the catch-up time and the rescales to converge */
  stepAt?: number;
}

const H = 3_600;
const TRACES: Trace[] = [
  {
    name: 'step',
    seconds: 4 * H,
    rate: (t) => (t < H ? 2_000 : 14_000),
    steady: [[2 * H, 4 * H]],
    stepAt: H,
  },
  {
    name: 'ramp',
    seconds: 5 * H,
    rate: (t) => (t < H ? 1_000 : t < 3 * H ? 1_000 + ((t - H) / (2 * H)) * 15_000 : 16_000),
    steady: [[3.5 * H, 5 * H]],
  },
  {
    name: 'diurnal',
    seconds: 48 * H,
    rate: (t) => 6_000 + 5_000 * Math.sin((2 * Math.PI * t) / (24 * H) - Math.PI / 2),
    steady: [],
  },
  {
    name: 'spike',
    seconds: 6 * H,
    // steady 3,000 rec/s with a 3-minute burst to 20,000 every two hours
    rate: (t) => (t % (2 * H) >= H && t % (2 * H) < H + 180 ? 20_000 : 3_000),
    steady: [[0.5 * H, H]],
  },
];

interface Sample {
  t: number;
  rate: number;
  capacity: number;
  lag: number;
  cfu: number;
}

interface Result {
  trace: Trace;
  samples: Sample[];
  rescales: { t: number; from: number; to: number; backlog: boolean }[];
  cfuMinutes: number;
  oracleCfuMinutes: number;
  peakLag: number;
  catchUpS: number | null;
}

function simulate(trace: Trace): Result {
  let parallelism = aligned(Math.ceil(trace.rate(0) / (TRUE_RATE * options.targetUtilization)));
  let lag = 0;
  let pausedUntil = -1;
  const startedS = 0;
  let lastRescaleS: number | null = null;
  let history: ScalingState | null = null;
  let window = { processed: 0, busy: 0, seconds: 0 };
  const samples: Sample[] = [];
  const rescales: Result['rescales'] = [];
  let cfuSeconds = 0;
  let peakLag = 0;
  let caughtUpAt: number | null = null;

  for (let t = 0; t < trace.seconds; t++) {
    const rate = trace.rate(t);
    const capacity = parallelism * TRUE_RATE;
    let processed = 0;
    if (t >= pausedUntil) {
      processed = Math.min(capacity, rate + lag);
      window.processed += processed;
      window.busy += processed / capacity;
      window.seconds++;
    }
    lag = Math.max(0, lag + rate - processed);
    cfuSeconds += parallelism;
    peakLag = Math.max(peakLag, lag);
    if (trace.stepAt !== undefined && t > trace.stepAt && caughtUpAt === null && lag < rate) caughtUpAt = t;
    if (t % 10 === 0)
      samples.push({ t, rate, capacity: t >= pausedUntil ? capacity : 0, lag, cfu: parallelism });

    if (t % AUTOSCALER_TICK_S !== AUTOSCALER_TICK_S - 1 || t < pausedUntil || window.seconds === 0) continue;
    const inRate = window.processed / window.seconds;
    const busyMs = (1000 * window.busy) / window.seconds;
    window = { processed: 0, busy: 0, seconds: 0 };
    const vertex = (id: string, isSource: boolean): VertexMetrics => ({
      id,
      parallelism,
      maxParallelism: 128,
      isSource,
      ...(isSource ? { partitions: PARTITIONS } : {}),
      busyTimeMsPerSecond: busyMs,
      backPressuredTimeMsPerSecond: 0,
      numRecordsInPerSecond: inRate,
      numRecordsOutPerSecond: inRate,
    });
    const decision = decideScaling({
      nowMs: t * 1000,
      statement: {
        currentParallelism: parallelism,
        lastRescaleMs: lastRescaleS === null ? null : lastRescaleS * 1000,
        startedMs: startedS * 1000,
      },
      vertices: [vertex('source', true), vertex('map', false)],
      sourceLag: lag,
      poolFreeCfu: POOL_MAX_CFU - parallelism,
      history,
      options,
    });
    history = decision.history;
    if (decision.action !== 'none' && decision.parallelism !== parallelism) {
      rescales.push({ t, from: parallelism, to: decision.parallelism, backlog: decision.inputs.backlog });
      parallelism = decision.parallelism;
      pausedUntil = t + RESCALE_PAUSE_S;
      lastRescaleS = t;
    }
  }

  // the oracle: per minute, the smallest aligned size for that minute's peak, at the same utilization
  let oracleCfuSeconds = 0;
  for (let minute = 0; minute * 60 < trace.seconds; minute++) {
    let peak = 0;
    for (let t = minute * 60; t < Math.min(trace.seconds, minute * 60 + 60); t++)
      peak = Math.max(peak, trace.rate(t));
    const size = aligned(Math.ceil(peak / (TRUE_RATE * options.targetUtilization)));
    oracleCfuSeconds += size * Math.min(60, trace.seconds - minute * 60);
  }
  return {
    trace,
    samples,
    rescales,
    cfuMinutes: cfuSeconds / 60,
    oracleCfuMinutes: oracleCfuSeconds / 60,
    peakLag,
    catchUpS: trace.stepAt !== undefined && caughtUpAt !== null ? caughtUpAt - trace.stepAt : null,
  };
}

/** three stacked panels: input rate and capacity, lag, CFUs */
function chart(result: Result): string {
  const width = 960;
  const panel = 160;
  const left = 70;
  const plotWidth = width - left - 20;
  const { samples, trace } = result;
  const x = (t: number) => left + (t / trace.seconds) * plotWidth;
  const panels: { title: string; series: { name: string; color: string; value: (s: Sample) => number }[] }[] =
    [
      {
        title: 'records/s',
        series: [
          { name: 'input rate', color: '#1f77b4', value: (s) => s.rate },
          { name: 'processing capacity', color: '#ff7f0e', value: (s) => s.capacity },
        ],
      },
      { title: 'lag (records)', series: [{ name: 'source lag', color: '#d62728', value: (s) => s.lag }] },
      { title: 'CFUs', series: [{ name: 'CFUs', color: '#2ca02c', value: (s) => s.cfu }] },
    ];
  const parts: string[] = [];
  panels.forEach((p, i) => {
    const top = 40 + i * (panel + 40);
    const max = Math.max(1, ...p.series.flatMap((s) => samples.map(s.value)));
    const y = (v: number) => top + panel - (v / max) * panel;
    parts.push(
      `<text x="${left}" y="${top - 8}" font-size="12">${p.title} (max ${Math.round(max).toLocaleString('en')})</text>`,
      `<rect x="${left}" y="${top}" width="${plotWidth}" height="${panel}" fill="none" stroke="#ccc"/>`,
    );
    p.series.forEach((s, k) => {
      const points = samples
        .map((sample) => `${x(sample.t).toFixed(1)},${y(s.value(sample)).toFixed(1)}`)
        .join(' ');
      parts.push(
        `<polyline fill="none" stroke="${s.color}" stroke-width="1.2" points="${points}"/>`,
        `<text x="${left + plotWidth - 160}" y="${top + 14 + k * 14}" font-size="11" fill="${s.color}">${s.name}</text>`,
      );
    });
  });
  const height = 40 + panels.length * (panel + 40);
  for (let h = 0; h <= trace.seconds / H; h += trace.seconds > 12 * H ? 6 : 1)
    parts.push(`<text x="${x(h * H)}" y="${height - 12}" font-size="10" text-anchor="middle">${h} h</text>`);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">` +
    `<text x="${left}" y="20" font-size="14">autoscaler: ${trace.name} trace</text>${parts.join('')}</svg>\n`
  );
}

function main(): void {
  const out = join(__dirname, 'out');
  mkdirSync(out, { recursive: true });
  console.log(
    `autoscaler simulator: ${PARTITIONS}-partition topic, ${TRUE_RATE} rec/s per subtask, rescale pause ${RESCALE_PAUSE_S} s, ` +
      `tick ${AUTOSCALER_TICK_S} s, stabilization ${options.stabilizationMs / 1000} s, scale-down delay ${options.scaleDownDelayMs / 1000} s`,
  );
  console.log(
    `${'trace'.padEnd(8)} ${'rescales'.padStart(8)} ${'converge'.padStart(8)} ${'catch-up'.padStart(9)} ${'peak lag'.padStart(11)} ` +
      `${'CFU-min'.padStart(9)} ${'oracle'.padStart(9)} ${'ratio'.padStart(6)} ${'down in backlog'.padStart(15)} ${'reversals'.padStart(9)}`,
  );
  const verdicts: string[] = [];
  for (const trace of TRACES) {
    const r = simulate(trace);
    const converge =
      trace.stepAt !== undefined
        ? r.rescales.filter((x) => x.t >= trace.stepAt! && x.t < trace.stepAt! + H).length
        : null;
    const downInBacklog = r.rescales.filter((x) => x.to < x.from && x.backlog).length;
    // oscillation: the size turning back (up then down, or down then up) while the input is steady
    const inSteady = r.rescales.filter((x) => trace.steady.some(([a, b]) => x.t >= a && x.t < b));
    const steady = inSteady.filter(
      (x, i) => i > 0 && Math.sign(x.to - x.from) !== Math.sign(inSteady[i - 1]!.to - inSteady[i - 1]!.from),
    ).length;
    const ratio = r.cfuMinutes / r.oracleCfuMinutes;
    console.log(
      `${trace.name.padEnd(8)} ${String(r.rescales.length).padStart(8)} ${String(converge ?? '–').padStart(8)} ` +
        `${(r.catchUpS === null ? '–' : `${r.catchUpS} s`).padStart(9)} ${Math.round(r.peakLag).toLocaleString('en').padStart(11)} ` +
        `${Math.round(r.cfuMinutes).toLocaleString('en').padStart(9)} ${Math.round(r.oracleCfuMinutes).toLocaleString('en').padStart(9)} ` +
        `${ratio.toFixed(2).padStart(6)} ${String(downInBacklog).padStart(15)} ${String(steady).padStart(9)}`,
    );
    writeFileSync(join(out, `autoscaler-${trace.name}.svg`), chart(r));
    if (process.argv.includes('--verbose'))
      for (const x of r.rescales)
        console.log(
          `    ${(x.t / 60).toFixed(1)} min: ${x.from} → ${x.to} CFU${x.backlog ? ' (backlog)' : ''}`,
        );
    if (converge !== null)
      verdicts.push(
        `${trace.name}: ≤3 rescales to converge ${converge <= 3 ? 'PASS' : 'MISS'} (${converge})`,
      );
    verdicts.push(
      `${trace.name}: CFU-minutes within 15% of the oracle ${ratio <= 1.15 ? 'PASS' : 'MISS'} (${((ratio - 1) * 100).toFixed(1)}%)`,
    );
    verdicts.push(`${trace.name}: no scale-down during backlog ${downInBacklog === 0 ? 'PASS' : 'MISS'}`);
    if (trace.steady.length)
      verdicts.push(`${trace.name}: no oscillation under steady load ${steady === 0 ? 'PASS' : 'MISS'}`);
  }
  console.log(verdicts.map((v) => `  ${v}`).join('\n'));
  console.log(`charts: ${TRACES.map((t) => `bench/out/autoscaler-${t.name}.svg`).join(', ')}`);
}

main();
