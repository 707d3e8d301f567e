import type { INestApplication } from '@nestjs/common';
import { databaseConfig } from '@riffle/config';
import { createDataSource } from '@riffle/persistence';
import { createTestTenant, stackEnv, type TestTenant } from '@riffle/testing';
import fc from 'fast-check';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { createApiApp } from '../../apps/api/src/create-api-app';

/** every route, with `:params` filled by the fuzzer; `org` and `env` are the tenant's own or random */
const ROUTES: { method: 'get' | 'post' | 'put' | 'patch' | 'delete'; path: string; body?: boolean }[] = [
  { method: 'post', path: '/org/v2/environments', body: true },
  { method: 'get', path: '/org/v2/environments' },
  { method: 'post', path: '/iam/v2/api-keys', body: true },
  { method: 'get', path: '/iam/v2/api-keys' },
  { method: 'delete', path: '/iam/v2/api-keys/:id' },
  { method: 'post', path: '/iam/v2/role-bindings', body: true },
  { method: 'get', path: '/iam/v2/role-bindings' },
  { method: 'delete', path: '/iam/v2/role-bindings/:id' },
  { method: 'post', path: '/cmk/v2/clusters', body: true },
  { method: 'get', path: '/cmk/v2/clusters' },
  { method: 'post', path: '/sql/v1/organizations/:org/environments/:env/statements', body: true },
  { method: 'get', path: '/sql/v1/organizations/:org/environments/:env/statements' },
  { method: 'get', path: '/sql/v1/organizations/:org/environments/:env/statements/:name' },
  { method: 'put', path: '/sql/v1/organizations/:org/environments/:env/statements/:name', body: true },
  { method: 'delete', path: '/sql/v1/organizations/:org/environments/:env/statements/:name' },
  { method: 'get', path: '/sql/v1/organizations/:org/environments/:env/statements/:name/results' },
  { method: 'get', path: '/sql/v1/organizations/:org/environments/:env/statements/:name/exceptions' },
  { method: 'get', path: '/sql/v1/organizations/:org/environments/:env/statements/:name/usage' },
  { method: 'get', path: '/catalog/v1/organizations/:org/environments/:env/databases/:name/tables' },
  { method: 'get', path: '/catalog/v1/organizations/:org/environments/:env/databases/:name/tables/:id' },
  { method: 'post', path: '/fcpm/v2/compute-pools', body: true },
  { method: 'get', path: '/fcpm/v2/compute-pools' },
  { method: 'get', path: '/fcpm/v2/compute-pools/:id' },
  { method: 'patch', path: '/fcpm/v2/compute-pools/:id', body: true },
  { method: 'delete', path: '/fcpm/v2/compute-pools/:id' },
  { method: 'get', path: '/billing/v1/costs' },
  { method: 'post', path: '/billing/v1/exports', body: true },
  { method: 'get', path: '/billing/v1/exports' },
  { method: 'get', path: '/billing/v1/exports/:id' },
  { method: 'get', path: '/billing/v1/exports/:id/download' },
];
const REQUESTS = 10_000;
const QUERY_KEYS = [
  'page_size',
  'page_token',
  'phase',
  'label_selector',
  'compute_pool_id',
  'environment',
  'start_date',
  'end_date',
  'group_by',
  'start',
  'end',
  'principal',
  'environment_id',
];

/**
 * 10,000 requests with generated JSON bodies, path parameters and query strings across every endpoint
 * (bounded: each request must answer within 5 s): no 5xx, no hang, every error problem+json.
 */
describe('fuzzing the API', () => {
  const env = { ...stackEnv(), API_RATE_LIMIT_PER_MINUTE: '1000000', LOG_LEVEL: 'fatal' };
  let api: INestApplication;
  let db: DataSource;
  let tenant: TestTenant;

  beforeAll(async () => {
    db = createDataSource(databaseConfig.load(env));
    await db.initialize();
    tenant = await createTestTenant(db, 'fuzz');
    api = (await createApiApp(env)).app;
    await api.init();
  });

  afterAll(async () => {
    // whatever the fuzzer managed to create must not run in later tests
    await db?.query('DELETE FROM statements WHERE organization_id = $1', [tenant.organizationId]);
    await api?.close();
    await db?.destroy();
  });

  it('never answers 5xx or hangs', async () => {
    const segment = fc.oneof(
      fc.string({ maxLength: 80 }),
      fc.constantFrom('..', '%2e%2e', '%00', 'a'.repeat(300), '💥', 'sa-x', 'exp-1', 'rb-1'),
    );
    const value = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.integer().map(String),
      fc.constantFrom('', '-1', '2026-02-30', 'null'),
    );
    const arbitrary = fc.record({
      route: fc.constantFrom(...ROUTES),
      ownScope: fc.boolean(),
      params: fc.record({ id: segment, name: segment, org: segment, env: segment }),
      query: fc.array(
        fc.tuple(fc.oneof(fc.constantFrom(...QUERY_KEYS), fc.string({ maxLength: 10 })), value),
        { maxLength: 4 },
      ),
      body: fc.oneof(
        fc.jsonValue({ maxDepth: 4 }),
        fc.record({
          name: fc.jsonValue(),
          spec: fc.jsonValue({ maxDepth: 3 }),
          metadata: fc.jsonValue({ maxDepth: 2 }),
        }),
        fc.record({ start_date: value, end_date: value, format: value, group_by: value }),
        fc.record({
          principal: value,
          role_name: fc.constantFrom('OrgAdmin', 'Viewer', 'x'),
          environment_id: value,
        }),
      ),
    });
    const failures: string[] = [];
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(arbitrary, async ({ route, ownScope, params, query, body }) => {
        const filled = route.path.replace(/:(\w+)/g, (_, key: 'id' | 'name' | 'org' | 'env') => {
          if (ownScope && key === 'org') return tenant.organizationId;
          if (ownScope && key === 'env') return tenant.environmentId;
          return encodeURIComponent(params[key]);
        });
        const search = new URLSearchParams(query).toString();
        const agent = request(api.getHttpServer());
        let req = agent[route.method](search ? `${filled}?${search}` : filled)
          .set('authorization', tenant.authorization)
          .timeout(5_000);
        if (route.body) req = req.set('content-type', 'application/json').send(JSON.stringify(body));
        sent++;
        let status: number;
        let contentType = '';
        try {
          const response = await req;
          status = response.status;
          contentType = String(response.headers['content-type'] ?? '');
        } catch (error) {
          const e = error as {
            status?: number;
            timeout?: number;
            response?: { headers: Record<string, string> };
          };
          if (e.timeout || e.status === undefined) {
            failures.push(`${route.method} ${filled}: no answer (${(error as Error).message})`);
            return;
          }
          status = e.status;
          contentType = e.response?.headers['content-type'] ?? '';
        }
        if (status >= 500) failures.push(`${route.method} ${filled}?${search}: ${status}`);
        if (status >= 400 && !contentType.startsWith('application/problem+json'))
          failures.push(`${route.method} ${filled}: ${status} as ${contentType}`);
      }),
      { numRuns: REQUESTS, seed: 42, endOnFailure: true },
    );
    expect(sent).toBe(REQUESTS);
    expect(failures.slice(0, 20)).toEqual([]);
  }, 900_000);
});
