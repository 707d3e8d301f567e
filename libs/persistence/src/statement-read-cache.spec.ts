import type { StatementReader, StatementRecord, StatementScope } from '@riffle/application';
import { aStatementRecord } from '@riffle/testing';
import { reconnectDelayMs } from './pg-statement-change-feed';
import {
  type StatementChangeEvents,
  type StatementChangeFeed,
  StatementReadCache,
  statementKey,
} from './statement-read-cache';

const scope: StatementScope = { organizationId: 'org-1', environmentId: 'env-1' };

function record(name: string, version: number): StatementRecord {
  return aStatementRecord({ ...scope, uid: `uid-${name}`, name, resourceVersion: version });
}

/** the "database": versions by name; `hold()` makes the next read wait until released */
class FakeStatements implements StatementReader {
  readonly rows = new Map<string, number>();
  reads = 0;
  private held: (() => void) | undefined;
  private holding = false;

  hold(): void {
    this.holding = true;
  }

  release(): void {
    this.held?.();
  }

  async find(_scope: StatementScope, name: string): Promise<StatementRecord | undefined> {
    this.reads += 1;
    // the snapshot is taken when the read starts, as a query's is
    const version = this.rows.get(name);
    if (this.holding) {
      this.holding = false;
      await new Promise<void>((resolve) => (this.held = resolve));
    }
    return version === undefined ? undefined : record(name, version);
  }
}

class FakeFeed implements StatementChangeFeed {
  events: StatementChangeEvents | undefined;
  stopped = false;

  async start(events: StatementChangeEvents): Promise<void> {
    this.events = events;
    events.up();
  }

  async stop(): Promise<void> {
    this.stopped = true;
  }
}

async function setUp(maxEntries = 10) {
  const db = new FakeStatements();
  const feed = new FakeFeed();
  const cache = new StatementReadCache(db, feed, maxEntries);
  await cache.start();
  const version = async (name: string) => (await cache.find(scope, name))?.resourceVersion;
  return { db, feed, cache, version, events: feed.events! };
}

