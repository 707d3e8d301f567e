import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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
 * The SQL Gateway dies while the scheduler is submitting a statement through it, and comes back: the
 * statement ends RUNNING with exactly one Flink job (a job the gateway created before it died is adopted,
 * never doubled), and its exactly-once output holds every record once.
 */
describe('a SQL Gateway kill mid-submission', () => {
  const scenario = new FaultScenario('SQL Gateway SIGKILLed while a statement is being submitted');
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
  const source = `gw_in_${suffix}`;
  const sink = `gw_out_${suffix}`;
  const name = `gw-survivor-${suffix}`;
  let riffle: Riffle;
  let tenant: TestTenant;

  const row = async () =>
    (
      await riffle.db.query(
        'SELECT uid, phase, detail, job_id FROM statements WHERE name = $1 AND organization_id = $2',
        [name, tenant.organizationId],
      )
    )[0] as { uid: string; phase: string; detail: string; job_id: string | null };
  beforeAll(async () => {
    riffle = await startRiffle(env, { scheduler: true });
    tenant = await createTestTenant(riffle.db, 'gateway-kill');
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

  it('runs the statement once, with no record lost or duplicated', async () => {
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
    // the scheduler takes the statement at once and spends about a second in the gateway (session,
    // catalog, tables, then the job): the gateway dies in the middle of that
    await new Promise((r) => setTimeout(r, 300));
    const pid = Number(readFileSync(join(paths.run, 'flink-0-sql-gateway.pid'), 'utf8').trim());
    process.kill(pid, 'SIGKILL');
    scenario.fault();
    const atKill = await row();
    const phaseAtKill = `${atKill?.phase}, job ${atKill?.job_id ?? 'not yet recorded'}`;
    const gatewayComponent = flinkCluster({
      clusterId: 0,
      taskManagers: localStackOptions().taskManagersPerCluster,
      slotsPerTaskManager: localStackOptions().slotsPerTaskManager,
    }).find((c) => c.name === 'flink-0-sql-gateway');
    await eventually('the gateway process gone', async () => {
      try {
        process.kill(pid, 0);
        return undefined;
      } catch {
        return true;
      }
    });
    await new Promise((r) => setTimeout(r, 3_000));
    await stackUp([gatewayComponent!], paths, () => undefined); // a no-op if a supervisor restarted it
    const running = await eventually(
      `${name} RUNNING`,
      async () => {
        const r = await row();
        if (r?.phase === 'FAILED') throw new Error(r.detail);
        return r?.phase === 'RUNNING' && r.job_id ? r : undefined;
      },
      { timeoutMs: 240_000, intervalMs: 1_000 },
    );
    scenario.recovered();
    scenario.check({
      name: 'the statement RUNNING after the gateway returned',
      ok: running.phase === 'RUNNING',
      detail: `${running.phase} on ${running.job_id} (phase when the gateway died: ${phaseAtKill})`,
    });
    await topics.produce(
      source,
      schemaId,
      Array.from({ length: 300 }, (_, i) => order(301 + i)),
    );
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
