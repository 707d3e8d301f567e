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
import { kafka } from '../../deploy/local/src/components/kafka';
import { registry } from '../../deploy/local/src/components/registry';
import { stackPaths } from '../../deploy/local/src/paths';
import { stackUp } from '../../deploy/local/src/stack';
import { as, registerKafka, type Riffle, startRiffle } from '../e2e/support/riffle';
import {
  atMostOneFlinkJobPerStatement,
  exactlyOnceOutput,
  noAcknowledgedStatementLost,
} from './support/invariants';
import { FaultScenario } from './support/report';

/**
 * The Kafka broker, then the schema registry, die under a running exactly-once INSERT and come back.
 * Meanwhile catalog reads answer quickly with a problem (never a 500 or a hang); afterwards the job
 * carries on (Flink restarts it from its checkpoint if it failed) and the output holds every record once.
 */
describe('Kafka and registry restarts', () => {
  const scenario = new FaultScenario(
    'Kafka broker, then schema registry, SIGKILLed under a running exactly-once INSERT',
  );
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
  const source = `kr_in_${suffix}`;
  const sink = `kr_out_${suffix}`;
  const name = `kr-survivor-${suffix}`;
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
    tenant = await createTestTenant(riffle.db, 'kafka-restart');
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

    const tablesPath = `/catalog/v1/organizations/${tenant.organizationId}/environments/${tenant.environmentId}/databases/main/tables`;
    for (const component of [kafka(), registry()]) {
      const pid = Number(readFileSync(join(paths.run, `${component.name}.pid`), 'utf8').trim());
      process.kill(pid, 'SIGKILL');
      scenario.fault();
      await eventually(`the ${component.name} process gone`, async () => {
        try {
          process.kill(pid, 0);
          return undefined;
        } catch {
          return true;
        }
      });
      const began = Date.now();
      const read = await as(riffle.api, tenant).get(`${tablesPath}/${source}`).timeout(30_000);
      scenario.check({
        name: `catalog read answers while ${component.name} is down, no 500 and no hang`,
        ok: read.status !== 500 && read.status < 600 && Date.now() - began < 20_000,
        detail: `${read.status} ${String(read.body?.code ?? '')} in ${Date.now() - began} ms`,
      });
      await stackUp([component], paths, () => undefined); // a no-op if a supervisor restarted it
      await eventually(
        `catalog reads working again after ${component.name}`,
        async () =>
          (await as(riffle.api, tenant).get(`${tablesPath}/${source}`)).status === 200 ? true : undefined,
        { timeoutMs: 120_000, intervalMs: 1_000 },
      );
      scenario.recovered();
    }
    // the statement carries on: 300 more records reach the sink, every one once
    await topics.produce(
      source,
      schemaId,
      Array.from({ length: 300 }, (_, i) => order(301 + i)),
    );
    const after = await eventually(
      `${name} RUNNING`,
      async () => {
        const r = await row();
        if (r?.phase === 'FAILED') throw new Error(r.detail);
        return r?.phase === 'RUNNING' ? r : undefined;
      },
      { timeoutMs: 180_000 },
    );
    scenario.check({
      name: 'the statement keeps RUNNING',
      ok: after.phase === 'RUNNING',
      detail: `${after.phase} on ${after.job_id} (was ${before.job_id})`,
    });
    const ids = (await topics.readAll<Order>(sink, 600, 180_000)).map((o) => o.id);
    await new Promise((r) => setTimeout(r, 2_000));
    scenario.check(exactlyOnceOutput(sink, ids, 600));
    scenario.check(await noAcknowledgedStatementLost(riffle.db, tenant.organizationId, [name]));
    scenario.check(
      await atMostOneFlinkJobPerStatement(riffle.db, tenant.organizationId, [env.FLINK_REST_URL!]),
    );
    scenario.finish();
  }, 600_000);
});
