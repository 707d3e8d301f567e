import { RiffleError } from '@riffle/domain';
import type { Response } from 'express';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

/**
 * Requests per API key per minute, counted in Redis so every API replica shares the budget. If Redis
 * is away the count falls back to this process's memory: the API stays up, the limit stays roughly right.
 */
export class ApiRateLimiter {
  private readonly limiter: RateLimiterRedis;

  constructor(
    redis: Redis,
    prefix: string,
    private readonly perMinute: number,
  ) {
    this.limiter = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${prefix}:rate-limit`,
      points: perMinute,
      duration: 60,
      // Redis away: count in memory at once rather than wait for it
      rejectIfRedisNotReady: true,
      insuranceLimiter: new RateLimiterMemory({ points: perMinute, duration: 60 }),
    });
  }

  /** counts one request of `apiKeyId`, sets the X-RateLimit-* headers, throws RATE_LIMITED past the limit */
  async consume(apiKeyId: string, response: Response): Promise<void> {
    let result: RateLimiterRes;
    try {
      result = await this.limiter.consume(apiKeyId);
    } catch (rejected) {
      if (!(rejected instanceof RateLimiterRes)) throw rejected;
      this.headers(response, rejected);
      const retryAfter = Math.max(1, Math.ceil(rejected.msBeforeNext / 1000));
      response.setHeader('retry-after', String(retryAfter));
      throw new RiffleError(
        'RATE_LIMITED',
        'rate_limited',
        `This API key made more than ${this.perMinute} requests in a minute; retry after ${retryAfter} s.`,
        { retry_after_seconds: retryAfter },
      );
    }
    this.headers(response, result);
  }

  private headers(response: Response, result: RateLimiterRes): void {
    response.setHeader('x-ratelimit-limit', String(this.perMinute));
    response.setHeader('x-ratelimit-remaining', String(Math.max(0, result.remainingPoints)));
    response.setHeader('x-ratelimit-reset', String(Math.ceil(result.msBeforeNext / 1000)));
  }
}
