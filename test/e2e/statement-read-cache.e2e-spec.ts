import { randomUUID } from 'node:crypto';
import { GetStatement, type Principal, type StatementRecord, StatementReader } from '@riffle/application';
import { LOCAL_DEFAULTS } from '@riffle/config';
import {
  createDataSource,
  migrate,
  PgStatementChangeFeed,
  SqlIdentityRepository,
  SqlStatementRepository,
  STATEMENT_CHANGED_CHANNEL,
  StatementReadCache,
} from '@riffle/persistence';
import { createTestTenant, eventually, type TestTenant, uniqueSuffix } from '@riffle/testing';
import { Client, type Notification } from 'pg';
import type { DataSource } from 'typeorm';
import { StatementChangeNotify1763801000000 } from '../../migrations/1763801000000-statement-change-notify';

const APPLICATION_NAME = 'riffle-statement-cache';

/** counts what reaches Postgres through the cache */
class CountingReader extends StatementReader {
  reads = 0;

  constructor(private readonly inner: StatementReader) {
    super();
  }

  find(...args: Parameters<StatementReader['find']>): Promise<StatementRecord | undefined> {
    this.reads += 1;
    return this.inner.find(...args);
  }
}

/**
 * The statement read cache on a real Postgres: the migration's trigger announces changes, the cache's
 * LISTEN connection hears them, and it survives that connection being killed. Only Postgres is needed;
 * the suite makes (and drops) its own database, so killing its listener touches nobody else's.
 */
