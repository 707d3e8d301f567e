import { databaseConfig, processEnvironment } from '@riffle/config';
import { migrate } from './migrate';

migrate(databaseConfig.load(processEnvironment()), (m) => console.log(m))
  .then((applied) =>
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date'),
  )
  .catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
