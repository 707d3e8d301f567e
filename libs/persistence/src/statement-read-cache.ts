import type { OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { StatementReader, type StatementRecord, type StatementScope } from '@riffle/application';

/** A statement's address as the `riffle_statement_changed` notifications carry it. */
export const statementKey = (scope: StatementScope, name: string): string =>
  `${scope.organizationId}/${scope.environmentId}/${name}`;

/** What a change feed tells the cache. */
export interface StatementChangeEvents {
  /** listening (again): every change committed from now on will be announced */
  up(): void;
  /** not listening: changes may go unannounced until the next `up` */
  down(reason: string): void;
  /** the statement at this address changed or was deleted (creates are not announced: misses are never kept) */
  changed(key: string): void;
}

/** Where the cache hears of changes: Postgres LISTEN (PgStatementChangeFeed), or a fake in tests. */
export interface StatementChangeFeed {
  /** resolves after the first attempt to listen, whether or not it worked; retries on its own after */
  start(events: StatementChangeEvents): Promise<void>;
  stop(): Promise<void>;
}

/** one key's reads in flight; `generation` counts the key's changes heard meanwhile */
interface Reading {
  generation: number;
  readers: number;
}

/**
 * This API replica's copy of recently read statements, so repeated GETs of one statement do not each
 * cost a Postgres round trip. It is kept right by the change feed rather than by a TTL: every committed
 * change of a statement row is announced (a trigger NOTIFYs `riffle_statement_changed`) and drops that
 * statement here, so an answer is never older than the notification's delay (milliseconds).
 *
 * That holds only while the feed listens: a change made while it does not goes unheard. So the cache
 * answers only while listening, empties itself when listening stops, and starts over when it resumes;
 * in between every read goes to Postgres.
 *
 * A read races with changes: it may load the old row, and a change's notification may arrive before the
 * old row is stored. Each key in flight therefore carries a generation that every change of it bumps,
 * and a loaded row is kept only if its key's generation did not move while it was loaded. That is
 * enough because Postgres delivers a NOTIFY only after its transaction commits: a change whose
 * notification arrived before the read began is already visible to the read's snapshot, and one that
 * commits after the snapshot is announced later, either while the read is in flight (the generation
 * moves, the row is not kept) or after it was stored (the notification drops it). A read begun in an
 * earlier listening period (the epoch) is not kept either: a change may have gone unannounced then.
 *
 * Only found statements are kept: one created through another replica is visible at once.
 * `maxEntries` 0 turns the cache off (every read goes to Postgres, nothing listens).
 */
export class StatementReadCache
  extends StatementReader
  implements StatementChangeEvents, OnModuleInit, OnApplicationShutdown
{
  /** least recently read first */
  private readonly entries = new Map<string, StatementRecord>();
  private readonly reading = new Map<string, Reading>();
  private listening = false;
  /** bumped whenever listening starts or stops */
  private epoch = 0;

  constructor(
    private readonly inner: StatementReader,
    private readonly feed: StatementChangeFeed,
    private readonly maxEntries = 10_000,
  ) {
    super();
  }

  /** whether reads may be answered from memory now */
  get serving(): boolean {
    return this.listening && this.maxEntries > 0;
  }

  get size(): number {
    return this.entries.size;
  }

  async find(scope: StatementScope, name: string): Promise<StatementRecord | undefined> {
    if (!this.serving) return this.inner.find(scope, name);
    const key = statementKey(scope, name);
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      // shared, so frozen: a GET served from memory costs no copy
      return hit;
    }
    const epoch = this.epoch;
    const reading = this.reading.get(key) ?? { generation: 0, readers: 0 };
    this.reading.set(key, reading);
    reading.readers += 1;
    const generation = reading.generation;
    try {
      const found = await this.inner.find(scope, name);
      const unchanged = reading.generation === generation && this.epoch === epoch;
      // kept under the address Postgres announces; a request spelling it differently just never hits
      if (found && unchanged && this.serving && statementKey(found, found.name) === key) {
        this.entries.set(key, deepFreeze(structuredClone(found)));
        if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
      }
      return found;
    } finally {
      reading.readers -= 1;
      if (reading.readers === 0) this.reading.delete(key);
    }
  }

  /** drops a statement this replica just changed, so its next read sees the change without waiting */
  forget(scope: StatementScope, name: string): void {
    this.changed(statementKey(scope, name));
  }

  changed(key: string): void {
    this.entries.delete(key);
    const reading = this.reading.get(key);
    if (reading) reading.generation += 1;
  }

  up(): void {
    this.entries.clear();
    this.epoch += 1;
    this.listening = true;
  }

  down(): void {
    this.listening = false;
    this.epoch += 1;
    this.entries.clear();
  }

  /** does not wait for Postgres beyond one connection attempt: the feed keeps retrying */
  async start(): Promise<void> {
    if (this.maxEntries > 0) await this.feed.start(this);
  }

  async stop(): Promise<void> {
    await this.feed.stop();
    this.down();
  }

  onModuleInit(): Promise<void> {
    return this.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.stop();
  }
}

/** objects and arrays all the way down (a record's Dates stay Dates: nobody sets their time) */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !(value instanceof Date) && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
