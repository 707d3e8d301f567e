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
 * A JobManager without HA forgets its jobs when it dies. Riffle must not restart such a statement
 * from scratch (it would reprocess its input): it restores it from the job's newest retained checkpoint,
 * and an exactly-once output topic holds every record once.
 */
describe('a JobManager restart', () => {
  const scenario = new FaultScenario('Flink JobManager SIGKILLed under a running exactly-once INSERT');
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
  const source = `jm_in_${suffix}`;
  const sink = `jm_out_${suffix}`;
  const name = `survivor-${suffix}`;
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
    tenant = await createTestTenant(riffle.db, 'jm-restart');
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

    // the JobManager dies (SIGKILL) and comes back empty, as a pod restart without HA would
    const pid = Number(readFileSync(join(paths.run, 'flink-0-jobmanager.pid'), 'utf8').trim());
    process.kill(pid, 'SIGKILL');
    scenario.fault();
    await topics.produce(
      source,
      schemaId,
      Array.from({ length: 300 }, (_, i) => order(301 + i)),
    );
    const [jobManagerComponent] = flinkCluster({
      clusterId: 0,
      taskManagers: localStackOptions().taskManagersPerCluster,
      slotsPerTaskManager: localStackOptions().slotsPerTaskManager,
    });
    await eventually('the JobManager process gone', async () => {
      try {
        process.kill(pid, 0);
        return undefined;
      } catch {
        return true;
      }
    });
    await stackUp([jobManagerComponent!], paths, () => undefined); // a no-op if a supervisor restarted it
    await cellReady();

    const after = await eventually(
      `${name} RUNNING again as a new job`,
      async () => {
        const r = await row();
        if (r?.phase === 'FAILED') throw new Error(r.detail);
        return r?.phase === 'RUNNING' && r.job_id && r.job_id !== before.job_id ? r : undefined;
      },
      { timeoutMs: 180_000 },
    );
    scenario.recovered();
    // Flink says where the new job was restored from: the killed job's checkpoint
    const restored = await eventually('the restore recorded', async () => {
      const checkpoints = await fetch(`${env.FLINK_REST_URL}/jobs/${after.job_id}/checkpoints`).then(
        (r) => r.json() as Promise<{ latest?: { restored?: { external_path?: string } | null } }>,
      );
      return checkpoints.latest?.restored?.external_path;
    });
    scenario.check({
      name: "restored from the killed job's checkpoint, not from scratch",
      ok: typeof restored === 'string' && restored.includes(`${before.job_id}/chk-`),
      detail: `restored from ${restored}`,
    });
    const ids = (await topics.readAll<Order>(sink, 600, 120_000)).map((o) => o.id);
    await new Promise((r) => setTimeout(r, 2_000));
    scenario.check(exactlyOnceOutput(sink, ids, 600));
    scenario.check(await noAcknowledgedStatementLost(riffle.db, tenant.organizationId, [name]));
    scenario.check(
      await atMostOneFlinkJobPerStatement(riffle.db, tenant.organizationId, [env.FLINK_REST_URL!]),
    );
    scenario.finish();
  }, 600_000);
});
