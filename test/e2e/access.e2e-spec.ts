import type { INestApplication } from '@nestjs/common';
import { databaseConfig } from '@riffle/config';
import { createDataSource } from '@riffle/persistence';
import { createTestTenant, stackEnv, type TestTenant } from '@riffle/testing';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { createApiApp } from '../../apps/api/src/create-api-app';

const ROLES = [
  'OrgAdmin',
  'EnvironmentAdmin',
  'FlinkAdmin',
  'FlinkDeveloper',
  'BillingAdmin',
  'Viewer',
] as const;
type Role = (typeof ROLES)[number];
const ALL: readonly Role[] = ROLES;
const WRITERS: readonly Role[] = ['OrgAdmin', 'EnvironmentAdmin', 'FlinkAdmin', 'FlinkDeveloper'];
const READERS: readonly Role[] = [...WRITERS, 'Viewer'];
const ADMINS: readonly Role[] = ['OrgAdmin', 'EnvironmentAdmin'];
const BILLING: readonly Role[] = ['OrgAdmin', 'BillingAdmin'];

interface Endpoint {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: (t: TestTenant) => string;
  body?: (t: TestTenant) => object;
  /** who may call it: written out here, independently of the policy table in libs/domain */
  allowed: readonly Role[];
}

const statements = (t: TestTenant) => t.statementsPath;
const range = 'start_date=2026-01-01&end_date=2026-01-02';

/** every endpoint of the API (except /health, /ready, /docs), with a request that is valid enough to pass the guard */
const ENDPOINTS: Record<string, Endpoint> = {
  'POST environments': {
    method: 'post',
    path: () => '/org/v2/environments',
    body: () => ({ display_name: 'x' }),
    allowed: ['OrgAdmin'],
  },
  'GET environments': { method: 'get', path: () => '/org/v2/environments', allowed: ALL },
  'POST api-keys': {
    method: 'post',
    path: () => '/iam/v2/api-keys',
    body: () => ({ spec: { owner: { display_name: 'matrix' } } }),
    allowed: ['OrgAdmin'],
  },
  'GET api-keys': { method: 'get', path: () => '/iam/v2/api-keys', allowed: ['OrgAdmin'] },
  'DELETE api-key': {
    method: 'delete',
    path: () => '/iam/v2/api-keys/AAAAAAAAAAAAAAAA',
    allowed: ['OrgAdmin'],
  },
  'POST role-bindings': {
    method: 'post',
    path: () => '/iam/v2/role-bindings',
    body: (t) => ({ principal: 'sa-nobody', role_name: 'Viewer', environment_id: t.environmentId }),
    allowed: ADMINS,
  },
  'GET role-bindings': { method: 'get', path: () => '/iam/v2/role-bindings', allowed: ADMINS },
  'DELETE role-binding': {
    method: 'delete',
    path: () => '/iam/v2/role-bindings/rb-nothing',
    allowed: ADMINS,
  },
  'POST clusters': {
    method: 'post',
    path: () => '/cmk/v2/clusters',
    body: (t) => ({ display_name: 'x', spec: { environment: { id: t.environmentId } } }),
    allowed: ADMINS,
  },
  'GET clusters': {
    method: 'get',
    path: (t) => `/cmk/v2/clusters?environment=${t.environmentId}`,
    allowed: READERS,
  },
  'POST statement': {
    method: 'post',
    path: statements,
    body: () => ({ name: 'm', spec: { statement: 'SELEC' } }),
    allowed: WRITERS,
  },
  'GET statements': { method: 'get', path: statements, allowed: READERS },
  'GET statement': { method: 'get', path: (t) => `${statements(t)}/none`, allowed: READERS },
  'PUT statement': {
    method: 'put',
    path: (t) => `${statements(t)}/none`,
    body: () => ({ metadata: { resource_version: 1 }, spec: { stopped: true } }),
    allowed: WRITERS,
  },
  'DELETE statement': { method: 'delete', path: (t) => `${statements(t)}/none`, allowed: WRITERS },
  'GET results': { method: 'get', path: (t) => `${statements(t)}/none/results`, allowed: WRITERS },
  'GET exceptions': { method: 'get', path: (t) => `${statements(t)}/none/exceptions`, allowed: READERS },
  'GET usage': {
    method: 'get',
    path: (t) => `${statements(t)}/none/usage`,
    allowed: [...READERS, 'BillingAdmin'],
  },
  'GET tables': {
    method: 'get',
    path: (t) =>
      `/catalog/v1/organizations/${t.organizationId}/environments/${t.environmentId}/databases/none/tables`,
    allowed: READERS,
  },
  'GET table': {
    method: 'get',
    path: (t) =>
      `/catalog/v1/organizations/${t.organizationId}/environments/${t.environmentId}/databases/none/tables/t`,
    allowed: READERS,
  },
  'POST pools': {
    method: 'post',
    path: () => '/fcpm/v2/compute-pools',
    body: (t) => ({ spec: { display_name: 'p', max_cfu: 0, environment: { id: t.environmentId } } }),
    allowed: [...ADMINS, 'FlinkAdmin'],
  },
  'GET pools': {
    method: 'get',
    path: (t) => `/fcpm/v2/compute-pools?environment=${t.environmentId}`,
    allowed: READERS,
  },
  'GET pool': {
    method: 'get',
    path: (t) => `/fcpm/v2/compute-pools/lfcp-none?environment=${t.environmentId}`,
    allowed: READERS,
  },
  'PATCH pool': {
    method: 'patch',
    path: (t) => `/fcpm/v2/compute-pools/lfcp-none?environment=${t.environmentId}`,
    body: () => ({ spec: { max_cfu: 3 } }),
    allowed: [...ADMINS, 'FlinkAdmin'],
  },
  'DELETE pool': {
    method: 'delete',
    path: (t) => `/fcpm/v2/compute-pools/lfcp-none?environment=${t.environmentId}`,
    allowed: [...ADMINS, 'FlinkAdmin'],
  },
  'GET costs': { method: 'get', path: () => `/billing/v1/costs?${range}`, allowed: BILLING },
  'POST export': {
    method: 'post',
    path: () => '/billing/v1/exports',
    body: () => ({ start_date: 'x' }),
    allowed: BILLING,
  },
  'GET exports': { method: 'get', path: () => '/billing/v1/exports', allowed: BILLING },
  'GET export': { method: 'get', path: () => '/billing/v1/exports/exp-none', allowed: BILLING },
  'GET export download': {
    method: 'get',
    path: () => '/billing/v1/exports/exp-none/download',
    allowed: BILLING,
  },
};

