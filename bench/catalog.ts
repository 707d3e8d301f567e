/**
 * `npm run bench:catalog [-- --tables N] [-- --keep]`: how long Riffle's catalog takes to list a database
 * of 1,000 Avro tables and to describe each of them, through the use cases the REST API calls (ListTables,
 * GetTable → EnvironmentTables → KafkaTopicCatalog), cold (caches emptied before each read) and cached
 * (the same read again at once), p50/p99, next to baselines measured in the same run on the same topics:
 * a raw kafkajs `listTopics()`, and for one table a raw registry GET of the value subject's latest
 * version and a raw kafkajs `fetchTopicMetadata` of the topic. Runs against the local stack's Kafka and
 * registry (`npm run stack:up`), no Postgres, Redis or Flink.
 *
 * The topics (`riffle-bench-catalog.t0000` …, one partition, an Avro value schema, a key schema on every
 * fifth) are created if missing and reused if a previous run left them (`--keep`); without `--keep` they
 * and their subjects are deleted at the end. A measurement, not a test: exit 0 once it has measured.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import {
  type EnvironmentRecord,
  GetTable,
  type IdentityRepository,
  type KafkaClusterRecord,
  type KafkaClusterRepository,
  ListTables,
  type Principal,
} from '@riffle/application';
import { KafkaTopicCatalog, createTopicsWithLeaders } from '@riffle/kafka';
import { type Admin, Kafka, logLevel } from 'kafkajs';

const arg = (name: string) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : undefined;
};
const TABLES = Number(arg('--tables') ?? 1_000);
if (!Number.isInteger(TABLES) || TABLES < 10) throw new Error('--tables takes a whole number ≥ 10');
const KEEP = process.argv.includes('--keep');
const LIST_RUNS = 50;
const PREFIX = 'riffle-bench-catalog.';
const KEY_EVERY = 5;
const CONCURRENCY = 8;
const BOOTSTRAP = process.env.KAFKA_BOOTSTRAP_SERVERS ?? '127.0.0.1:9092';
const REGISTRY = process.env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7';
const say = (message: string) => process.stdout.write(`▸ ${message}\n`);

const names = Array.from({ length: TABLES }, (_, i) => `${PREFIX}t${String(i).padStart(4, '0')}`);
const hasKey = (i: number) => i % KEY_EVERY === 0;
const valueSchema = (i: number) =>
  JSON.stringify({
    type: 'record',
    name: `BenchValue${i}`,
    namespace: 'riffle.bench',
    fields: [
      { name: 'id', type: 'long' },
      { name: 'customer', type: 'string' },
      { name: 'amount', type: { type: 'bytes', logicalType: 'decimal', precision: 10, scale: 2 } },
      { name: 'created', type: { type: 'long', logicalType: 'timestamp-millis' } },
      { name: 'tags', type: { type: 'array', items: 'string' } },
      { name: 'note', type: ['null', 'string'], default: null },
    ],
  });
const keySchema = (i: number) =>
  JSON.stringify({
    type: 'record',
    name: `BenchKey${i}`,
    namespace: 'riffle.bench',
    fields: [{ name: 'id', type: 'long' }],
  });

/** runs `work` over `items`, `CONCURRENCY` at a time */
async function pool<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

async function registry(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown) {
  const response = await fetch(`${REGISTRY}${path}`, {
    method,
    signal: AbortSignal.timeout(10_000),
    ...(body === undefined
      ? {}
      : {
          headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
          body: JSON.stringify(body),
        }),
  });
  const text = await response.text();
  return { status: response.status, text };
}

