import type { Redis } from 'ioredis';
import { admit, ApiRateLimiter, type ResponseHeaders } from './api-rate-limiter';

describe('admit', () => {
  const end = 60_000;
  it('admits below the limit and says what remains after this request', () => {
    expect(admit(0, 8, 0, end)).toEqual({ allowed: true, remaining: 7, resetSeconds: 60 });
    expect(admit(7, 8, 59_500, end)).toEqual({ allowed: true, remaining: 0, resetSeconds: 1 });
  });
  it('refuses at the limit until the window ends', () => {
    expect(admit(8, 8, 30_000, end)).toEqual({ allowed: false, remaining: 0, resetSeconds: 30 });
    expect(admit(50, 8, 59_999, end)).toEqual({ allowed: false, remaining: 0, resetSeconds: 1 });
  });
});

/** an in-memory stand-in for the two Redis commands the limiter sends */
function fakeRedis(shared: Map<string, number>, status = 'ready') {
  const calls: string[] = [];
  const redis = {
    status,
    multi() {
      const ops: (() => [null, number])[] = [];
      const chain = {
        incrby(key: string, n: number) {
          ops.push(() => {
            calls.push(`incrby ${n}`);
            shared.set(key, (shared.get(key) ?? 0) + n);
            return [null, shared.get(key)!];
          });
          return chain;
        },
        pexpire() {
          ops.push(() => [null, 1]);
          return chain;
        },
        exec: async () => ops.map((op) => op()),
      };
      return chain;
    },
  };
  return { redis: redis as unknown as Redis, calls };
}

function fakeReply() {
  const headers: Record<string, string> = {};
  const reply: ResponseHeaders = { header: (name, value) => (headers[name] = value) };
  return { reply, headers };
}

describe('ApiRateLimiter', () => {
  const limiters: ApiRateLimiter[] = [];
  afterEach(async () => {
    await Promise.all(limiters.splice(0).map((l) => l.onApplicationShutdown()));
  });
  const limiter = (redis: Redis, perMinute: number) => {
    const made = new ApiRateLimiter(redis, 'test', perMinute);
    limiters.push(made);
    return made;
  };

  it('asks Redis once per key and minute, then counts in memory up to the limit', async () => {
    const { redis, calls } = fakeRedis(new Map());
    const rl = limiter(redis, 3);
    for (const remaining of ['2', '1', '0']) {
      const { reply, headers } = fakeReply();
      await rl.consume('key-a', reply);
      expect(headers['x-ratelimit-remaining']).toBe(remaining);
    }
    const { reply, headers } = fakeReply();
    await expect(rl.consume('key-a', reply)).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    expect(Number(headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(calls).toEqual(['incrby 0']);
    await rl.consume('key-b', fakeReply().reply); // another key has its own budget
  });

  it('shares the budget between replicas through the Redis count', async () => {
    const shared = new Map<string, number>();
    const one = limiter(fakeRedis(shared).redis, 4);
    const two = limiter(fakeRedis(shared).redis, 4);
    await one.consume('key', fakeReply().reply);
    await one.consume('key', fakeReply().reply);
    await one.consume('key', fakeReply().reply);
    await one.onApplicationShutdown(); // flushes its 3
    await two.consume('key', fakeReply().reply); // learns 3 used on joining: the 4th is the last
    await expect(two.consume('key', fakeReply().reply)).rejects.toMatchObject({ code: 'RATE_LIMITED' });
  });

  it('counts alone while Redis is away', async () => {
    const { redis, calls } = fakeRedis(new Map(), 'reconnecting');
    const rl = limiter(redis, 2);
    await rl.consume('key', fakeReply().reply);
    await rl.consume('key', fakeReply().reply);
    await expect(rl.consume('key', fakeReply().reply)).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    expect(calls).toEqual([]);
  });
});
