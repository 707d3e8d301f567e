import { closeMinute } from '@riffle/domain';
import type { UsageMinuteStore } from './metering.ports';

/**
 * Closes every finished minute of the allocation ledger into usage records, oldest first, one minute
 * per transaction. Killed anywhere, it resumes at the first unclosed minute: a minute's records and
 * the progress that says it is closed commit together, and records are unique per (statement, minute).
 */
export class CloseUsageMinutes {
  constructor(
    private readonly store: UsageMinuteStore,
    private readonly options: { graceMs: number },
  ) {}

  /** closes up to `maxMinutes`; resolves with how many it closed */
  async execute(maxMinutes = Number.POSITIVE_INFINITY): Promise<number> {
    let closed = 0;
    while (closed < maxMinutes) {
      const minute = await this.store.closeNextMinute(this.options.graceMs, (start, ledger) =>
        closeMinute(ledger, start),
      );
      if (minute === undefined) break;
      closed++;
    }
    return closed;
  }
}
