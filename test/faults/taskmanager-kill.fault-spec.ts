import { readFileSync } from 'node:fs';
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
import { flinkCluster } from '../../deploy/local/src/components/flink';
import { stackPaths } from '../../deploy/local/src/paths';
import { stackUp } from '../../deploy/local/src/stack';
import { localStackOptions } from '../../deploy/local/src/stack-definition';
import { as, registerKafka, type Riffle, startRiffle } from '../e2e/support/riffle';
import {
  atMostOneFlinkJobPerStatement,
  exactlyOnceOutput,
  noAcknowledgedStatementLost,
} from './support/invariants';
import { FaultScenario } from './support/report';

/**
 * A TaskManager dies (SIGKILL, as a lost pod or machine) under a running exactly-once INSERT and comes
 * back: Flink's restart strategy restarts the same job from its newest checkpoint on the returned slots,
 * Riffle keeps the statement RUNNING on that one job, and the output topic holds every record once.
 */
describe('a TaskManager kill', () => {
  const scenario = new FaultScenario('Flink TaskManager SIGKILLed under a running exactly-once INSERT');
  const suffix = uniqueSuffix();
  const env: Record<string, string> = {
    ...stackEnv(),
    SCHEDULER_SWEEP_INTERVAL_MS: '1000',
    SCHEDULER_OBSERVE_INTERVAL_MS: '1000',
    AUTOSCALER_ENABLED: 'false',
    // the cell is not declared lost meanwhile: this is the restart path (the fleet spec covers a loss)
    FLINK_CELL_LOST_AFTER_MS: '600000',
    LOG_LEVEL: 'warn',
  };
  const paths = stackPaths();
  const topics = new AvroTopics(env.KAFKA_BOOTSTRAP_SERVERS!.split(','), env.SCHEMA_REGISTRY_URL!);
  const jobManager = new JobManagerClient(env.FLINK_REST_URL!, 3_000);
  const source = `tm_in_${suffix}`;
  const sink = `tm_out_${suffix}`;
  const name = `tm-survivor-${suffix}`;
  let riffle: Riffle;
  let tenant: TestTenant;

  const row = async () =>
    (
      await riffle.db.query(
        'SELECT uid, phase, detail, job_id FROM statements WHERE name = $1 AND organization_id = $2',
        [name, tenant.organizationId],
      )
    )[0] as { uid: string; phase: string; detail: string; job_id: string | null };
  /** the cell is usable again: a JobManager with a TaskManager and a free slot */
  const cellReady = () =>
    eventually(
      'the JobManager with a TaskManager registered',
      async () => {
        const overview = await jobManager.overview();
        return overview.taskmanagers > 0 && overview['slots-available'] > 0 ? true : undefined;
      },
      { timeoutMs: 180_000, intervalMs: 1_000 },
    );

  beforeAll(async () => {
    riffle = await startRiffle(env, { scheduler: true });
    tenant = await createTestTenant(riffle.db, 'tm-kill');
    await registerKafka(riffle.api, tenant, env);
  });

  afterAll(async () => {
    await as(riffle.api, tenant).delete(`${tenant.statementsPath}/${name}`);
    await eventually('the statement deleted', async () => ((await row()) ? undefined : true), {
      timeoutMs: 60_000,
    }).catch(() => undefined);
    await riffle?.close();
    await topics.delete([source, sink]);
    await topics.close();
  }, 120_000);

  it('restores the statement from its newest checkpoint, with no record lost or duplicated', async () => {
    const order = (id: number): Order => ({ id, customer: `c${id}`, amount: id });
    const schemaId = await topics.create(source, 2);
    await topics.create(sink, 1);
    await topics.produce(
      source,
      schemaId,
      Array.from({ length: 300 }, (_, i) => order(i + 1)),
    );
    await as(riffle.api, tenant)
      .post(tenant.statementsPath)
      .send({ name, spec: { statement: `INSERT INTO ${sink} SELECT * FROM ${source}` } })
      .expect(201);
    const before = await eventually(
      `${name} RUNNING`,
      async () => {
        const r = await row();
        return r?.phase === 'RUNNING' && r.job_id ? r : undefined;
      },
      { timeoutMs: 150_000 },
    );
    expect((await topics.readAll<Order>(sink, 300, 90_000)).length).toBe(300);
    await eventually(
      'a completed checkpoint',
      async () => {
        const checkpoints = await fetch(`${env.FLINK_REST_URL}/jobs/${before.job_id}/checkpoints`).then(
          (r) => r.json() as Promise<{ counts?: { completed?: number } }>,
        );
        return (checkpoints.counts?.completed ?? 0) > 0 ? true : undefined;
      },
      { timeoutMs: 60_000 },
    );

    // the TaskManager dies (SIGKILL) while the job runs on its slots
    const pid = Number(readFileSync(join(paths.run, 'flink-0-taskmanager-0.pid'), 'utf8').trim());
    process.kill(pid, 'SIGKILL');
    scenario.fault();
    await topics.produce(
      source,
      schemaId,
      Array.from({ length: 300 }, (_, i) => order(301 + i)),
    );
    const taskManagerComponent = flinkCluster({
      clusterId: 0,
      taskManagers: localStackOptions().taskManagersPerCluster,
      slotsPerTaskManager: localStackOptions().slotsPerTaskManager,
    }).find((c) => c.name === 'flink-0-taskmanager-0');
    await eventually('the TaskManager process gone', async () => {
      try {
        process.kill(pid, 0);
        return undefined;
      } catch {
        return true;
      }
    });
    await stackUp([taskManagerComponent!], paths, () => undefined); // a no-op if a supervisor restarted it
    await cellReady();

    // the same job, restarted by Flink from its checkpoint
    const restored = await eventually(
      'the job restored from a checkpoint and RUNNING',
      async () => {
        const checkpoints = await fetch(`${env.FLINK_REST_URL}/jobs/${before.job_id}/checkpoints`).then(
          (r) => r.json() as Promise<{ latest?: { restored?: { external_path?: string } | null } }>,
        );
        const job = (await jobManager.jobsOverview()).find((j) => j.jid === before.job_id);
        return job?.state === 'RUNNING' ? checkpoints.latest?.restored?.external_path : undefined;
      },
      { timeoutMs: 240_000, intervalMs: 1_000 },
    );
    scenario.recovered();
    const after = await row();
    scenario.check({
      name: 'the statement stays RUNNING on its one job',
      ok: after.phase === 'RUNNING' && after.job_id === before.job_id,
      detail: `${after.phase} on ${after.job_id} (was ${before.job_id})`,
    });
    scenario.check({
      name: 'restored from its checkpoint, not from scratch',
      ok: typeof restored === 'string' && restored.includes(`${before.job_id}/chk-`),
      detail: `restored from ${restored}`,
    });
    const ids = (await topics.readAll<Order>(sink, 600, 120_000)).map((o) => o.id);
    await new Promise((r) => setTimeout(r, 2_000));
    scenario.check(exactlyOnceOutput(sink, ids, 600));
    scenario.check(await noAcknowledgedStatementLost(riffle.db, tenant.organizationId, [name]));
    scenario.check(
      await atMostOneFlinkJobPerStatement(riffle.db, tenant.organizationId, [env.FLINK_REST_URL!], {
        strict: true,
      }),
    );
    scenario.finish();
  }, 600_000);
});
