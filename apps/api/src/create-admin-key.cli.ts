import 'reflect-metadata';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { CreateTenant } from '@riffle/application';
import { databaseConfig, processEnvironment } from '@riffle/config';
import { createDataSource, SqlIdentityRepository, SqlKafkaClusterRepository } from '@riffle/persistence';

/**
 * First local start: when the database has no API key yet, create an organization "local" with a
 * default environment (whose database "main" is a logical cluster on the stack's Kafka) and an admin
 * key, save it (mode 600) to the file named on the command line and print it. Later starts print the saved key again. No secret ever lives in the repository.
 */
async function main(file: string): Promise<void> {
  const dataSource = createDataSource(databaseConfig.load(processEnvironment()));
  await dataSource.initialize();
  try {
    const identities = new SqlIdentityRepository(dataSource);
    if ((await identities.countApiKeys()) === 0 || !existsSync(file)) {
      if ((await identities.countApiKeys()) > 0 && !existsSync(file)) {
        process.stdout.write(`API keys exist but ${file} is missing; creating a new local admin key.\n`);
      }
      // its environment's one database is a logical cluster, "main", on the stack's Kafka
      const clusters = new SqlKafkaClusterRepository(dataSource);
      const tenant = await new CreateTenant(identities, clusters).execute('local');
      writeFileSync(file, JSON.stringify(tenant, null, 2));
      chmodSync(file, 0o600);
    }
    const saved = JSON.parse(readFileSync(file, 'utf8')) as {
      organizationId: string;
      environmentId: string;
      apiKey: { id: string; secret: string };
    };
    process.stdout.write(
      [
        `  Admin key    ${saved.apiKey.id}:${saved.apiKey.secret}   (saved in ${file})`,
        `  Statements   /sql/v1/organizations/${saved.organizationId}/environments/${saved.environmentId}/statements`,
        '',
      ].join('\n'),
    );
  } finally {
    await dataSource.destroy();
  }
}

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: create-admin-key.cli <credentials-file>\n');
  process.exit(2);
}
main(file).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
