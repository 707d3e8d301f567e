import { JobManagerClient } from '@riffle/flink';
import {
  AvroTopics,
  createTestTenant,
  eventually,
  type Order,
  stackEnv,
  type TestTenant,
} from '@riffle/testing';
import { as, registerKafka, type Riffle, startRiffle } from './riffle';

/**
 * The catalog e2e tests' shared setting: Riffle (API + scheduler) on the real stack, a tenant whose
 * environment has the stack's Kafka as database `main`, another tenant for isolation checks, and helpers
 * to run statements to a phase and read their results.
 */
export class CatalogSession {
  readonly env: Record<string, string> = {
    ...stackEnv(),
    SCHEDULER_SWEEP_INTERVAL_MS: '1000',
    SCHEDULER_OBSERVE_INTERVAL_MS: '1000',
  };
  readonly registryUrl = this.env.SCHEMA_REGISTRY_URL!;
  readonly topics = new AvroTopics(this.env.KAFKA_BOOTSTRAP_SERVERS!.split(','), this.registryUrl);
  readonly jobManager = new JobManagerClient(this.env.FLINK_REST_URL!);
  /** topics (and their subjects) to delete at the end */
  readonly created: string[] = [];
  riffle!: Riffle;
  tenant!: TestTenant;
  other!: TestTenant;
  clusterId!: string;

  async start(): Promise<void> {
    this.riffle = await startRiffle(this.env, { scheduler: true });
    this.tenant = await createTestTenant(this.riffle.db, 'catalog');
    this.other = await createTestTenant(this.riffle.db, 'catalog-other');
    this.clusterId = (await registerKafka(this.riffle.api, this.tenant, this.env)).id;
    await registerKafka(this.riffle.api, this.other, this.env);
  }

  async close(): Promise<void> {
    await this.riffle?.close();
    await this.topics.delete(this.created);
    for (const topic of this.created)
      for (const side of ['key', 'value']) {
        const path = `${this.registryUrl}/subjects/${topic}-${side}`;
        await fetch(path, { method: 'DELETE' }).catch(() => undefined);
        await fetch(`${path}?permanent=true`, { method: 'DELETE' }).catch(() => undefined);
      }
    await this.topics.close();
  }

  as(tenant: TestTenant = this.tenant) {
    return as(this.riffle.api, tenant);
  }

  tablesPath(tenant: TestTenant = this.tenant, database = 'main'): string {
    return `/catalog/v1/organizations/${tenant.organizationId}/environments/${tenant.environmentId}/databases/${database}/tables`;
  }

  statementPath(name: string): string {
    return `${this.tenant.statementsPath}/${name}`;
  }

  /** submits a statement and waits for one of `phases`; answers the statement resource */
  async run(
    name: string,
    statement: string,
    phases: string[],
    properties: Record<string, string> = {},
    timeoutMs = 60_000,
  ) {
    const created = await this.as()
      .post(this.tenant.statementsPath)
      .send({ name, spec: { statement, properties } });
    if (created.status !== 201) throw new Error(`${name}: ${created.status} ${JSON.stringify(created.body)}`);
    return eventually(
      `${name} to reach ${phases.join('/')}`,
      async () => {
        const body = (await this.as().get(this.statementPath(name))).body;
        if (body.status?.phase === 'FAILED' && !phases.includes('FAILED'))
          throw new Error(`FAILED: ${body.status.detail}`);
        return phases.includes(body.status?.phase) ? body : undefined;
      },
      { timeoutMs, intervalMs: 250 },
    );
  }

  /** every result row of a statement, page by page */
  async rowsOf(name: string): Promise<unknown[][]> {
    const rows: unknown[][] = [];
    let next = `${this.statementPath(name)}/results`;
    for (let pages = 0; next && pages < 100; pages++) {
      const page = await this.as().get(next).expect(200);
      rows.push(...page.body.results.data.map((r: { op: number; row: unknown[] }) => r.row));
      next = page.body.metadata.next;
    }
    return rows;
  }

  async latestException(name: string): Promise<{ name: string; message: string }> {
    return (
      await this.as()
        .get(`${this.statementPath(name)}/exceptions`)
        .expect(200)
    ).body.data[0];
  }

  /** deletes a statement (cancelling its job) and waits until it is gone */
  async deleteStatement(name: string): Promise<void> {
    await this.as().delete(this.statementPath(name)).expect(202);
    await eventually(`${name} to be gone`, async () =>
      (await this.as().get(this.statementPath(name))).status === 404 ? true : undefined,
    );
  }

  async expectNoJob(uid: string): Promise<void> {
    expect(await this.jobManager.findJobsByName(uid)).toEqual([]);
  }

  /** the latest version of a subject, undefined when there is none */
  async subject(name: string): Promise<{ id: number; schema: string } | undefined> {
    const response = await fetch(`${this.registryUrl}/subjects/${encodeURIComponent(name)}/versions/latest`);
    return response.status === 404 ? undefined : ((await response.json()) as { id: number; schema: string });
  }

  /** every committed record of a topic with its Avro key and value, decoded with the registry */
  async readKeyed(
    topic: string,
    expected: number,
    timeoutMs = 90_000,
  ): Promise<{ key: Record<string, unknown>; value: Record<string, unknown> }[]> {
    const consumer = this.topics.kafka.consumer({
      groupId: `catalog-reader-${topic}-${Date.now()}`,
      readUncommitted: false,
    });
    const received: { key: Record<string, unknown>; value: Record<string, unknown> }[] = [];
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          if (!message.key || !message.value) return;
          received.push({
            key: await this.topics.registry.decode(message.key),
            value: await this.topics.registry.decode(message.value),
          });
        },
      });
      const deadline = Date.now() + timeoutMs;
      while (received.length < expected && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 250));
      return [...received];
    } finally {
      await consumer.disconnect();
    }
  }
}

export function orders(from: number, to: number): Order[] {
  return Array.from({ length: to - from + 1 }, (_, i) => ({
    id: from + i,
    customer: `c${(from + i) % 5}`,
    amount: from + i + 0.5,
  }));
}
