import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import type { Principal } from '@riffle/application';
import { RiffleError } from '@riffle/domain';
import { from, type Observable } from 'rxjs';

interface Lane {
  active: number;
  waiting: (() => void)[];
}

/**
 * At most `perTenant` requests of one organization run at once in this API replica; the rest wait their
 * turn (first come, first served within the organization), and at most `maxWaiting` of them. Another
 * organization's request never waits behind them: an organization that sends a thousand creates at once
 * holds `perTenant` of the replica's work, not all of it (DESIGN §9.1).
 */
export class TenantGate {
  private readonly lanes = new Map<string, Lane>();

  constructor(
    private readonly perTenant: number,
    private readonly maxWaiting: number,
  ) {}

  async run<T>(tenant: string, work: () => Promise<T>): Promise<T> {
    let lane = this.lanes.get(tenant);
    if (!lane) this.lanes.set(tenant, (lane = { active: 0, waiting: [] }));
    if (lane.active >= this.perTenant) {
      if (lane.waiting.length >= this.maxWaiting)
        throw new RiffleError(
          'TOO_MANY_CONCURRENT_REQUESTS',
          'rate_limited',
          `This organization already has ${this.perTenant} changes under way and ${this.maxWaiting} waiting on this API replica; retry shortly.`,
          { retry_after_seconds: 1 },
        );
      // the request that finishes hands its place over, so `active` stays as it is
      await new Promise<void>((resume) => lane.waiting.push(resume));
    } else lane.active++;
    try {
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

/** Runs a route's handler through the TenantGate of the caller's organization. */
@Injectable()
export class TenantFairness implements NestInterceptor {
  constructor(private readonly gate: TenantGate) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const principal = context.switchToHttp().getRequest<{ principal?: Principal }>().principal;
    if (!principal) return next.handle();
    return from(
      this.gate.run(
        principal.organizationId,
        () =>
          new Promise((resolve, reject) => {
            next.handle().subscribe({ next: resolve, error: reject });
          }),
      ),
    );
  }
}
