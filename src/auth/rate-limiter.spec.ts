import type { ConfigService } from '@nestjs/config';
import type { AllConfig } from '../config/config.types';
import { RateLimiter, WindowCounter } from './rate-limiter';

const limiter = (app: Record<string, unknown>) =>
  new RateLimiter({
    get: () => ({ rateLimitMax: 3, rateLimitWindowS: 60, redisUrl: undefined, redisKeyPrefix: 'kamprov:rl:', ...app }),
  } as unknown as ConfigService<AllConfig, true>);

describe('WindowCounter', () => {
  it('keeps one counter per bucket however many hits it takes (O(1) per request)', () => {
    const c = new WindowCounter(60_000);
    const t0 = 1_800_000_000_000 - (1_800_000_000_000 % 60_000);
    for (let i = 0; i < 100_000; i++) c.hit('key:1', t0 + (i % 50_000));
    expect(c.hit('key:1', t0 + 1).count).toBe(100_001);
    expect(c.size).toBe(1);
    c.hit('ip:127.0.0.1', t0 + 2);
    expect(c.size).toBe(2);
  });

  it('starts every bucket afresh when the window turns, and says when the window ends', () => {
    const c = new WindowCounter(10_000);
    const t0 = 1_800_000_000_000;
    expect(c.hit('a', t0 + 1)).toEqual({ count: 1, resetAt: t0 + 10_000 });
    expect(c.hit('a', t0 + 2).count).toBe(2);
    expect(c.hit('a', t0 + 10_000)).toEqual({ count: 1, resetAt: t0 + 20_000 });
    expect(c.size).toBe(1);
  });
});

describe('RateLimiter', () => {
  it('allows the limit per bucket, then refuses with the seconds left in the window', async () => {
    const l = limiter({});
    const verdicts = [];
    for (let i = 0; i < 4; i++) verdicts.push(await l.hit('key:7'));
    expect(verdicts.map((v) => v.allowed)).toEqual([true, true, true, false]);
    expect(verdicts[3].retryAfterS).toBeGreaterThanOrEqual(1);
    expect(verdicts[3].retryAfterS).toBeLessThanOrEqual(60);
    expect((await l.hit('key:8')).allowed).toBe(true);
    expect(l.status()).toMatchObject({ store: 'memory', degraded: false });
  });

  it('counts in the same counters without a promise when there is no Redis (hitLocally and hit share them)', async () => {
    const l = limiter({});
    expect(l.hitLocally('key:7')?.allowed).toBe(true);
    expect((await l.hit('key:7')).allowed).toBe(true);
    expect(l.hitLocally('key:7')?.allowed).toBe(true);
    const refused = l.hitLocally('key:7');
    expect(refused?.allowed).toBe(false);
    expect(refused?.retryAfterS).toBeGreaterThanOrEqual(1);
    expect((await l.hit('key:7')).allowed).toBe(false);
  });

  it('reports off when RATE_LIMIT_MAX=0', () => {
    expect(limiter({ rateLimitMax: 0 }).status()).toMatchObject({ store: 'off', degraded: false });
  });

  it('falls back to per-process counting when Redis is unreachable, and reports it', async () => {
    const l = limiter({ redisUrl: 'redis://127.0.0.1:1' });
    try {
      await l.onModuleInit();
      const verdicts = [];
      for (let i = 0; i < 4; i++) verdicts.push((await l.hit('key:1')).allowed);
      expect(verdicts).toEqual([true, true, true, false]);
      // Redis down: counted locally, in the same counters.
      expect(l.hitLocally('key:1')?.allowed).toBe(false);
      expect(l.hitLocally('key:2')?.allowed).toBe(true);
      expect(l.status()).toMatchObject({ store: 'memory-fallback', degraded: true });
      expect(l.status().detail).toMatch(/Redis is unreachable/);
    } finally {
      await l.onModuleDestroy();
    }
  });
});