describe('statement read cache', () => {
  const server = new URL(process.env.DATABASE_URL ?? LOCAL_DEFAULTS.databaseUrl);
  const database = `riffle_cache_${uniqueSuffix()}`;
  const url = Object.assign(new URL(server.toString()), { pathname: `/${database}` }).toString();
  let db: DataSource;
  let tenant: TestTenant;
  let principal: Principal;
  let counting: CountingReader;
  let cache: StatementReadCache;
  let get: GetStatement;
  let repository: SqlStatementRepository;

  const read = async (name: string) =>
    get.execute(principal, tenant.organizationId, tenant.environmentId, name);
  const scope = () => ({ organizationId: tenant.organizationId, environmentId: tenant.environmentId });

  async function create(name: string): Promise<StatementRecord> {
    return repository.insert({
      uid: randomUUID(),
      ...scope(),
      name,
      statement: 'SELECT 1',
      properties: {},
      computePoolId: null,
      principal: tenant.serviceAccountId,
      labels: {},
      stopped: false,
      sqlKind: 'SELECT',
      executionMode: 'foreground',
      analysis: null,
      traits: {},
    });
  }

  /** a change made by someone else: another connection, as the scheduler or another replica would */
  async function setDetail(uid: string, detail: string): Promise<void> {
    await db.query('UPDATE statements SET detail = $2, updated_at = now() WHERE uid = $1', [uid, detail]);
  }

  const killListener = async (): Promise<number> => {
    const rows: { pid: number }[] = await db.query(
      `SELECT pg_terminate_backend(pid) AS pid FROM pg_stat_activity WHERE application_name = $1 AND datname = $2`,
      [APPLICATION_NAME, database],
    );
    return rows.length;
  };

  /** the detail a read returns, once it equals `expected` (within `timeoutMs`), and how long that took */
  async function readsWithin(name: string, expected: string, timeoutMs = 1_000): Promise<number> {
    const began = Date.now();
    await eventually(
      `${name} to read "${expected}"`,
      async () => ((await read(name)).detail === expected ? true : undefined),
      { timeoutMs, intervalMs: 5 },
    );
    return Date.now() - began;
  }

  /** reads until the row stays cached: a notification of an earlier change may still be on its way */
  async function readIntoCache(name: string): Promise<void> {
    await eventually(
      `${name} to stay cached`,
      async () => {
        await read(name);
        const reads = counting.reads;
        await read(name);
        return counting.reads === reads ? true : undefined;
      },
      { timeoutMs: 1_000, intervalMs: 5 },
    );
  }

  beforeAll(async () => {
    await migrate({ url, poolSize: 4 });
    db = createDataSource({ url, poolSize: 4 });
    await db.initialize();
    tenant = await createTestTenant(db, 'cache');
    principal = {
      organizationId: tenant.organizationId,
      serviceAccountId: tenant.serviceAccountId,
      apiKeyId: tenant.apiKey.id,
      roles: [],
    };
  });

  beforeEach(async () => {
    counting = new CountingReader(new SqlStatementRepository(db));
    cache = new StatementReadCache(
      counting,
      new PgStatementChangeFeed({
        url,
        applicationName: APPLICATION_NAME,
        heartbeatMs: 50,
        firstRetryMs: 100,
        maxRetryMs: 400,
      }),
    );
    await cache.start();
    repository = new SqlStatementRepository(db, (s, name) => cache.forget(s, name));
    get = new GetStatement(new SqlIdentityRepository(db), cache);
  });

  afterEach(async () => {
    await cache.stop();
  });

  afterAll(async () => {
    await db?.destroy();
    const admin = new Client({
      connectionString: Object.assign(new URL(url), { pathname: '/postgres' }).toString(),
    });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await admin.end();
  });

  it('listens on one connection named for it, and answers repeated reads without Postgres', async () => {
    expect(cache.serving).toBe(true);
    const [{ count }]: { count: string }[] = await db.query(
      `SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND datname = $2 AND query LIKE 'LISTEN%'`,
      [APPLICATION_NAME, database],
    );
    expect(Number(count)).toBe(1);
    await create('repeated');
    await readIntoCache('repeated');
    const reads = counting.reads;
    for (let i = 0; i < 10; i++) expect((await read('repeated')).name).toBe('repeated');
    expect(counting.reads).toBe(reads);
  });

  it('serves a change made through another connection within a second', async () => {
    const statement = await create('changed');
    await readIntoCache('changed');
    await setDetail(statement.uid, 'changed elsewhere');
    expect(await readsWithin('changed', 'changed elsewhere')).toBeLessThan(1_000);
    // and caches the new row again
    await readIntoCache('changed');
  });

  it('sees this replica’s own spec change at once', async () => {
    const statement = await create('own-write');
    await readIntoCache('own-write');
    const updated = await repository.updateSpec(scope(), 'own-write', statement.resourceVersion, {
      stopped: true,
    });
    expect(updated).toMatchObject({ stopped: true });
    expect((await read('own-write')).stopped).toBe(true);
  });

  it('no longer serves a deleted statement', async () => {
    const statement = await create('deleted');
    await read('deleted');
    await repository.delete(statement.uid);
    await eventually(
      'the deleted statement to be gone',
      async () =>
        read('deleted').then(
          () => undefined,
          (error: { code?: string }) => (error.code === 'STATEMENT_NOT_FOUND' ? true : undefined),
        ),
      { timeoutMs: 1_000, intervalMs: 5 },
    );
    await expect(read('deleted')).rejects.toMatchObject({ code: 'STATEMENT_NOT_FOUND' });
  });

  it('reads Postgres while its connection is gone, and caches again once it is back', async () => {
    const statement = await create('survivor');
    await readIntoCache('survivor');
    expect(await killListener()).toBe(1);
    await eventually('the cache to notice', async () => (cache.serving ? undefined : true), {
      timeoutMs: 1_000,
      intervalMs: 5,
    });
    // changed while nobody listens: the notification is lost, the read must not be
    await setDetail(statement.uid, 'changed while deaf');
    expect((await read('survivor')).detail).toBe('changed while deaf');

    await eventually('the cache to listen again', async () => (cache.serving ? true : undefined), {
      timeoutMs: 5_000,
      intervalMs: 20,
    });
    expect((await read('survivor')).detail).toBe('changed while deaf');
    await readIntoCache('survivor');
    await setDetail(statement.uid, 'changed after reconnecting');
    expect(await readsWithin('survivor', 'changed after reconnecting')).toBeLessThan(1_000);
  });

  it('starts at once and reads Postgres while it cannot listen, then stops cleanly', async () => {
    await create('unlistened');
    const unreachable = Object.assign(new URL(url), { port: '1' }).toString();
    const deaf = new StatementReadCache(
      counting,
      new PgStatementChangeFeed({ url: unreachable, firstRetryMs: 50, maxRetryMs: 100 }),
    );
    const began = Date.now();
    await deaf.start();
    expect(Date.now() - began).toBeLessThan(2_000);
    expect(deaf.serving).toBe(false);
    const reads = counting.reads;
    for (let i = 0; i < 3; i++) expect((await deaf.find(scope(), 'unlistened'))?.name).toBe('unlistened');
    expect(counting.reads).toBe(reads + 3);
    await new Promise((resolve) => setTimeout(resolve, 300)); // a few retries
    await deaf.stop();
  });

  it('stops without leaving its connection behind', async () => {
    await cache.stop();
    await eventually(
      'the listener to leave',
      async () => {
        const [{ count }]: { count: string }[] = await db.query(
          'SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND datname = $2',
          [APPLICATION_NAME, database],
        );
        return Number(count) === 0 ? true : undefined;
      },
      { timeoutMs: 2_000, intervalMs: 20 },
    );
    expect(cache.serving).toBe(false);
  });

  it('keeps a delete when a reconcile pass that read the row before it records its phase', async () => {
    const statement = await create('undeletable');
    await repository.markDeleting(scope(), 'undeletable');
    // the pass that read PENDING records STOPPED, and a CFU change it must still bill
    await repository.recordStatus(statement.uid, {
      phase: 'STOPPED',
      detail: 'Created stopped.',
      currentCfu: 0,
    });
    const [row] = (await db.query('SELECT phase, detail FROM statements WHERE uid = $1', [
      statement.uid,
    ])) as {
      phase: string;
      detail: string;
    }[];
    expect(row).toEqual({ phase: 'DELETING', detail: 'Deleting: the Flink job is cancelled first.' });
    expect((await repository.activeStatements()).map((s) => s.uid)).toContain(statement.uid);
  });

  describe('the trigger', () => {
    let listener: Client;
    const heard: string[] = [];

    beforeAll(async () => {
      listener = new Client({ connectionString: url });
      await listener.connect();
      listener.on('notification', (n: Notification) => heard.push(n.payload ?? ''));
      await listener.query(`LISTEN ${STATEMENT_CHANGED_CHANNEL}`);
    });

    afterAll(async () => {
      await listener?.end();
    });

    const announced = async (expected: string[]) => {
      // a marker NOTIFY sent after the change arrives after the change's own
      await db.query(`SELECT pg_notify($1, 'marker')`, [STATEMENT_CHANGED_CHANNEL]);
      await eventually('the marker', async () => (heard.includes('marker') ? true : undefined), {
        timeoutMs: 2_000,
        intervalMs: 5,
      });
      expect(heard.filter((p) => p !== 'marker')).toEqual(expected);
      heard.length = 0;
    };

    it('announces updates and deletes by address; not inserts, no-op updates or results reads', async () => {
      const key = `${tenant.organizationId}/${tenant.environmentId}/announced`;
      const statement = await create('announced');
      await announced([]);
      await setDetail(statement.uid, 'x');
      await announced([key]);
      await db.query('UPDATE statements SET detail = detail WHERE uid = $1', [statement.uid]);
      await announced([]);
      await db.query('UPDATE statements SET last_read_at = now() WHERE uid = $1', [statement.uid]);
      await announced([]);
      await db.query('DELETE FROM statements WHERE uid = $1', [statement.uid]);
      await announced([key]);
    });

    it('goes away with its migration’s down, and comes back with its up', async () => {
      const migration = new StatementChangeNotify1763801000000();
      const runner = db.createQueryRunner();
      const triggers = async () =>
        Number(
          (
            (await db.query(`SELECT count(*) FROM pg_trigger WHERE tgname = 'statements_notify_change'`)) as {
              count: string;
            }[]
          )[0]!.count,
        );
      try {
        await migration.down(runner);
        expect(await triggers()).toBe(0);
        await create('unannounced');
        await announced([]);
        await migration.up(runner);
        expect(await triggers()).toBe(1);
      } finally {
        await runner.release();
      }
    });
  });
});
