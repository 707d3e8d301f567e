import type { Redis } from 'ioredis';

/**
 * Fair sharing of a queue's workers across tenants (DESIGN §9.1), as start-time fair queueing over
 * BullMQ's job priorities. Every tenant has a virtual clock in Redis: each new job of a tenant moves its
 * clock `costMs` ahead of max(clock, now), and the job's priority is how far the clock then runs ahead of
 * now. A tenant that adds 500 jobs at once gets priorities 1×…500× cost; another tenant's single job
 * gets 1× cost and is taken right after the first tenant's first job — round robin, whatever the
 * backlog. Clocks fall back to now as time passes, so a burst is forgiven at `1000 / costMs` jobs a
 * second, and a quiet tenant always starts at the front.
 *
 * A job re-derived by a sweep (`charge: false`, a no-op for a job already queued) takes its tenant's
 * current place without moving the clock, so periodic sweeps of long-running work never push a
 * tenant back. Redis's own clock is used, so API and scheduler replicas agree.
 */
export class FairShare {
  constructor(
    private readonly redis: Redis,
    /** one clock per tenant under this prefix (one prefix per queue) */
    private readonly prefix: string,
    private readonly costMs = FAIR_SHARE_COST_MS,
  ) {
    if (!('riffleFairShare' in redis)) redis.defineCommand('riffleFairShare', { numberOfKeys: 1, lua: LUA });
  }

  /** the BullMQ priority (≥ 1; lower runs first) of a job of `tenant` added now */
  async priority(tenant: string, charge = true): Promise<number> {
    const command = (this.redis as unknown as FairShareCommand).riffleFairShare;
    const key = `${this.prefix}:${tenant}`;
    return Number(await command.call(this.redis, key, charge ? '1' : '0', this.costMs, MAX_PRIORITY));
  }
}

/** a tenant's job costs this much of its virtual clock: 10 jobs a second before it falls behind others */
export const FAIR_SHARE_COST_MS = 100;
/** BullMQ's largest priority (2^21); a backlog deeper than that many ms shares the last place */
const MAX_PRIORITY = 2_097_152;

type FairShareCommand = {
  riffleFairShare: (key: string, charge: string, costMs: number, max: number) => Promise<number>;
};

const LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local clock = tonumber(redis.call('GET', KEYS[1]) or '0')
if clock < now then clock = now end
if ARGV[1] == '1' then
  clock = clock + tonumber(ARGV[2])
  redis.call('SET', KEYS[1], clock, 'PX', clock - now + 60000)
end
local priority = clock - now + 1
if priority > tonumber(ARGV[3]) then priority = tonumber(ARGV[3]) end
return priority
`;