/** Roles on every endpoint, environment-scoped bindings, key revocation, and two tenants kept apart. */
describe('access control', () => {
  const env = stackEnv();
  let api: INestApplication;
  let db: DataSource;
  let admin: TestTenant;
  let other: TestTenant;
  const keys = new Map<Role, string>();

  const http = () => request(api.getHttpServer());
  const call = (endpoint: Endpoint, authorization: string, tenant: TestTenant = admin) => {
    const req = http()[endpoint.method](endpoint.path(tenant)).set('authorization', authorization);
    return endpoint.body ? req.send(endpoint.body(tenant)) : req;
  };
  const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

  /** a service account with one key and one role binding, made through the API by the OrgAdmin */
  async function member(
    role: Role,
    environmentId: string | null = null,
  ): Promise<{ authorization: string; sa: string }> {
    const key = await http()
      .post('/iam/v2/api-keys')
      .set('authorization', admin.authorization)
      .send({ spec: { owner: { display_name: `${role} member` } } })
      .expect(201);
    await http()
      .post('/iam/v2/role-bindings')
      .set('authorization', admin.authorization)
      .send({
        principal: key.body.spec.owner.id,
        role_name: role,
        ...(environmentId ? { environment_id: environmentId } : {}),
      })
      .expect(201);
    return { authorization: basic(key.body.id, key.body.spec.secret), sa: key.body.spec.owner.id };
  }

  beforeAll(async () => {
    db = createDataSource(databaseConfig.load(env));
    await db.initialize();
    admin = await createTestTenant(db, 'access');
    other = await createTestTenant(db, 'access-other');
    api = (await createApiApp(env)).app;
    await api.init();
    for (const role of ROLES) keys.set(role, (await member(role)).authorization);
  });

  afterAll(async () => {
    await api?.close();
    await db?.destroy();
  });

  it.each(Object.entries(ENDPOINTS))(
    '%s: each role is let in or refused as the role table says',
    async (_, endpoint) => {
      for (const role of ROLES) {
        const response = await call(endpoint, keys.get(role)!);
        const allowed = endpoint.allowed.includes(role);
        const verdict =
          response.status === 403 ? 'refused' : response.status === 401 ? 'unauthenticated' : 'let in';
        expect({ role, verdict }).toEqual({ role, verdict: allowed ? 'let in' : 'refused' });
        if (!allowed) expect(response.body.code).toBe('PERMISSION_DENIED');
        expect(response.status).toBeLessThan(500);
      }
      // no key: 401, whoever would have been allowed
      expect((await http()[endpoint.method](endpoint.path(admin))).status).toBe(401);
    },
  );

  it('limits an environment-scoped role to its environment', async () => {
    const second = await http()
      .post('/org/v2/environments')
      .set('authorization', admin.authorization)
      .send({ display_name: 'second' })
      .expect(201);
    const developer = await member('FlinkDeveloper', admin.environmentId);
    const create = (environmentId: string) =>
      http()
        .post(`/sql/v1/organizations/${admin.organizationId}/environments/${environmentId}/statements`)
        .set('authorization', developer.authorization)
        .send({ name: 'scoped', spec: { statement: 'SELEC' } });
    expect((await create(admin.environmentId)).status).toBe(400);
    const refused = await create(second.body.id);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('PERMISSION_DENIED');
    expect(refused.body.detail).toMatch(/FlinkDeveloper/);
    // an EnvironmentAdmin cannot hand out organization roles
    const envAdmin = await member('EnvironmentAdmin', admin.environmentId);
    const escalate = await http()
      .post('/iam/v2/role-bindings')
      .set('authorization', envAdmin.authorization)
      .send({ principal: developer.sa, role_name: 'OrgAdmin' });
    expect(escalate.status).toBe(403);
  });

  it('runs a statement as its principal: the principal’s roles decide what it may read and write', async () => {
    const viewer = await member('Viewer');
    const submit = (name: string, statement: string, principal?: string) =>
      http()
        .post(admin.statementsPath)
        .set('authorization', admin.authorization)
        .send({ name, spec: { statement, stopped: true, ...(principal ? { principal } : {}) } });
    const write = await submit('as-viewer-write', 'INSERT INTO sink_t SELECT * FROM source_t', viewer.sa);
    expect(write.status).toBe(403);
    expect(write.body.code).toBe('PRINCIPAL_NOT_ALLOWED');
    expect(write.body.detail).toMatch(/may not write/);
    await submit('as-viewer-read', 'SELECT * FROM source_t', viewer.sa).expect(201);
    const nobody = await submit('as-nobody', 'SELECT 1', 'sa-nobody');
    expect(nobody.status).toBe(400);
    expect(nobody.body.code).toBe('PRINCIPAL_NOT_FOUND');
  });

  it('revokes a key and removes a role with immediate effect', async () => {
    const viewer = await member('Viewer');
    await http().get(admin.statementsPath).set('authorization', viewer.authorization).expect(200);
    const bindings = await http()
      .get(`/iam/v2/role-bindings?principal=${viewer.sa}`)
      .set('authorization', admin.authorization)
      .expect(200);
    await http()
      .delete(`/iam/v2/role-bindings/${bindings.body.data[0].id}`)
      .set('authorization', admin.authorization)
      .expect(204);
    expect((await http().get(admin.statementsPath).set('authorization', viewer.authorization)).status).toBe(
      403,
    );

    const developer = await member('FlinkDeveloper');
    await http().get(admin.statementsPath).set('authorization', developer.authorization).expect(200);
    const keyId = Buffer.from(developer.authorization.slice(6), 'base64').toString().split(':')[0];
    await http().delete(`/iam/v2/api-keys/${keyId}`).set('authorization', admin.authorization).expect(204);
    const revoked = await http().get(admin.statementsPath).set('authorization', developer.authorization);
    expect(revoked.status).toBe(401);
    expect(revoked.body.code).toBe('UNAUTHENTICATED');
  });

  it('keeps two tenants apart on every resource type: the other tenant sees 404 or nothing', async () => {
    const theirs = other.authorization;
    // resources addressed by path: 404 exactly like a missing one
    for (const path of [
      admin.statementsPath,
      `${admin.statementsPath}/none`,
      `${admin.statementsPath}/none/results`,
      `${admin.statementsPath}/none/exceptions`,
      `${admin.statementsPath}/none/usage`,
    ]) {
      const response = await http().get(path).set('authorization', theirs);
      expect({ path, status: response.status }).toEqual({ path, status: 404 });
    }
    const exported = await http()
      .post('/billing/v1/exports')
      .set('authorization', admin.authorization)
      .send({ start_date: '2026-01-01', end_date: '2026-01-02' })
      .expect(202);
    await http().get(`/billing/v1/exports/${exported.body.id}`).set('authorization', theirs).expect(404);
    await http()
      .get(`/billing/v1/exports/${exported.body.id}/download`)
      .set('authorization', theirs)
      .expect(404);
    const bindings = await http()
      .get('/iam/v2/role-bindings')
      .set('authorization', admin.authorization)
      .expect(200);
    await http()
      .delete(`/iam/v2/role-bindings/${bindings.body.data[0].id}`)
      .set('authorization', theirs)
      .expect(404);
    await http().delete(`/iam/v2/api-keys/${admin.apiKey.id}`).set('authorization', theirs).expect(404);
    const tables = await http()
      .get(
        `/catalog/v1/organizations/${admin.organizationId}/environments/${admin.environmentId}/databases/none/tables`,
      )
      .set('authorization', theirs);
    expect(tables.status).toBe(404);
    const pool = await http()
      .post('/fcpm/v2/compute-pools')
      .set('authorization', admin.authorization)
      .send({ spec: { display_name: 'mine', max_cfu: 2, environment: { id: admin.environmentId } } })
      .expect(201);
    await http().get(`/fcpm/v2/compute-pools/${pool.body.id}`).set('authorization', theirs).expect(404);
    await http().delete(`/fcpm/v2/compute-pools/${pool.body.id}`).set('authorization', theirs).expect(404);
    await http()
      .get(`/fcpm/v2/compute-pools?environment=${admin.environmentId}`)
      .set('authorization', theirs)
      .expect(404);
    const clusters = await http()
      .get(`/cmk/v2/clusters?environment=${admin.environmentId}`)
      .set('authorization', theirs);
    expect([404, 200]).toContain(clusters.status);
    if (clusters.status === 200) expect(clusters.body.data).toEqual([]);
    // collections are the caller's own
    for (const path of [
      '/iam/v2/api-keys',
      '/iam/v2/role-bindings',
      '/billing/v1/exports',
      '/org/v2/environments',
    ]) {
      const mine = await http().get(path).set('authorization', theirs).expect(200);
      expect(JSON.stringify(mine.body)).not.toContain(admin.organizationId);
      expect(JSON.stringify(mine.body)).not.toContain(admin.environmentId);
      expect(JSON.stringify(mine.body)).not.toContain(exported.body.id);
    }
  });
});

