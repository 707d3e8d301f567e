import { CreateTenant, type TenantCredentials } from '@riffle/application';
import { SqlIdentityRepository, SqlKafkaClusterRepository } from '@riffle/persistence';
import type { DataSource } from 'typeorm';
import { uniqueSuffix } from './real-stack';

export interface TestTenant extends TenantCredentials {
  /** value of the Authorization header */
  authorization: string;
  statementsPath: string;
}

/**
 * Each test makes its own tenant, so tests never depend on each other's data. `database: 'logical'`
 * gives its environment the default database a new environment gets (a logical cluster `main`); without
 * it the environment has none, and the test registers a cluster of its own.
 */
export async function createTestTenant(
  dataSource: DataSource,
  label = 'test',
  options: { database?: 'logical' } = {},
): Promise<TestTenant> {
  const clusters = options.database === 'logical' ? new SqlKafkaClusterRepository(dataSource) : undefined;
  const tenant = await new CreateTenant(new SqlIdentityRepository(dataSource), clusters).execute(
    `${label}-${uniqueSuffix()}`,
  );
  return {
    ...tenant,
    authorization: `Basic ${Buffer.from(`${tenant.apiKey.id}:${tenant.apiKey.secret}`).toString('base64')}`,
    statementsPath: `/sql/v1/organizations/${tenant.organizationId}/environments/${tenant.environmentId}/statements`,
  };
}
