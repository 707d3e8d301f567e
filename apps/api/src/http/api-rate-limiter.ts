import type { OnApplicationShutdown } from '@nestjs/common';
import { RiffleError } from '@riffle/domain';
import type { Redis } from 'ioredis';

const WINDOW_MS = 60_000;
/** how often a replica adds what it counted to the shared count, and learns the others' */
const FLUSH_MS = 100;

/** one API key's requests in one minute, as this replica knows them */
interface Count {
  window: number;
  /** every replica's requests, as Redis last answered (this replica's flushed ones included) */
  shared: number;
  /** counted here, not yet sent to Redis */
  local: number;
  /** sent to Redis, answer not yet back */
  sending: number;
  /** the first request of the window asks Redis at once, so a fresh replica knows what others used */
  joined?: Promise<void>;
}

/** where the answer's headers go: a Fastify reply, or the statement read served ahead of Fastify */
export interface ResponseHeaders {
  header(name: string, value: string): unknown;
}

export interface Admission {
  allowed: boolean;
  remaining: number;
  /** seconds until the window ends and the budget is whole again */
  resetSeconds: number;
}

/** the decision, pure: `used` requests so far in the minute that ends at `windowEnd` */
export function admit(used: number, limit: number, now: number, windowEnd: number): Admission {
  const allowed = used < limit;
  return {
    allowed,
    remaining: Math.max(0, limit - used - (allowed ? 1 : 0)),
    resetSeconds: Math.max(1, Math.ceil((windowEnd - now) / 1000)),
  };
}

/**
 * Requests per API key per clock minute, shared by every API replica through Redis — without a Redis
 * round trip per request: each replica counts in memory and every 100 ms adds its count to the key's
 * Redis counter (INCRBY), learning the total in the same answer. Only the first request of a key in a
 * minute waits for Redis. Replicas may together overshoot by what they admit within one flush interval;
 * a limit per minute does not need more precision than that. With Redis away each replica keeps
 * counting alone, so the API stays up and the limit stays roughly right.
 */
export class ApiRateLimiter implements OnApplicationShutdown {
  private readonly counts = new Map<string, Count>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly perMinute: number,
  ) {
    this.timer = setInterval(() => void this.flush(), FLUSH_MS);
    this.timer.unref();
  }

  /** counts one request of `apiKeyId`, sets the X-RateLimit-* headers, throws RATE_LIMITED past the limit */
  async consume(apiKeyId: string, answer: ResponseHeaders): Promise<void> {
    const count = this.countOf(apiKeyId);
    if (count.joined) await count.joined;
    const now = Date.now();
    const admission = admit(
      count.shared + count.sending + count.local,
      this.perMinute,
      now,
      (count.window + 1) * WINDOW_MS,
    );
    answer.header('x-ratelimit-limit', String(this.perMinute));
    answer.header('x-ratelimit-remaining', String(admission.remaining));
    answer.header('x-ratelimit-reset', String(admission.resetSeconds));
    if (!admission.allowed) {
      answer.header('retry-after', String(admission.resetSeconds));
      throw new RiffleError(
        'RATE_LIMITED',
        'rate_limited',
        `This API key made more than ${this.perMinute} requests in a minute; retry after ${admission.resetSeconds} s.`,
        { retry_after_seconds: admission.resetSeconds },
      );
    }
    count.local++;
  }

  private countOf(apiKeyId: string): Count {
    const window = Math.floor(Date.now() / WINDOW_MS);
    const known = this.counts.get(apiKeyId);
    if (known?.window === window) return known;
    const count: Count = { window, shared: 0, local: 0, sending: 0 };
    this.counts.set(apiKeyId, count);
    if (this.redis.status === 'ready') {
      count.joined = this.add(apiKeyId, count, 0).finally(() => (count.joined = undefined));
    }
    return count;
  }

  /** adds `n` to the shared counter and learns the total; on failure the requests stay counted here */
  private async add(apiKeyId: string, count: Count, n: number): Promise<void> {
    count.sending += n;
    count.local -= n;
    try {
      const key = `${this.prefix}:rate-limit:${apiKeyId}:${count.window}`;
      const answers = await this.redis
        .multi()
        .incrby(key, n)
        .pexpire(key, 2 * WINDOW_MS)
        .exec();
      const [error, total] = answers?.[0] ?? [new Error('no answer')];
      if (error) throw error;
      // one connection answers in order: the total holds everything this replica sent before, and this
      count.shared = Number(total);
    } catch {
      count.local += n;
    } finally {
      count.sending -= n;
    }
  }

  private async flush(): Promise<void> {
    if (this.redis.status !== 'ready') return;
    const window = Math.floor(Date.now() / WINDOW_MS);
    const sends: Promise<void>[] = [];
    for (const [apiKeyId, count] of this.counts) {
      if (count.window < window && count.local === 0 && count.sending === 0) this.counts.delete(apiKeyId);
      else if (count.local > 0 && !count.joined) sends.push(this.add(apiKeyId, count, count.local));
    }
    await Promise.all(sends);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