/** the topics and subjects, created where missing; answers how many of each it made */
async function setUp(admin: Admin): Promise<{ topics: number; subjects: number }> {
  const existing = new Set(await admin.listTopics());
  const missing = names.filter((name) => !existing.has(name));
  for (let i = 0; i < missing.length; i += 200) {
    const batch = missing.slice(i, i + 200);
    await createTopicsWithLeaders(
      admin,
      batch.map((topic) => ({ topic, numPartitions: 1, replicationFactor: 1 })),
      { timeout: 60_000, leadersWaitMs: 60_000 },
    );
  }
  const subjects = new Set(JSON.parse((await registry('GET', '/subjects')).text) as string[]);
  const wanted = names.flatMap((name, i) => [
    { subject: `${name}-value`, schema: valueSchema(i) },
    ...(hasKey(i) ? [{ subject: `${name}-key`, schema: keySchema(i) }] : []),
  ]);
  const toRegister = wanted.filter(({ subject }) => !subjects.has(subject));
  await pool(toRegister, async ({ subject, schema }) => {
    const { status, text } = await registry('POST', `/subjects/${encodeURIComponent(subject)}/versions`, {
      schema,
      schemaType: 'AVRO',
    });
    if (status !== 200) throw new Error(`registering ${subject}: ${status} ${text}`);
  });
  return { topics: missing.length, subjects: toRegister.length };
}

async function tearDown(admin: Admin): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const ours = names.filter((name) => existing.has(name));
  for (let i = 0; i < ours.length; i += 100)
    await admin.deleteTopics({ topics: ours.slice(i, i + 100), timeout: 60_000 });
  const subjects = names.flatMap((name, i) => [`${name}-value`, ...(hasKey(i) ? [`${name}-key`] : [])]);
  await pool(subjects, async (subject) => {
    const path = `/subjects/${encodeURIComponent(subject)}`;
    await registry('DELETE', path);
    await registry('DELETE', `${path}?permanent=true`);
  });
}

