import { RiffleError } from '@riffle/domain';

interface Lane {
  active: number;
  waiting: (() => void)[];
  /** the earliest time the lane's next piece of work may start (the rate, when there is one) */
  nextStartMs: number;
}

/**
 * At most `perTenant` pieces of work of one organization run at once in this process; the rest wait their
 * turn (first come, first served within the organization), and at most `maxWaiting` of them. Another
 * organization's work never waits behind them: an organization that sends a thousand creates at once, or
 * has hundreds of statements to reconcile, holds `perTenant` of the process's work, not all of it and not
 * all of its CPU (DESIGN §9.1). With `perSecond`, starts of one organization's work are also spaced out
 * to that rate: concurrency alone does not bound the CPU a stream of short requests takes. The API gates
 * statement changes with it (concurrency and rate), the scheduler its queue jobs (concurrency).
 */
export class TenantGate {
  private readonly lanes = new Map<string, Lane>();

  private readonly intervalMs: number;

  constructor(
    private readonly perTenant: number,
    private readonly maxWaiting = Number.POSITIVE_INFINITY,
    perSecond = Number.POSITIVE_INFINITY,
  ) {
    this.intervalMs = 1_000 / perSecond;
  }

  async run<T>(tenant: string, work: () => Promise<T>): Promise<T> {
    let lane = this.lanes.get(tenant);
    if (!lane) this.lanes.set(tenant, (lane = { active: 0, waiting: [], nextStartMs: 0 }));
    if (lane.active >= this.perTenant) {
      if (lane.waiting.length >= this.maxWaiting)
        throw new RiffleError(
          'TOO_MANY_CONCURRENT_REQUESTS',
          'rate_limited',
          `This organization already has ${this.perTenant} requests under way and ${this.maxWaiting} waiting; retry shortly.`,
          { retry_after_seconds: 1 },
        );
      // the request that finishes hands its place over, so `active` stays as it is
      await new Promise<void>((resume) => lane.waiting.push(resume));
    } else lane.active++;
    try {
      if (this.intervalMs > 0) {
        const now = Date.now();
        const wait = lane.nextStartMs - now;
        lane.nextStartMs = Math.max(now, lane.nextStartMs) + this.intervalMs;
        if (wait > 0) await new Promise((resume) => setTimeout(resume, wait));
      }
      return await work();
    } finally {
      const next = lane.waiting.shift();
      if (next) next();
      else if (--lane.active === 0) this.lanes.delete(tenant);
    }
  }

  /** requests of `tenant` running and waiting (tests, metrics) */
  load(tenant: string): { active: number; waiting: number } {
    const lane = this.lanes.get(tenant);
    return { active: lane?.active ?? 0, waiting: lane?.waiting.length ?? 0 };
  }
}