/** Per-key rate limits and per-environment quotas, with low limits set through configuration. */
describe('limits', () => {
  const env = { ...stackEnv(), API_RATE_LIMIT_PER_MINUTE: '8', API_MAX_STATEMENTS_PER_ENVIRONMENT: '2' };
  let api: INestApplication;
  let db: DataSource;

  beforeAll(async () => {
    db = createDataSource(databaseConfig.load(env));
    await db.initialize();
    api = (await createApiApp(env)).app;
    await api.init();
  });

  afterAll(async () => {
    await api?.close();
    await db?.destroy();
  });

  it('answers 429 with Retry-After and X-RateLimit-* past a key’s per-minute budget, per key', async () => {
    const tenant = await createTestTenant(db, 'rate');
    const neighbour = await createTestTenant(db, 'rate-neighbour');
    const get = (t: TestTenant) =>
      request(api.getHttpServer()).get(t.statementsPath).set('authorization', t.authorization);
    const first = await get(tenant).expect(200);
    expect(first.headers['x-ratelimit-limit']).toBe('8');
    expect(first.headers['x-ratelimit-remaining']).toBe('7');
    for (let i = 0; i < 7; i++) await get(tenant).expect(200);
    const limited = await get(tenant).expect(429);
    expect(limited.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(limited.body.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(limited.headers['x-ratelimit-remaining']).toBe('0');
    expect(limited.headers['x-request-id']).toBeTruthy();
    await get(neighbour).expect(200);
  });

  it('refuses a statement past the environment’s quota with a clear answer', async () => {
    const tenant = await createTestTenant(db, 'quota');
    const submit = (name: string) =>
      request(api.getHttpServer())
        .post(tenant.statementsPath)
        .set('authorization', tenant.authorization)
        .send({ name, spec: { statement: 'SELECT 1', stopped: true } });
    await submit('one').expect(201);
    await submit('two').expect(201);
    const refused = await submit('three');
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('STATEMENT_QUOTA_EXCEEDED');
    expect(refused.body.detail).toMatch(/quota/);
  });
});
