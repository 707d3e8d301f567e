import { usageMinuteEventId } from '@riffle/domain';
import {
  type AccountedUsageMinute,
  type EventsProgress,
  type PartitionOffsets,
  UsageEventLog,
  UsageMinuteStore,
} from './metering.ports';
import { PublishUsageEvents } from './publish-usage-events.use-case';

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 11, 1);
const STATEMENTS = ['s-1', 's-2'];

/** one partition: each record is one event; `end` is the next offset, as Kafka's end offsets */
class TopicLog extends UsageEventLog {
  readonly records: { id: string; minute: number }[] = [];

  endOffsets(): Promise<PartitionOffsets> {
    return Promise.resolve({ '0': String(this.records.length) });
  }

  publish(events: { key: string; event: object }[]): Promise<PartitionOffsets> {
    for (const { event } of events) {
      const { id, data } = event as { id: string; data: { minute: string } };
      this.records.push({ id, minute: Date.parse(data.minute) });
    }
    return this.endOffsets();
  }

  lastMinuteSince(from: PartitionOffsets, to: PartitionOffsets): Promise<number | undefined> {
    const seen = this.records.slice(Number(from['0'] ?? 0), Number(to['0'] ?? 0)).map((r) => r.minute);
    return Promise.resolve(seen.length ? Math.max(...seen) : undefined);
  }
}

/** closed minutes T0+1..T0+closed, two statements each; the events progress behind a lock */
class Minutes extends UsageMinuteStore {
  progress: EventsProgress = { throughMs: T0, offsets: { '0': '0' } };
  /** runs just before the lock is taken: what another publisher did meanwhile */
  beforeLock: () => Promise<void> = async () => undefined;

  constructor(private readonly closed: number) {
    super();
  }

  closeNextMinute(): Promise<number | undefined> {
    return Promise.resolve(undefined); // closing is not this use case's business
  }

  closedThroughMs(): Promise<number | undefined> {
    return Promise.resolve(T0 + this.closed * MINUTE);
  }

  minuteRecords(fromMs: number, toMs: number): Promise<AccountedUsageMinute[]> {
    const records: AccountedUsageMinute[] = [];
    for (let minute = fromMs; minute <= toMs; minute += MINUTE)
      for (const uid of STATEMENTS) records.push(record(uid, minute));
    return Promise.resolve(records);
  }

  async withEventsProgress<T>(
    _initialOffsets: PartitionOffsets,
    work: (progress: EventsProgress, save: (progress: EventsProgress) => Promise<void>) => Promise<T>,
  ): Promise<T | undefined> {
    await this.beforeLock();
    let saved = this.progress;
    const result = await work(this.progress, async (p) => {
      saved = p;
    });
    this.progress = saved; // "commits"
    return result;
  }

  statementMinutes(): Promise<AccountedUsageMinute[]> {
    return Promise.resolve([]);
  }
}

const record = (statementUid: string, minuteStartMs: number): AccountedUsageMinute => ({
  statementUid,
  minuteStartMs,
  cfuMs: 60_000n,
  minimumTopUpMs: 0n,
  billedCfuMs: 60_000n,
  statementName: statementUid,
  organizationId: 'org-1',
  environmentId: 'env-1',
  computePoolId: null,
});

const ids = (log: TopicLog) => log.records.map((r) => r.id);

describe('PublishUsageEvents', () => {
  it('publishes every closed minute once, in order', async () => {
    const log = new TopicLog();
    const store = new Minutes(5);
    expect(await new PublishUsageEvents(store, log, { source: 'test' }).execute()).toBe(5);
    expect(log.records.map((r) => (r.minute - T0) / MINUTE)).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
    expect(await new PublishUsageEvents(store, log, { source: 'test' }).execute()).toBe(0);
    expect(new Set(ids(log)).size).toBe(10);
  });

  it('does not publish again what a publisher got onto Kafka before dying, even while it held the lock', async () => {
    const log = new TopicLog();
    const store = new Minutes(5);
    // another publisher holds the lock, commits minutes 1-3 to Kafka and dies before Postgres commits
    store.beforeLock = async () => {
      store.beforeLock = async () => undefined;
      await log.publish([1, 2, 3].flatMap((m) => STATEMENTS.map((uid) => eventOf(uid, T0 + m * MINUTE))));
    };
    await new PublishUsageEvents(store, log, { source: 'test' }).execute();
    expect(log.records.map((r) => (r.minute - T0) / MINUTE)).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
    expect(new Set(ids(log)).size).toBe(log.records.length);
  });
});

const eventOf = (uid: string, minute: number) => ({
  key: uid,
  event: { id: usageMinuteEventId(uid, minute), data: { minute: new Date(minute).toISOString() } },
});