describe('StatementReadCache', () => {
  it('answers repeated reads of a statement from memory while listening', async () => {
    const { db, version } = await setUp();
    db.rows.set('a', 1);
    for (let i = 0; i < 5; i++) expect(await version('a')).toBe(1);
    expect(db.reads).toBe(1);
  });

  it('shares one frozen record between readers, so none can change what the others see', async () => {
    const { db, cache } = await setUp();
    db.rows.set('a', 1);
    (await cache.find(scope, 'a'))!.labels.x = 'the row read from Postgres is the caller’s';
    const first = (await cache.find(scope, 'a'))!;
    expect(first.labels).toEqual({});
    expect(await cache.find(scope, 'a')).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(() => ((first as { detail: string }).detail = 'changed')).toThrow(TypeError);
  });

  it('reads again after a change of the statement is announced, and only that statement', async () => {
    const { db, version, events } = await setUp();
    db.rows.set('a', 1);
    db.rows.set('b', 1);
    await version('a');
    await version('b');
    db.rows.set('a', 2);
    events.changed(statementKey(scope, 'a'));
    expect(await version('a')).toBe(2);
    expect(await version('b')).toBe(1);
    expect(db.reads).toBe(3);
  });

  it('does not keep what it did not find: a statement created elsewhere is visible at once', async () => {
    const { db, version } = await setUp();
    expect(await version('a')).toBeUndefined();
    db.rows.set('a', 1);
    expect(await version('a')).toBe(1);
  });

  it('forgets a deleted statement when the delete is announced', async () => {
    const { db, version, events } = await setUp();
    db.rows.set('a', 1);
    await version('a');
    db.rows.delete('a');
    events.changed(statementKey(scope, 'a'));
    expect(await version('a')).toBeUndefined();
  });

  it('does not keep a row loaded before a change that was announced while it loaded', async () => {
    const { db, version, events } = await setUp();
    db.rows.set('a', 1);
    db.hold();
    const stale = version('a');
    db.rows.set('a', 2);
    events.changed(statementKey(scope, 'a'));
    db.release();
    expect(await stale).toBe(1);
    expect(await version('a')).toBe(2);
  });

  it('does the same for this replica’s own writes (forget)', async () => {
    const { db, cache, version } = await setUp();
    db.rows.set('a', 1);
    db.hold();
    const stale = version('a');
    db.rows.set('a', 2);
    cache.forget(scope, 'a');
    db.release();
    await stale;
    expect(await version('a')).toBe(2);
    expect(db.reads).toBe(2);
  });

  it('keeps a row whose load saw only changes of other statements', async () => {
    const { db, version, events } = await setUp();
    db.rows.set('a', 1);
    db.hold();
    const loading = version('a');
    events.changed(statementKey(scope, 'b'));
    db.release();
    await loading;
    await version('a');
    expect(db.reads).toBe(1);
  });

  it('keeps at most maxEntries statements, dropping the least recently read', async () => {
    const { db, cache, version } = await setUp(2);
    for (const name of ['a', 'b', 'c']) db.rows.set(name, 1);
    await version('a');
    await version('b');
    await version('a'); // a is now the most recent
    await version('c'); // b goes
    expect(cache.size).toBe(2);
    const before = db.reads;
    await version('a');
    await version('c');
    expect(db.reads).toBe(before);
    await version('b');
    expect(db.reads).toBe(before + 1);
  });

  it('reads Postgres every time while not listening, and empties itself when listening stops', async () => {
    const { db, cache, version, events } = await setUp();
    db.rows.set('a', 1);
    await version('a');
    events.down('connection lost');
    expect(cache.serving).toBe(false);
    expect(cache.size).toBe(0);
    await version('a');
    await version('a');
    expect(db.reads).toBe(3);
    expect(cache.size).toBe(0);
  });

  it('does not keep a row whose load began before listening (re)started: a change may have gone unheard', async () => {
    const { db, cache, version, events } = await setUp();
    db.rows.set('a', 1);
    events.down('connection lost');
    db.hold();
    const loading = version('a');
    db.rows.set('a', 2); // committed while nobody listened: never announced
    events.up();
    db.release();
    expect(await loading).toBe(1);
    expect(cache.size).toBe(0);
    expect(await version('a')).toBe(2);
    expect(await version('a')).toBe(2);
    expect(db.reads).toBe(2);
  });

  it('does not keep a row whose load spanned a loss and return of listening', async () => {
    const { db, cache, version, events } = await setUp();
    db.rows.set('a', 1);
    db.hold();
    const loading = version('a');
    events.down('connection lost');
    events.up();
    db.release();
    await loading;
    expect(cache.size).toBe(0);
  });

  it('neither listens nor keeps anything with maxEntries 0', async () => {
    const { db, cache, feed, version } = await setUp(0);
    db.rows.set('a', 1);
    await version('a');
    await version('a');
    expect(feed.events).toBeUndefined();
    expect(cache.serving).toBe(false);
    expect(db.reads).toBe(2);
  });

  it('stops the feed and stops serving on stop', async () => {
    const { db, cache, feed, version } = await setUp();
    db.rows.set('a', 1);
    await version('a');
    await cache.stop();
    expect(feed.stopped).toBe(true);
    expect(cache.serving).toBe(false);
    await version('a');
    expect(db.reads).toBe(2);
  });
});

describe('reconnectDelayMs', () => {
  it('doubles from the first delay up to the cap, with up to half of each wait random', () => {
    expect([0, 1, 2, 3, 4, 5, 50].map((a) => reconnectDelayMs(a, 1))).toEqual([
      250, 500, 1_000, 2_000, 4_000, 5_000, 5_000,
    ]);
    expect([0, 1, 5].map((a) => reconnectDelayMs(a, 0))).toEqual([125, 250, 2_500]);
  });
});