async function millis(work: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function main(): Promise<void> {
  const admin = new Kafka({
    clientId: 'riffle-bench-catalog',
    brokers: BOOTSTRAP.split(','),
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  let measured = false;
  try {
    const setupStarted = Date.now();
    const made = await setUp(admin);
    say(
      `${TABLES} topics under ${PREFIX}: created ${made.topics} topics and ${made.subjects} subjects, ` +
        `reused the rest (${((Date.now() - setupStarted) / 1000).toFixed(1)} s)`,
    );

    // the catalog exactly as the API wires it, with in-memory identity and cluster repositories
    const environment: EnvironmentRecord = {
      id: 'env-bench',
      organizationId: 'org-bench',
      name: 'bench',
      createdAt: new Date(),
    };
    const cluster: KafkaClusterRecord = {
      id: 'lkc-bench',
      organizationId: environment.organizationId,
      environmentId: environment.id,
      name: 'main',
      kind: 'external',
      bootstrapServers: BOOTSTRAP,
      schemaRegistryUrl: REGISTRY,
      createdAt: new Date(),
    };
    const identities = { findEnvironment: async () => environment } as unknown as IdentityRepository;
    // no table settings stored (the SQL repository serves them from a 1 s cache: one primary-key read cold)
    const clusters = {
      list: async () => [cluster],
      findTableSettings: async () => undefined,
    } as unknown as KafkaClusterRepository;
    const principal: Principal = {
      organizationId: environment.organizationId,
      serviceAccountId: 'sa',
      apiKeyId: 'k',
      roles: [],
    };
    const catalog = new KafkaTopicCatalog();
    const uncached = new KafkaTopicCatalog({ cacheTtlMs: 0 });
    const listTables = new ListTables(identities, clusters, catalog);
    const getTable = new GetTable(identities, clusters, catalog);
    const getUncached = new GetTable(identities, clusters, uncached);
    const list = () => listTables.execute(principal, environment.organizationId, environment.id, 'main');
    const describe = (use: GetTable, name: string) =>
      use.execute(principal, environment.organizationId, environment.id, 'main', name);

    // connections and lazy module loading once, outside the samples
    const listed = await list();
    const seen = listed.tables.filter((name) => name.startsWith(PREFIX)).length;
    if (seen !== TABLES) throw new Error(`ListTables found ${seen} of the ${TABLES} bench tables`);
    await describe(getTable, names[0]!);
    await describe(getUncached, names[0]!);

    const samples = { listRaw: [] as number[], listCold: [] as number[], listCached: [] as number[] };
    for (let run = 0; run < LIST_RUNS; run++) {
      samples.listRaw.push(await millis(() => admin.listTopics()));
      catalog.clearCache();
      samples.listCold.push(await millis(list));
      samples.listCached.push(await millis(list));
    }

    const describeSamples = {
      registry: [] as number[],
      metadata: [] as number[],
      cold: [] as number[],
      cached: [] as number[],
    };
    for (const name of names) {
      describeSamples.registry.push(
        await millis(() =>
          registry('GET', `/subjects/${encodeURIComponent(`${name}-value`)}/versions/latest`),
        ),
      );
      describeSamples.metadata.push(await millis(() => admin.fetchTopicMetadata({ topics: [name] })));
      catalog.clearCache();
      describeSamples.cold.push(await millis(() => describe(getTable, name)));
      describeSamples.cached.push(await millis(() => describe(getTable, name)));
    }

    // SHOW TABLES then DESCRIBE of every table, one after the other, as a client browsing the catalog
    catalog.clearCache();
    const passCached = await millis(async () => {
      for (const name of names) await describe(getTable, name);
    });
    const passUncached = await millis(async () => {
      for (const name of names) await describe(getUncached, name);
    });
    measured = true;

    const f = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms >= 1 ? ms.toFixed(2) : ms.toFixed(3));
    const rows: string[][] = [];
    const row = (what: string, values: number[], baseline?: number[]) => {
      const p50 = percentile(values, 50);
      rows.push([
        what,
        f(p50),
        f(percentile(values, 99)),
        baseline ? `${(p50 / percentile(baseline, 50)).toFixed(2)}×` : '',
      ]);
    };
    row(`raw kafkajs listTopics (${LIST_RUNS} runs)`, samples.listRaw);
    row('SHOW TABLES (ListTables), cold', samples.listCold, samples.listRaw);
    row('SHOW TABLES (ListTables), cached', samples.listCached, samples.listRaw);
    row(`raw registry GET …-value/versions/latest (${TABLES} tables)`, describeSamples.registry);
    row('raw kafkajs fetchTopicMetadata (1 topic)', describeSamples.metadata, describeSamples.registry);
    row('DESCRIBE (GetTable), cold', describeSamples.cold, describeSamples.registry);
    row('DESCRIBE (GetTable), cached', describeSamples.cached, describeSamples.registry);
    const header = ['measurement', 'p50 ms', 'p99 ms', '× baseline p50'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    process.stdout.write(
      `\nCatalog bench: node ${process.version}, ${cpus().length} CPUs, load ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}, ${TABLES} Avro tables (key schema on every ${KEY_EVERY}th), cache TTL 1 s\n\n`,
    );
    for (const cells of [header, ...rows])
      process.stdout.write(`${cells.map((c, i) => c.padEnd(widths[i]!)).join('  ')}\n`);
    process.stdout.write(
      `\nDESCRIBE of all ${TABLES} tables one after the other: ${(passCached / 1000).toFixed(2)} s with the cache ` +
        `(from empty), ${(passUncached / 1000).toFixed(2)} s without (TTL 0): ${(passUncached / passCached).toFixed(2)}× \n` +
        'cold: every cache emptied before the read (topic list, topic configs, latest subject versions);\n' +
        'cached: the same read again at once. × baseline: p50 over the p50 of the raw call above it\n' +
        '(listTopics for SHOW TABLES, the registry GET for one table).\n',
    );
    const out = join(__dirname, 'out');
    mkdirSync(out, { recursive: true });
    writeFileSync(
      join(out, 'catalog.json'),
      JSON.stringify(
        {
          tables: TABLES,
          rows,
          passCachedMs: passCached,
          passUncachedMs: passUncached,
          samples,
          describeSamples,
        },
        null,
        2,
      ),
    );
    await catalog.onApplicationShutdown();
    await uncached.onApplicationShutdown();
  } finally {
    if (KEEP) say(`kept the ${TABLES} bench topics and subjects for the next run (--keep)`);
    else {
      const started = Date.now();
      await tearDown(admin).catch((error: Error) => say(`clean-up failed: ${error.message}`));
      say(`deleted the bench topics and subjects (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    }
    await admin.disconnect();
  }
  if (!measured) process.exitCode = 1;
}

main().catch((error: Error) => {
  process.stderr.write(`bench:catalog could not measure: ${error.stack ?? error.message}\n`);
  process.exitCode = 1;
});
