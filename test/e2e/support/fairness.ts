import { setTimeout as sleep } from 'node:timers/promises';
import { databaseConfig } from '@riffle/config';
import { JobManagerClient } from '@riffle/flink';
import { createDataSource } from '@riffle/persistence';
import { AvroTopics, createTestTenant, type TestTenant, uniqueSuffix } from '@riffle/testing';
import type { Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { flinkCluster } from '../../../deploy/local/src/components/flink';
import { stackPaths } from '../../../deploy/local/src/paths';
import { stackDown, stackUp } from '../../../deploy/local/src/stack';
import { type AppProcess, buildApps, freshDatabase, startApp, stopApp, waitReady } from './processes';

/**
 * The fairness scenario of DESIGN §9.1, shared by its e2e test and `npm run bench:fairness`: two
 * organizations on one Riffle (an API process and N scheduler processes, own database and queues) and
 * one Flink cell with an extra TaskManager for the slots. Tenant A holds open queries (some unread, some
 * read continuously) and submits a burst of statements; tenant B's latencies are measured idle and
 * under A's load.
 */
export interface Latencies {
  /** POST of `SHOW TABLES` → COMPLETED seen */
  metadataMs: number[];
  /** POST of an INSERT → RUNNING seen */
  insertMs: number[];
  /** DELETE of that INSERT → 404 */
  deleteMs: number[];
  /** where each metadata statement's time went: the POST, its wait in the queue, its pass, until seen */
  metadataParts: { postMs: number; queueMs: number; passMs: number; seenMs: number }[];
}

export interface Load {
  heldUnread: number;
  heldRead: number;
  burst: number;
}

const API_PORT = 18741;
const SCHEDULER_PORTS = [18742, 18743, 18744];
/** B's own polling of its statements: a sample is late by at most this */
const POLL_MS = 25;
/** rows a second into A's source, which every held query reads */
const SOURCE_RATE = 10;

type Say = (message: string) => void;

interface Statement {
  status?: { phase: string; detail: string };
}

export class FairnessRig {
  a!: TestTenant;
  b!: TestTenant;
  readonly schedulers: AppProcess[] = [];
  private api: AppProcess | undefined;
  private db: DataSource | undefined;
  private dist = '';
  private readonly suffix = uniqueSuffix();
  private readonly topics: AvroTopics;
  private readonly created: string[] = [];
  private readonly extraTaskManager;
  private readonly paths = stackPaths();
  private readonly env: Record<string, string>;
  private aSchema = 0;
  private bSample = 0;

  constructor(
    stack: Record<string, string>,
    private readonly options: { schedulers: number; extraSlots: number; database: string; say: Say },
  ) {
    this.env = {
      ...stack,
      AUTOSCALER_ENABLED: 'false',
      API_RATE_LIMIT_PER_MINUTE: '1000000',
      API_MAX_OPEN_QUERIES_PER_ENVIRONMENT: '40',
      STATEMENT_RESULTS_IDLE_TIMEOUT_MS: '900000',
      SHUTDOWN_GRACE_MS: '10000',
      LOG_LEVEL: 'warn',
    };
    this.topics = new AvroTopics(stack.KAFKA_BOOTSTRAP_SERVERS!.split(','), stack.SCHEMA_REGISTRY_URL!);
    // a second TaskManager on cell 0 for the held queries' slots; stopped again by close()
    this.extraTaskManager = flinkCluster({
      clusterId: 0,
      taskManagers: 2,
      slotsPerTaskManager: options.extraSlots,
    }).find((c) => c.name === 'flink-0-taskmanager-1')!;
  }

  get aSource() {
    return `fair_a_in_${this.suffix}`;
  }
  get aSink() {
    return `fair_a_out_${this.suffix}`;
  }
  get bSource() {
    return `fair_b_in_${this.suffix}`;
  }
  get bSink() {
    return `fair_b_out_${this.suffix}`;
  }

  async start(): Promise<void> {
    const { say } = this.options;
    say('building the apps, starting an extra TaskManager…');
    this.env.DATABASE_URL = await freshDatabase(this.env, this.options.database);
    [this.dist] = await Promise.all([
      buildApps('fairness'),
      stackUp([this.extraTaskManager], this.paths, () => undefined),
    ]);
    // the JobManager counts the extra TaskManager's slots once it has registered
    const slots = async () =>
      (
        (await fetch(`${this.env.FLINK_REST_URL}/overview`).then((r) => r.json())) as {
          'slots-total': number;
        }
      )['slots-total'];
    const deadline = Date.now() + 60_000;
    while ((await slots()) < this.options.extraSlots && Date.now() < deadline) await sleep(500);
    this.db = createDataSource(databaseConfig.load(this.env));
    await this.db.initialize();
    [this.a, this.b] = await Promise.all([
      createTestTenant(this.db, 'fair-a'),
      createTestTenant(this.db, 'fair-b'),
    ]);
    this.api = startApp(this.dist, 'api', { ...this.env, API_PORT: String(API_PORT) });
    for (let i = 0; i < this.options.schedulers; i++) await this.startScheduler(i);
    await waitReady(this.api, API_PORT);
    for (const tenant of [this.a, this.b]) {
      const cluster = await this.call(tenant, 'POST', '/cmk/v2/clusters', {
        display_name: 'main',
        spec: {
          environment: { id: tenant.environmentId },
          bootstrap_servers: this.env.KAFKA_BOOTSTRAP_SERVERS,
          schema_registry_url: this.env.SCHEMA_REGISTRY_URL,
        },
      });
      if (cluster.status !== 201) throw new Error(`registering Kafka: ${cluster.status}`);
    }
    this.aSchema = await this.topics.create(this.aSource, 1);
    for (const topic of [this.aSink, this.bSource, this.bSink]) await this.topics.create(topic, 1);
    this.created.push(this.aSource, this.aSink, this.bSource, this.bSink);
  }

  private aPool = '';

  async startScheduler(i: number): Promise<void> {
    const port = SCHEDULER_PORTS[i]!;
    const scheduler = startApp(
      this.dist,
      'scheduler',
      { ...this.env, SCHEDULER_PORT: String(port) },
      `scheduler-${i}`,
    );
    this.schedulers[i] = scheduler;
    await waitReady(scheduler, port);
  }

  /** SIGKILL of one scheduler replica (a crashed pod) */
  async killScheduler(i: number): Promise<void> {
    await stopApp(this.schedulers[i], 'SIGKILL');
  }

  async call(tenant: TestTenant, method: string, path: string, body?: object) {
    const response = await fetch(`http://127.0.0.1:${API_PORT}${path}`, {
      method,
      headers: { authorization: tenant.authorization, 'content-type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : {}) as unknown };
  }

  private async phaseOf(tenant: TestTenant, name: string): Promise<Statement['status'] | 'gone'> {
    const answer = await this.call(tenant, 'GET', `${tenant.statementsPath}/${name}`);
    if (answer.status === 404) return 'gone';
    return (answer.body as Statement).status;
  }

  /** polls until the statement is in `phase` (or gone, for 'gone'); answers the ms since `since` */
  private async until(tenant: TestTenant, name: string, phase: string, since: number, timeoutMs = 120_000) {
    for (;;) {
      const seen = await this.phaseOf(tenant, name);
      if ((seen === 'gone' ? 'gone' : seen?.phase) === phase) return performance.now() - since;
      if (seen !== 'gone' && seen?.phase === 'FAILED') throw new Error(`${name} FAILED: ${seen.detail}`);
      if (performance.now() - since > timeoutMs)
        throw new Error(`${name} not ${phase} after ${timeoutMs} ms (${JSON.stringify(seen)})`);
      await sleep(POLL_MS);
    }
  }

  /** B's statements, one after another: metadata statements, then INSERTs started and deleted */
  async measureB(samples: { metadata: number; inserts: number }): Promise<Latencies> {
    const latencies: Latencies = { metadataMs: [], insertMs: [], deleteMs: [], metadataParts: [] };
    for (let i = 0; i < samples.metadata; i++) {
      const name = `b-show-${this.bSample++}`;
      const since = performance.now();
      const sinceWall = Date.now();
      const created = await this.call(this.b, 'POST', this.b.statementsPath, {
        name,
        spec: { statement: 'SHOW TABLES' },
      });
      if (created.status !== 201) throw new Error(`B's SHOW TABLES: ${created.status}`);
      const posted = Date.now();
      latencies.metadataMs.push(await this.until(this.b, name, 'COMPLETED', since));
      const seen = (await this.call(this.b, 'GET', `${this.b.statementsPath}/${name}`)).body as {
        metadata: { created_at: string };
        status: { start_time: string; end_time: string };
      };
      const [createdAt, start, end] = [
        seen.metadata.created_at,
        seen.status.start_time,
        seen.status.end_time,
      ].map((t) => Date.parse(t)) as [number, number, number];
      latencies.metadataParts.push({
        postMs: posted - sinceWall,
        queueMs: start - createdAt,
        passMs: end - start,
        seenMs: sinceWall + latencies.metadataMs.at(-1)! - end,
      });
    }
    for (let i = 0; i < samples.inserts; i++) {
      const name = `b-insert-${this.bSample++}`;
      const since = performance.now();
      const created = await this.call(this.b, 'POST', this.b.statementsPath, {
        name,
        spec: { statement: `INSERT INTO ${this.bSink} SELECT * FROM ${this.bSource}` },
      });
      if (created.status !== 201) throw new Error(`B's INSERT: ${created.status}`);
      latencies.insertMs.push(await this.until(this.b, name, 'RUNNING', since));
      const deleting = performance.now();
      await this.call(this.b, 'DELETE', `${this.b.statementsPath}/${name}`);
      latencies.deleteMs.push(await this.until(this.b, name, 'gone', deleting, 60_000));
    }
    return latencies;
  }

  /**
   * A's load: held queries over a source that receives rows steadily, some read continuously; then a
   * burst of statements (metadata statements and INSERTs its pool makes wait). Resolves once the held
   * queries run and the burst is under way; `stop()` ends the readers and the producer.
   */
  async loadA(load: Load): Promise<ALoad> {
    const { say } = this.options;
    const held = load.heldUnread + load.heldRead;
    say(`A: ${held} queries (${load.heldRead} read continuously)…`);
    // A's pool: room for its held queries and two of its burst's INSERTs; the rest of them wait
    const pool = await this.call(this.a, 'POST', '/fcpm/v2/compute-pools', {
      spec: { display_name: 'a-pool', max_cfu: held + 2, environment: { id: this.a.environmentId } },
    });
    if (pool.status !== 201)
      throw new Error(`creating A's pool: ${pool.status} ${JSON.stringify(pool.body)}`);
    this.aPool = (pool.body as { id: string }).id;
    await Promise.all(
      Array.from({ length: held }, async (_, i) => {
        const answer = await this.call(this.a, 'POST', this.a.statementsPath, {
          name: `a-held-${i}`,
          spec: { statement: `SELECT * FROM ${this.aSource}`, compute_pool_id: this.aPool },
        });
        if (answer.status !== 201)
          throw new Error(`A's query ${i}: ${answer.status} ${JSON.stringify(answer.body)}`);
      }),
    );
    const started = performance.now();
    for (let i = 0; i < held; i++) await this.until(this.a, `a-held-${i}`, 'RUNNING', started, 240_000);
    say(`A: ${held} queries RUNNING after ${Math.round((performance.now() - started) / 1000)} s`);
    const handle = new ALoad(this, await this.producer(), load.heldRead);
    handle.start();
    await sleep(2_000);
    say(`A: a burst of ${load.burst} statements…`);
    handle.burst = this.burst(load.burst);
    return handle;
  }

  private async producer(): Promise<Producer> {
    const producer = this.topics.kafka.producer();
    await producer.connect();
    return producer;
  }

  /** produces A's next second of rows (ids from `next`) */
  async produceA(producer: Producer, next: number): Promise<number> {
    const messages = await Promise.all(
      Array.from({ length: SOURCE_RATE }, async (_, i) => ({
        value: await this.topics.registry.encode(this.aSchema, { id: next + i, customer: 'c', amount: 1 }),
      })),
    );
    await producer.send({ topic: this.aSource, messages });
    return next + SOURCE_RATE;
  }

  /** how long each of A's burst submissions took to be answered (201) */
  readonly aPostMs: number[] = [];

  /** `count` of A's statements, 20 at a time: four in five `SHOW TABLES`, the rest INSERTs that mostly wait */
  private async burst(count: number): Promise<number> {
    let next = 0;
    let accepted = 0;
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        for (let i = next++; i < count; i = next++) {
          const insert = i % 5 === 4;
          const since = performance.now();
          const answer = await this.call(this.a, 'POST', this.a.statementsPath, {
            name: `a-burst-${i}`,
            spec: {
              statement: insert ? `INSERT INTO ${this.aSink} SELECT * FROM ${this.aSource}` : 'SHOW TABLES',
              ...(insert ? { compute_pool_id: this.aPool } : {}),
            },
          });
          if (answer.status === 201) {
            accepted++;
            this.aPostMs.push(performance.now() - since);
          }
        }
      }),
    );
    return accepted;
  }

  /** reads a query's results from the start, page by page, for as long as `running()` says */
  async readContinuously(name: string, running: () => boolean, seen: Map<string, number[]>): Promise<void> {
    let token = '';
    const ids: number[] = [];
    seen.set(name, ids);
    while (running()) {
      const path = `${this.a.statementsPath}/${name}/results${token ? `?page_token=${token}` : ''}`;
      const answer = await this.call(this.a, 'GET', path).catch(() => undefined);
      if (answer?.status === 200) {
        const body = answer.body as {
          metadata: { next: string };
          results: { data: { row: unknown[] }[] };
        };
        ids.push(...body.results.data.map((r) => Number(r.row[0])));
        token =
          new URL(body.metadata.next || 'http://x/', 'http://x').searchParams.get('page_token') ?? token;
      }
      await sleep(200);
    }
  }

  /** Flink jobs per held query: each must have exactly one live job */
  async liveJobsPerQuery(): Promise<Map<string, number>> {
    const rows: { name: string; uid: string }[] = await this.db!.query(
      `SELECT name, uid FROM statements WHERE organization_id = $1 AND name LIKE 'a-held-%'`,
      [this.a.organizationId],
    );
    const jobs = await new JobManagerClient(this.env.FLINK_REST_URL!).jobsOverview();
    const live = new Set(['INITIALIZING', 'CREATED', 'RUNNING', 'RESTARTING', 'FAILING', 'RECONCILING']);
    return new Map(
      rows.map((r) => [r.name, jobs.filter((j) => j.name === r.uid && live.has(j.state)).length]),
    );
  }

  /** deletes every statement of both tenants and waits until they are gone (their jobs cancelled) */
  async deleteEverything(): Promise<void> {
    if (!this.db) return;
    for (const tenant of [this.a, this.b].filter(Boolean)) {
      const rows: { name: string }[] = await this.db.query(
        'SELECT name FROM statements WHERE organization_id = $1',
        [tenant.organizationId],
      );
      for (let i = 0; i < rows.length; i += 25)
        await Promise.all(
          rows
            .slice(i, i + 25)
            .map((r) =>
              this.call(tenant, 'DELETE', `${tenant.statementsPath}/${r.name}`).catch(() => undefined),
            ),
        );
    }
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      const [{ left }] = (await this.db.query(
        'SELECT count(*)::int AS left FROM statements WHERE organization_id = ANY($1)',
        [[this.a?.organizationId, this.b?.organizationId].filter(Boolean)],
      )) as { left: number }[];
      if (left === 0) return;
      await sleep(1_000);
    }
  }

  async close(): Promise<void> {
    await this.deleteEverything().catch((e: Error) => this.options.say(`clean-up: ${e.message}`));
    await Promise.all(
      [this.api, ...this.schedulers].map((app) => stopApp(app, 'SIGTERM', 15_000).catch(() => undefined)),
    );
    await stackDown([this.extraTaskManager], this.paths, () => undefined, [this.extraTaskManager.name]).catch(
      () => undefined,
    );
    await this.topics.delete(this.created).catch(() => undefined);
    await this.topics.close();
    await this.db?.destroy();
  }
}

/** A's running load: the producer, the continuous readers, and the burst under way */
export class ALoad {
  burst: Promise<number> = Promise.resolve(0);
  readonly seen = new Map<string, number[]>();
  private running = true;
  private readonly loops: Promise<void>[] = [];

  constructor(
    private readonly rig: FairnessRig,
    private readonly producer: Producer,
    private readonly readers: number,
  ) {}

  start(): void {
    this.loops.push(
      (async () => {
        let next = 1;
        while (this.running) {
          next = await this.rig.produceA(this.producer, next).catch(() => next);
          await sleep(1_000);
        }
      })(),
    );
    for (let i = 0; i < this.readers; i++)
      this.loops.push(this.rig.readContinuously(`a-held-${i}`, () => this.running, this.seen));
  }

  /** rows each continuously read query has delivered so far */
  delivered(): number[] {
    return [...this.seen.values()].map((ids) => ids.length);
  }

  /** continuously read queries that delivered a row twice */
  duplicated(): string[] {
    return [...this.seen.entries()]
      .filter(([, ids]) => new Set(ids).size !== ids.length)
      .map(([name]) => name);
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    await this.burst;
    await this.producer.disconnect();
  }
}

export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

export function median(samples: number[]): number {
  return percentile(samples, 50);
}
