import { randomBytes } from 'node:crypto';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { tracingConfig } from '@riffle/config';
import { upsertScramCredential } from '@riffle/kafka';
import { installTracing, type Tracing } from '@riffle/observability';
import { createTestTenant, eventually, stackEnv, type TestTenant, uniqueSuffix } from '@riffle/testing';
import {
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  Kafka,
  logLevel,
  ResourcePatternTypes,
} from 'kafkajs';
import { as, type Riffle, startRiffle } from './support/riffle';

/**
 * A registered cluster that needs a login: the stack's SASL/SCRAM listener, with a principal of this
 * test's own that may use only topics starting with its prefix. Riffle and the statement's Flink job log
 * in with the credentials given at registration, which are then never seen again: not in any API
 * answer, stored row, log line or trace span this test can read.
 */
describe('registered clusters with credentials', () => {
  const stack = stackEnv();
  const tenantListener = stack.KAFKA_TENANT_BOOTSTRAP_SERVERS!;
  const registryHost = new URL(stack.SCHEMA_REGISTRY_URL!).host;
  const env: Record<string, string> = {
    ...stack,
    EGRESS_ALLOW: `${tenantListener},${registryHost}`,
    SCHEDULER_SWEEP_INTERVAL_MS: '1000',
    SCHEDULER_OBSERVE_INTERVAL_MS: '1000',
    LOG_LEVEL: 'debug',
  };
  const suffix = uniqueSuffix();
  const user = `ext-${suffix}`;
  const password = `pw-${randomBytes(12).toString('hex')}`;
  const registryPassword = `sr-${randomBytes(12).toString('hex')}`;
  const prefix = `ext_${suffix}_`;
  const platform = new Kafka({
    brokers: stack.KAFKA_BOOTSTRAP_SERVERS!.split(','),
    logLevel: logLevel.NOTHING,
  });
  const exporter = new InMemorySpanExporter();
  const printed: string[] = [];
  const writes = { out: process.stdout.write, err: process.stderr.write };
  let tracing: Tracing;
  let riffle: Riffle;
  let tenant: TestTenant;

  const call = () => as(riffle.api, tenant);
  async function run(name: string, sql: string, phases: string[], properties = {}) {
    const created = await call()
      .post(tenant.statementsPath)
      .send({ name, spec: { statement: sql, properties } });
    if (created.status !== 201) throw new Error(`${name}: ${created.status} ${JSON.stringify(created.body)}`);
    return eventually(
      `${name} to reach ${phases.join('/')}`,
      async () => {
        const body = (await call().get(`${tenant.statementsPath}/${name}`)).body;
        if (body.status?.phase === 'FAILED' && !phases.includes('FAILED'))
          throw new Error(`${name} FAILED: ${body.status.detail}`);
        return phases.includes(body.status?.phase) ? body : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 250 },
    );
  }
  const registration = (secret: string) => ({
    display_name: 'main',
    spec: {
      environment: { id: tenant.environmentId },
      bootstrap_servers: tenantListener,
      schema_registry_url: stack.SCHEMA_REGISTRY_URL,
      sasl: { mechanism: 'SCRAM-SHA-512', username: user, password: secret },
      schema_registry_auth: { username: 'sr-user', password: registryPassword },
    },
  });

  beforeAll(async () => {
    // everything the apps print, as well as printing it
    const capture =
      (write: typeof process.stdout.write) =>
      (chunk: unknown, ...rest: unknown[]): boolean => {
        printed.push(String(chunk));
        return (write as (...a: unknown[]) => boolean).call(process.stdout, chunk, ...rest);
      };
    process.stdout.write = capture(writes.out) as typeof process.stdout.write;
    process.stderr.write = capture(writes.err) as typeof process.stderr.write;
    tracing = installTracing('e2e', tracingConfig.load({}), {
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });

    // the cluster's owner: a principal allowed its own topics, and Riffle's groups and transactions
    await upsertScramCredential(platform, user, password);
    const admin = platform.admin();
    await admin.connect();
    const allow = (resourceType: AclResourceTypes, resourceName: string, operations: AclOperationTypes[]) =>
      operations.map((operation) => ({
        resourceType,
        resourceName,
        resourcePatternType: ResourcePatternTypes.PREFIXED,
        principal: `User:${user}`,
        host: '*',
        operation,
        permissionType: AclPermissionTypes.ALLOW,
      }));
    await admin.createAcls({
      acl: [
        ...allow(AclResourceTypes.TOPIC, prefix, [AclOperationTypes.ALL]),
        ...allow(AclResourceTypes.GROUP, 'riffle-', [AclOperationTypes.ALL]),
        ...allow(AclResourceTypes.TRANSACTIONAL_ID, 'riffle-', [AclOperationTypes.ALL]),
      ],
    });
    await admin.disconnect();

    riffle = await startRiffle(env, { scheduler: true });
    tenant = await createTestTenant(riffle.db, 'credentials');
  });

  afterAll(async () => {
    process.stdout.write = writes.out;
    process.stderr.write = writes.err;
    await riffle?.close();
    await tracing?.shutdown();
    const admin = platform.admin();
    await admin.connect();
    const mine = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (mine.length) await admin.deleteTopics({ topics: mine });
    await admin.disconnect();
  });

  it('refuses a wrong password with the one generic answer', async () => {
    const refused = await call().post('/cmk/v2/clusters').send(registration('wrong')).expect(400);
    expect(refused.body.code).toBe('KAFKA_CLUSTER_UNREACHABLE');
  });

  it('registers with SASL credentials, runs statements with them, and never shows them again', async () => {
    const created = await call().post('/cmk/v2/clusters').send(registration(password)).expect(201);
    expect(created.body.spec).toMatchObject({
      kind: 'EXTERNAL',
      sasl: { mechanism: 'SCRAM-SHA-512', username: user },
      schema_registry_auth: { username: 'sr-user' },
    });

    const table = `${prefix}orders`;
    await run('create', `CREATE TABLE ${table} (id BIGINT, who STRING) WITH ('kafka.partitions' = '1')`, [
      'COMPLETED',
    ]);
    await run('insert', `INSERT INTO ${table} VALUES (1, 'x'), (2, 'y')`, ['COMPLETED']);
    await run('read', `SELECT id, who FROM ${table}`, ['COMPLETED'], {
      'sql.tables.scan.bounded.mode': 'latest-offset',
    });
    const page = await call().get(`${tenant.statementsPath}/read/results`).expect(200);
    expect(page.body.results.data.map((r: { row: unknown[] }) => r.row)).toEqual([
      [1, 'x'],
      [2, 'y'],
    ]);
    // a table the principal may not describe is not there for Riffle either
    await run('missing', 'SELECT * FROM `__consumer_offsets`', ['FAILED'], {
      'sql.tables.scan.bounded.mode': 'latest-offset',
    });

    // everything this test can read: API answers, stored rows, what the apps printed, the spans
    const answers = await Promise.all(
      [
        `/cmk/v2/clusters?environment=${tenant.environmentId}`,
        tenant.statementsPath,
        `${tenant.statementsPath}/insert`,
        `${tenant.statementsPath}/missing/exceptions`,
        `/catalog/v1/organizations/${tenant.organizationId}/environments/${tenant.environmentId}/databases/main/tables/${table}`,
      ].map(async (path) => JSON.stringify((await call().get(path).expect(200)).body)),
    );
    const rows = (await riffle.db.query(
      `SELECT row_to_json(c)::text AS row FROM kafka_clusters c WHERE organization_id = $1
       UNION ALL SELECT row_to_json(s)::text FROM statements s WHERE organization_id = $1`,
      [tenant.organizationId],
    )) as { row: string }[];
    await tracing.flush();
    const spans = exporter
      .getFinishedSpans()
      .map((s) => JSON.stringify({ name: s.name, attributes: s.attributes, events: s.events }));
    expect(rows.length).toBeGreaterThan(3);
    expect(spans.length).toBeGreaterThan(10);
    expect(printed.length).toBeGreaterThan(0);
    for (const [where, texts] of Object.entries({ answers, rows: rows.map((r) => r.row), printed, spans })) {
      for (const secret of [password, registryPassword])
        expect([where, texts.filter((t) => t.includes(secret)).length]).toEqual([where, 0]);
    }
    // stored, but sealed
    expect(rows.some((r) => /"credentials_sealed":"v1\./.test(r.row))).toBe(true);
  });
});
