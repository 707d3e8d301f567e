import { usageMinuteEvent } from '@riffle/domain';
import type { PartitionOffsets, UsageEventLog, UsageMinuteStore } from './metering.ports';

const MINUTES_PER_TRANSACTION = 60;
const EVENTS_PER_TRANSACTION = 5_000;

const sameOffsets = (a: PartitionOffsets, b: PartitionOffsets) =>
  Object.keys({ ...a, ...b }).every((p) => (a[p] ?? '0') === (b[p] ?? '0'));

/**
 * One CloudEvent per closed usage minute, each minute in one Kafka transaction, minutes in order.
 * Postgres records the last published minute and the topic's end offsets after it; if the topic has
 * moved past those offsets, a publisher died between Kafka's commit and Postgres's, and the topic
 * itself says which minute was published. So no minute is published twice or skipped.
 */
export class PublishUsageEvents {
  constructor(
    private readonly store: UsageMinuteStore,
    private readonly log: UsageEventLog,
    private readonly options: { source: string },
  ) {}

  /** publishes up to `maxMinutes` closed minutes; resolves with how many it published */
  async execute(maxMinutes = Number.POSITIVE_INFINITY): Promise<number> {
    let published = 0;
    while (published < maxMinutes) {
      const minutes = await this.publishNext();
      if (!minutes) break;
      published += minutes;
    }
    return published;
  }

  /** resolves with how many minutes it published (0 = nothing to do) */
  private async publishNext(): Promise<number> {
    const closedThrough = await this.store.closedThroughMs();
    if (closedThrough === undefined) return 0;
    const initial = await this.log.endOffsets();
    const result = await this.store.withEventsProgress(initial, async (progress, save) => {
      // read under the lock: a publisher that held it a moment ago may have committed to Kafka and then
      // died before Postgres did; offsets read before the lock would not show that transaction
      const end = await this.log.endOffsets();
      let { throughMs } = progress;
      if (!sameOffsets(end, progress.offsets)) {
        const found = await this.log.lastMinuteSince(progress.offsets, end);
        if (found !== undefined && found > throughMs) throughMs = found;
        await save({ throughMs, offsets: end });
      }
      const next = throughMs + 60_000;
      if (next > closedThrough) return 0;
      // catching up, many minutes go in one transaction; a minute is never split
      const until = Math.min(closedThrough, next + (MINUTES_PER_TRANSACTION - 1) * 60_000);
      const records = await this.store.minuteRecords(next, until, EVENTS_PER_TRANSACTION);
      const last =
        records.length && records.at(-1)!.minuteStartMs < until ? records.at(-1)!.minuteStartMs : until;
      const offsets = records.length
        ? await this.log.publish(
            records.map((r) => ({ key: r.statementUid, event: usageMinuteEvent(r, this.options.source) })),
          )
        : end;
      await save({ throughMs: last, offsets });
      return (last - throughMs) / 60_000;
    });
    return result ?? 0;
  }
}
