import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { JobManagerClient } from '@riffle/flink';
import {
  AvroTopics,
  createTestTenant,
  eventually,
  type Order,
  stackEnv,
  type TestTenant,
  uniqueSuffix,
} from '@riffle/testing';
import { Client } from 'pg';
import { listCells } from '../../deploy/local/src/cells';
import { stackPaths } from '../../deploy/local/src/paths';
import { as, registerKafka, type Riffle, startRiffle } from './support/riffle';

/**
 * The fleet on real local cells (`FLINK_FLEET=local`): a dedicated pool's statement makes the scheduler
 * start a cell of its own through the launcher, shared statements stay on the shared cell, and when the
 * dedicated cell's JVMs are killed its statement is restored on a new cell from its latest checkpoint,
 * with no record lost or duplicated in the (exactly-once) output topic.
 */
describe('fleet: placement across local cells and a lost cell', () => {
  const suffix = uniqueSuffix();
  const database = 'riffle_fleet';
  const base = stackEnv();
  const env: Record<string, string> = {
    ...base,
    DATABASE_URL: base.DATABASE_URL!.replace(/\/[^/]+$/, `/${database}`),
    REDIS_QUEUE_PREFIX: `riffle-fleet-${suffix}`,
    FLINK_FLEET: 'local',
    FLINK_FLEET_MAX_CELLS: '3',
    FLINK_FLEET_MAX_SLOTS_PER_CELL: '4',
    FLINK_FLEET_SLOTS_PER_TASKMANAGER: '4',
    FLINK_CELL_PROBE_INTERVAL_MS: '1000',
    FLINK_CELL_LOST_AFTER_MS: '8000',
    SCHEDULER_SWEEP_INTERVAL_MS: '1000',
    SCHEDULER_OBSERVE_INTERVAL_MS: '1000',
    AUTOSCALER_ENABLED: 'false',
    LOG_LEVEL: 'warn',
  };
  const paths = stackPaths();
  const topics = new AvroTopics(env.KAFKA_BOOTSTRAP_SERVERS!.split(','), env.SCHEMA_REGISTRY_URL!);
  const source = `fleet_in_${suffix}`;
  const sink = `fleet_out_${suffix}`;
  const sharedSink = `fleet_shared_${suffix}`;
  let riffle: Riffle;
  let tenant: TestTenant;
  const startedCells = new Set<string>();
  const cellsBefore = new Set<string>();

  const launcher = (...args: string[]) =>
    execFileSync(process.execPath, [require.resolve('tsx/cli'), 'deploy/local/src/cli.ts', ...args], {
      cwd: paths.root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 180_000,
    });
  const statementRow = async (name: string) =>
    (
      await riffle.db.query(
        `SELECT uid, phase, detail, cell_id, job_id, savepoint_path FROM statements WHERE name = $1 AND organization_id = $2`,
        [name, tenant.organizationId],
      )
    )[0] as {
      uid: string;
      phase: string;
      detail: string;
      cell_id: string | null;
      job_id: string | null;
      savepoint_path: string | null;
    };
  const running = (name: string, notJob?: string) =>
    eventually(
      `${name} RUNNING${notJob ? ` as a job other than ${notJob}` : ''}`,
      async () => {
        const row = await statementRow(name);
        if (row?.phase === 'FAILED') throw new Error(`${name} failed: ${row.detail}`);
        return row?.phase === 'RUNNING' && row.cell_id && row.job_id && row.job_id !== notJob
          ? row
          : undefined;
      },
      { timeoutMs: 240_000, intervalMs: 500 },
    );
  const cellOf = async (id: string) =>
    (await riffle.db.query('SELECT * FROM flink_cells WHERE id = $1', [id]))[0] as {
      state: string;
      dedicated_pool_id: string | null;
      rest_url: string;
      checkpoint_dir: string | null;
    };

  beforeAll(async () => {
    const admin = new Client({ connectionString: base.DATABASE_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${database}`);
    await admin.end();
    execFileSync(process.execPath, [require.resolve('tsx/cli'), 'libs/persistence/src/migrate.cli.ts'], {
      cwd: paths.root,
      env: { ...process.env, DATABASE_URL: env.DATABASE_URL },
      stdio: 'ignore',
    });
    // the cells the launcher runs now (cell-0 at least) are not this test's to stop; reading them from the
    // scheduler's table raced its registration of cell-0, and the cleanup then stopped the shared cell
    for (const { id } of listCells(paths)) cellsBefore.add(id);
    riffle = await startRiffle(env, { scheduler: true });
    tenant = await createTestTenant(riffle.db, 'fleet');
    await registerKafka(riffle.api, tenant, env);
  });

  afterAll(async () => {
    // statements are deleted (their jobs cancelled) so no job outlives the test on the shared cell
    if (riffle && tenant) {
      const names: { name: string }[] = await riffle.db.query(
        'SELECT name FROM statements WHERE organization_id = $1',
        [tenant.organizationId],
      );
      for (const { name } of names) await as(riffle.api, tenant).delete(`${tenant.statementsPath}/${name}`);
      await eventually(
        'statements deleted',
        async () =>
          (
            await riffle.db.query('SELECT 1 FROM statements WHERE organization_id = $1', [
              tenant.organizationId,
            ])
          ).length === 0 || undefined,
        { timeoutMs: 60_000 },
      ).catch(() => undefined);
    }
    // every cell this test made the scheduler start (dedicated ones, a shared one when cell-0 was full, the
    // replacement of a lost one) is stopped by PID through the launcher
    await riffle?.close();
    for (const { id } of listCells(paths)) startedCells.add(id);
    for (const cell of startedCells) if (!cellsBefore.has(cell)) launcher('cell', 'remove', cell);
    await topics.delete([source, sink, sharedSink]);
    await topics.close();
  }, 180_000);

  it('gives a dedicated pool its own cell and restores a lost cell’s statement from its checkpoint', async () => {
    const schemaId = await topics.create(source, 2);
    await topics.create(sink, 1);
    await topics.create(sharedSink, 1);
    const order = (id: number): Order => ({ id, customer: `c${id}`, amount: id / 4 });
    await topics.produce(
      source,
      schemaId,
      Array.from({ length: 500 }, (_, i) => order(i + 1)),
    );

    const pool = await as(riffle.api, tenant)
      .post('/fcpm/v2/compute-pools')
      .send({
        spec: {
          display_name: 'dedicated',
          max_cfu: 4,
          isolation: 'dedicated',
          environment: { id: tenant.environmentId },
        },
      })
      .expect(201);
    const poolId: string = pool.body.id;

    // a shared statement stays on the shared cell
    await as(riffle.api, tenant)
      .post(tenant.statementsPath)
      .send({
        name: `shared-${suffix}`,
        spec: { statement: `INSERT INTO ${sharedSink} SELECT * FROM ${source}` },
      })
      .expect(201);
    // the dedicated pool's statement gets a cell of its own: the local fleet starts one
    const name = `dedicated-${suffix}`;
    await as(riffle.api, tenant)
      .post(tenant.statementsPath)
      .send({
        name,
        spec: { statement: `INSERT INTO ${sink} SELECT * FROM ${source}`, compute_pool_id: poolId },
      })
      .expect(201);

    const shared = await running(`shared-${suffix}`);
    const first = await running(name);
    startedCells.add(first.cell_id!);
    expect(first.cell_id).not.toBe(shared.cell_id);
    expect((await cellOf(first.cell_id!)).dedicated_pool_id).toBe(poolId);
    expect((await cellOf(shared.cell_id!)).dedicated_pool_id).toBeNull();
    const cell = await cellOf(first.cell_id!);
    const jobs = await new JobManagerClient(cell.rest_url).findJobsByName(first.uid);
    expect(jobs.filter((j) => j.state === 'RUNNING')).toHaveLength(1);

    // some output committed, and a checkpoint retained after it
    expect((await topics.readAll<Order>(sink, 500, 90_000)).length).toBe(500);
    const checkpoints = cell.checkpoint_dir!.replace(/^file:\/\//, '');
    await eventually(
      'a completed checkpoint',
      async () => {
        const dir = join(checkpoints, first.job_id!);
        if (!existsSync(dir)) return undefined;
        return readdirSync(dir).some((d) => d.startsWith('chk-') && existsSync(join(dir, d, '_metadata')))
          ? true
          : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );

    // the cell dies: every JVM of it, SIGKILL
    const cluster = first.cell_id!.replace('cell-', '');
    for (const file of readdirSync(paths.run).filter(
      (f) => f.startsWith(`flink-${cluster}-`) && f.endsWith('.pid'),
    ))
      process.kill(Number(readFileSync(join(paths.run, file), 'utf8').trim()), 'SIGKILL');
    const killedAt = Date.now();
    await topics.produce(
      source,
      schemaId,
      Array.from({ length: 500 }, (_, i) => order(501 + i)),
    );

    // declared lost, its statement restored on a new dedicated cell (the local fleet may reuse the
    // lost cluster's number for it) from the killed job's newest checkpoint
    const moved = await running(name, first.job_id!);
    startedCells.add(moved.cell_id!);
    const recoverySeconds = (Date.now() - killedAt) / 1000;
    expect(moved.savepoint_path).toMatch(new RegExp(`^file://.*/${first.job_id}/chk-\\d+$`));
    expect((await cellOf(moved.cell_id!)).state).toBe('ACTIVE');
    expect((await cellOf(moved.cell_id!)).dedicated_pool_id).toBe(poolId);
    const restored = await new JobManagerClient((await cellOf(moved.cell_id!)).rest_url).findJobsByName(
      first.uid,
    );
    expect(restored.filter((j) => j.state === 'RUNNING').map((j) => j.jid)).toEqual([moved.job_id]);

    // exactly once: every id 1..1000 once in the committed output
    const out = await topics.readAll<Order>(sink, 1_000, 120_000);
    const ids = out.map((o) => o.id).sort((a, b) => a - b);
    expect(ids).toEqual(Array.from({ length: 1_000 }, (_, i) => i + 1));
    process.stdout.write(
      `fleet e2e: lost cell's statement running again after ${recoverySeconds.toFixed(1)} s\n`,
    );
  }, 600_000);
});
