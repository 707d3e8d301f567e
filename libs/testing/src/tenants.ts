import { CreateTenant, type TenantCredentials } from '@riffle/application';
import { SqlIdentityRepository } from '@riffle/persistence';
import type { DataSource } from 'typeorm';
import { uniqueSuffix } from './real-stack';

export interface TestTenant extends TenantCredentials {
  /** value of the Authorization header */
  authorization: string;
  statementsPath: string;
}

/** Each test makes its own tenant, so tests never depend on each other's data. */
export async function createTestTenant(dataSource: DataSource, label = 'test'): Promise<TestTenant> {
  const tenant = await new CreateTenant(new SqlIdentityRepository(dataSource)).execute(
    `${label}-${uniqueSuffix()}`,
  );
  return {
    ...tenant,
    authorization: `Basic ${Buffer.from(`${tenant.apiKey.id}:${tenant.apiKey.secret}`).toString('base64')}`,
    statementsPath: `/sql/v1/organizations/${tenant.organizationId}/environments/${tenant.environmentId}/statements`,
  };
}
