import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type Redis from 'ioredis';
import type { AllConfig } from '../config/config.types';
import { type LogScope, ScopedLogger } from '../logging/scoped-logger';

/** What one counted request may do. */
export interface RateVerdict {
  allowed: boolean;
  /** Seconds until the bucket's window ends (for Retry-After). */
  retryAfterS: number;
}

/**
 * Where the counters live, for /health/ready: `off` (RATE_LIMIT_MAX=0), `memory` (no
 * REDIS_URL), `redis` (shared by every instance), or `memory-fallback` (REDIS_URL is set
 * but Redis is unreachable: each process counts for itself until it is back).
 */
export type LimiterStore = 'off' | 'memory' | 'redis' | 'memory-fallback';

export interface LimiterStatus {
  store: LimiterStore;
  /** True while the configured Redis is unreachable (the limiter still works, per process). */
  degraded: boolean;
  detail: string;
}

/**
 * Fixed windows aligned to the clock: one counter per bucket per window, so a request costs
 * one Map update (or one Redis round trip) whatever the limit and the traffic. The whole
 * map is dropped when the window turns, so memory is bounded by the buckets seen in one
 * window.
 */
export class WindowCounter {
  private window = -1;
  private counts = new Map<string, number>();

  constructor(private readonly windowMs: number) {}

  /** Counts one request of `bucket`; returns the bucket's count in this window and when it ends. */
  hit(bucket: string, now = Date.now()): { count: number; resetAt: number } {
    const window = Math.floor(now / this.windowMs);
    if (window !== this.window) {
      this.window = window;
      this.counts = new Map();
    }
    const count = (this.counts.get(bucket) ?? 0) + 1;
    this.counts.set(bucket, count);
    return { count, resetAt: (window + 1) * this.windowMs };
  }

  /** Buckets counted in the current window (for tests). */
  get size(): number {
    return this.counts.size;
  }
}

/** INCR the window's key, and give it an expiry when it is new: atomic, one round trip. */
const INCR_SCRIPT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n`;

type RedisWithIncr = Redis & { kamprovIncr(key: string, ttlMs: number): Promise<number> };

/**
 * The rate limiter: RATE_LIMIT_MAX requests per bucket per RATE_LIMIT_WINDOW_S. Buckets are
 * `key:<id>` (a verified key, whatever node it calls) and `ip:<address>` (requests without a
 * valid key). With REDIS_URL the counters are shared by every instance through Redis; when
 * Redis cannot be reached, requests are never refused for that reason: each process counts
 * for itself (logged, and shown by status()) until Redis answers again.
 */
@Injectable()
export class RateLimiter implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new ScopedLogger('RateLimiter');
  private readonly max: number;
  private readonly windowMs: number;
  private readonly local: WindowCounter;
  private readonly prefix: string;
  private readonly redis: RedisWithIncr | undefined;
  /** Whether Redis currently serves the counters; starts false until it is ready. */
  private redisUp = false;
  private warnedDown = false;

  constructor(config: ConfigService<AllConfig, true>) {
    const { rateLimitMax, rateLimitWindowS, redisUrl, redisKeyPrefix } = config.get('app', { infer: true });
    this.max = rateLimitMax;
    this.windowMs = rateLimitWindowS * 1000;
    this.local = new WindowCounter(this.windowMs);
    this.prefix = redisKeyPrefix;
    if (this.max > 0 && redisUrl) this.redis = this.connect(redisUrl);
  }

  private connect(url: string): RedisWithIncr {
    // ioredis is loaded only with REDIS_URL set.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const RedisClient = (require('ioredis') as typeof import('ioredis')).default;
    const redis = new RedisClient(url, {
      // Never queue or retry a command: a request falls back to local counting at once.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 2000,
      commandTimeout: 500,
      retryStrategy: (times) => Math.min(200 * times, 5000),
      lazyConnect: false,
    }) as RedisWithIncr;
    redis.defineCommand('kamprovIncr', { numberOfKeys: 1, lua: INCR_SCRIPT });
    redis.on('ready', () => {
      this.redisUp = true;
      this.warnedDown = false;
      this.logger.log('counting requests in Redis (shared by every instance)');
    });
    const down = (reason: string) => {
      this.redisUp = false;
      if (!this.warnedDown) {
        this.warnedDown = true;
        this.logger.warn(`Redis is unreachable (${reason}): counting requests per process until it is back`);
      }
    };
    redis.on('error', (err: Error) => down(err.message || err.name));
    redis.on('close', () => down('connection closed'));
    return redis;
  }

  get enabled(): boolean {
    return this.max > 0;
  }

  /**
   * Counts one request of `bucket` in this process's counters and says whether it may
   * proceed, or returns undefined (counting nothing) when the count must come from Redis
   * (then: hit). Without a promise: this runs on every request.
   */
  hitLocally(bucket: string): RateVerdict | undefined {
    if (this.redis && this.redisUp) return undefined;
    const now = Date.now();
    const { count, resetAt } = this.local.hit(bucket, now);
    return this.verdict(count, resetAt, now);
  }

  /** Counts one request of `bucket` and says whether it may proceed. */
  async hit(bucket: string, scope?: LogScope): Promise<RateVerdict> {
    const now = Date.now();
    if (this.redis && this.redisUp) {
      const window = Math.floor(now / this.windowMs);
      const resetAt = (window + 1) * this.windowMs;
      try {
        const count = await this.redis.kamprovIncr(`${this.prefix}${bucket}:${window}`, this.windowMs + 1000);
        return this.verdict(count, resetAt, now);
      } catch (err) {
        // A slow or failing Redis: count this request locally rather than refuse it.
        if (!this.warnedDown) {
          this.warnedDown = true;
          this.logger.warn(`Redis failed (${(err as Error).message}): counting this request per process`, scope);
        }
      }
    }
    const { count, resetAt } = this.local.hit(bucket, now);
    return this.verdict(count, resetAt, now);
  }

  private verdict(count: number, resetAt: number, now: number): RateVerdict {
    return { allowed: count <= this.max, retryAfterS: Math.max(1, Math.ceil((resetAt - now) / 1000)) };
  }

  /** Where the counters are kept now (for /health/ready's detail). */
  status(): LimiterStatus {
    if (!this.enabled) return { store: 'off', degraded: false, detail: 'rate limiting is off (RATE_LIMIT_MAX=0)' };
    if (!this.redis) return { store: 'memory', degraded: false, detail: 'counted per process (no REDIS_URL)' };
    if (this.redisUp) return { store: 'redis', degraded: false, detail: 'counted in Redis, shared by every instance' };
    return {
      store: 'memory-fallback',
      degraded: true,
      // No error text here: readiness is public, and Redis's message can name hosts or say WRONGPASS. The log has it.
      detail: 'Redis is unreachable: counted per process until it is back',
    };
  }

  /** At start-up, waits (at most 2 s) for Redis to answer or fail, so the first requests are shared. */
  async onModuleInit(): Promise<void> {
    const redis = this.redis;
    if (!redis || redis.status === 'ready') return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        redis.off('ready', done);
        redis.off('error', done);
        resolve();
      };
      const timer = setTimeout(done, 2000);
      redis.once('ready', done);
      redis.once('error', done);
    });
  }

  async onModuleDestroy(): Promise<void> {
    if (!this.redis) return;
    this.redis.removeAllListeners('close');
    this.redis.on('error', () => undefined);
    this.redis.disconnect();
    await Promise.resolve();
  }
}
