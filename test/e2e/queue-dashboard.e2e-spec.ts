import type { INestApplication } from '@nestjs/common';
import { databaseConfig, redisConfig } from '@riffle/config';
import { createDataSource } from '@riffle/persistence';
import { createRedisConnection, QUEUES, queuePrefix } from '@riffle/queue';
import { createTestTenant, stackEnv, type TestTenant, uniqueSuffix } from '@riffle/testing';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { createApiApp } from '../../apps/api/src/create-api-app';

const PROBLEM_JSON = /^application\/problem\+json/;
const OTHER_ROLES = ['EnvironmentAdmin', 'FlinkAdmin', 'FlinkDeveloper', 'BillingAdmin', 'Viewer'] as const;

/**
 * The BullMQ dashboard at /admin/queues: queues are shared by every tenant, so only the OrgAdmins of the
 * platform operator's organization (API_OPERATOR_ORGANIZATION_ID) may open it, read-only.
 */
describe('queue dashboard', () => {
  const baseEnv = stackEnv();
  let env: Record<string, string>;
  let api: INestApplication;
  let db: DataSource;
  let redis: Redis;
  let queue: Queue;
  let operator: TestTenant;
  let tenant: TestTenant;
  const members = new Map<string, string>();
  const jobId = `dashboard-${uniqueSuffix()}`;

  const http = () => request(api.getHttpServer());
  const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

  beforeAll(async () => {
    db = createDataSource(databaseConfig.load(baseEnv));
    await db.initialize();
    operator = await createTestTenant(db, 'operator');
    tenant = await createTestTenant(db, 'tenant');
    env = { ...baseEnv, API_OPERATOR_ORGANIZATION_ID: operator.organizationId };
    api = (await createApiApp(env)).app;
    await api.init();
    for (const role of OTHER_ROLES) {
      const key = await http()
        .post('/iam/v2/api-keys')
        .set('authorization', operator.authorization)
        .send({ spec: { owner: { display_name: `${role} member` } } })
        .expect(201);
      await http()
        .post('/iam/v2/role-bindings')
        .set('authorization', operator.authorization)
        .send({ principal: key.body.spec.owner.id, role_name: role })
        .expect(201);
      members.set(role, basic(key.body.id, key.body.spec.secret));
    }
    // a job far in the future, so a scheduler sharing the queue never runs it while the test looks
    redis = createRedisConnection(redisConfig.load(env), 'dashboard-test');
    queue = new Queue(QUEUES.statementReconcile, {
      connection: redis,
      prefix: queuePrefix(redisConfig.load(env), databaseConfig.load(env)),
    });
    await queue.add(
      'statement.reconcile',
      { statementUid: jobId, organizationId: tenant.organizationId },
      { jobId, delay: 3_600_000 },
    );
  });

  afterAll(async () => {
    await queue?.remove(jobId);
    await queue?.close();
    redis?.disconnect();
    await api?.close();
    await db?.destroy();
  });

  it("serves the dashboard page and its assets to the operator's OrgAdmin", async () => {
    const page = await http().get('/admin/queues').set('authorization', operator.authorization).expect(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toContain('/admin/queues');
    const asset = /(?:src|href)="([^"]*static\/[^"]+\.js)"/.exec(page.text)?.[1];
    expect(asset).toBeDefined();
    const path = asset!.startsWith('/') ? asset! : `/admin/queues/${asset!.replace(/^\.?\//, '')}`;
    const script = await http().get(path).set('authorization', operator.authorization).expect(200);
    expect(script.headers['content-type']).toMatch(/javascript/);
    // a deep link (the board's client-side routes) serves the same page
    await http()
      .get(`/admin/queues/queue/${QUEUES.statementReconcile}`)
      .set('authorization', operator.authorization)
      .expect(200);
  });

  it("lists Riffle's queues, read-only, with their jobs' data", async () => {
    const response = await http()
      .get('/admin/queues/api/queues')
      .query({ activeQueue: QUEUES.statementReconcile, status: 'delayed', page: 1, jobsPerPage: 50 })
      .set('authorization', operator.authorization)
      .expect(200);
    const queues = response.body.queues as {
      name: string;
      readOnlyMode: boolean;
      counts: Record<string, number>;
      jobs: { id: string; data: unknown }[];
    }[];
    expect(queues.map((q) => q.name).sort()).toEqual(Object.values(QUEUES).sort());
    expect(queues.every((q) => q.readOnlyMode)).toBe(true);
    const reconcile = queues.find((q) => q.name === QUEUES.statementReconcile)!;
    expect(reconcile.counts.delayed).toBeGreaterThanOrEqual(1);
    expect(reconcile.jobs).toContainEqual(
      expect.objectContaining({
        id: jobId,
        data: { statementUid: jobId, organizationId: tenant.organizationId },
      }),
    );
  });

  it('cannot change anything: only GET is routed', async () => {
    const pause = await http()
      .put(`/admin/queues/api/queues/${QUEUES.statementReconcile}/pause`)
      .set('authorization', operator.authorization);
    expect(pause.status).toBe(404);
    expect(pause.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(pause.body.code).toBe('ROUTE_NOT_FOUND');
    const remove = await http()
      .delete(`/admin/queues/api/queues/${QUEUES.statementReconcile}/${jobId}`)
      .set('authorization', operator.authorization);
    expect(remove.status).toBe(404);
    expect(await queue.getJobState(jobId)).toBe('delayed');
  });

  it.each(OTHER_ROLES)("refuses the operator organization's %s (403)", async (role) => {
    for (const path of ['/admin/queues', '/admin/queues/api/queues']) {
      const response = await http().get(path).set('authorization', members.get(role)!);
      expect(response.status).toBe(403);
      expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(response.body).toMatchObject({ status: 403, code: 'PERMISSION_DENIED' });
      expect(response.body.detail).toMatch(/OrgAdmin/);
    }
  });

  it("refuses a tenant's OrgAdmin: other tenants' jobs are not theirs to see (403)", async () => {
    for (const path of ['/admin/queues', '/admin/queues/api/queues']) {
      const response = await http().get(path).set('authorization', tenant.authorization);
      expect(response.status).toBe(403);
      expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(response.body.code).toBe('PERMISSION_DENIED');
      expect(response.text).not.toContain(jobId);
    }
  });

  it('asks for credentials without a key (401 + WWW-Authenticate: Basic) and on a bad one', async () => {
    for (const path of ['/admin/queues', '/admin/queues/api/queues', '/admin/queues/static/x.js']) {
      const response = await http().get(path);
      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toMatch(/^Basic /);
      expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(response.body.code).toBe('UNAUTHENTICATED');
    }
    const wrong = await http()
      .get('/admin/queues')
      .set('authorization', basic(operator.apiKey.id, 'not-the-secret'));
    expect(wrong.status).toBe(401);
    expect(wrong.headers['content-type']).toMatch(PROBLEM_JSON);
  });

  it('is closed to everyone when no operator organization is configured', async () => {
    const unconfigured = (await createApiApp(baseEnv)).app;
    await unconfigured.init();
    try {
      const response = await request(unconfigured.getHttpServer())
        .get('/admin/queues')
        .set('authorization', operator.authorization);
      expect(response.status).toBe(403);
      expect(response.body.code).toBe('PERMISSION_DENIED');
    } finally {
      await unconfigured.close();
    }
  });

  it('is not part of the public OpenAPI document', async () => {
    const openApi = await http().get('/openapi.json').expect(200);
    expect(Object.keys(openApi.body.paths).some((p) => p.startsWith('/admin'))).toBe(false);
  });
});
