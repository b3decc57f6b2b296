import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { startApp, TestApp, TEST_ADMIN_KEY } from './support/app';
import { databaseTargets, mysqlSkipped } from './support/databases';

// Issue 16: with REDIS_URL, several instances share the limiter's counters; without Redis
// (unreachable), requests are still answered, counted per process, and the log says so.
// Redis runs on 127.0.0.1:6379 on these machines (REDIS_TEST_URL overrides).
const REDIS_URL = process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379';
/** A key prefix per run, so parallel runs sharing the Redis never count each other's requests. */
const prefix = () => `kamprov-test:${randomBytes(6).toString('hex')}:`;

describe('rate limit shared through Redis', () => {
  for (const target of databaseTargets()) {
    it(`two instances on one Redis allow a key its limit once in all [${target.kind}]`, async () => {
      const db = await target.create();
      const env = { DATABASE_URL: db.url, RATE_LIMIT_MAX: '6', RATE_LIMIT_WINDOW_S: '60', REDIS_URL, REDIS_KEY_PREFIX: prefix() };
      const apps: TestApp[] = [];
      try {
        apps.push(await startApp(env), await startApp(env));
        const statuses: number[] = [];
        for (let i = 0; i < 12; i++) statuses.push((await apps[i % 2].get('/user/list', { key: TEST_ADMIN_KEY })).status);
        expect(statuses.filter((s) => s === 200)).toHaveLength(6);
        expect(statuses.slice(6)).toEqual(Array(6).fill(429));
        // Keyless requests are shared too (per address).
        const keyless: number[] = [];
        for (let i = 0; i < 8; i++) keyless.push((await apps[i % 2].get('/user/list', { key: null })).status);
        expect(keyless).toEqual([401, 401, 401, 401, 401, 401, 429, 429]);
        // Readiness says the counters are shared (and is not itself counted).
        for (const app of apps) {
          const ready = await app.get('/health/ready', { key: null });
          expect(ready.status).toBe(200);
          expect(ready.body.health.info.rateLimiter).toEqual({
            status: 'up',
            store: 'redis',
            degraded: false,
            detail: 'counted in Redis, shared by every instance',
          });
        }
      } finally {
        for (const app of apps) await app.close();
        await db.drop();
      }
    }, 120_000);

    it(`answers and counts per process when Redis is unreachable, and says so [${target.kind}]`, async () => {
      const db = await target.create();
      const warn = jest.spyOn(Logger.prototype, 'warn');
      let app: TestApp | undefined;
      try {
        // Port 1 on loopback: nothing listens there.
        app = await startApp({
          DATABASE_URL: db.url,
          RATE_LIMIT_MAX: '4',
          RATE_LIMIT_WINDOW_S: '60',
          REDIS_URL: 'redis://127.0.0.1:1',
          REDIS_KEY_PREFIX: prefix(),
        });
        const statuses: number[] = [];
        for (let i = 0; i < 6; i++) statuses.push((await app.get('/user/list', { key: TEST_ADMIN_KEY })).status);
        expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
        const warnings = warn.mock.calls.map((c) => String(c[0]));
        expect(warnings.filter((w) => /Redis is unreachable .*counting requests per process/.test(w))).toHaveLength(1);
        // Readiness: still ready (200), the limiter up but degraded, counting per process.
        const ready = await app.get('/health/ready', { key: null });
        expect(ready.status).toBe(200);
        expect(ready.body).toMatchObject({ response: 'ok', health: { status: 'ok', info: { database: { status: 'up' } } } });
        expect(ready.body.health.info.rateLimiter).toEqual({
          status: 'up',
          store: 'memory-fallback',
          degraded: true,
          detail: 'Redis is unreachable: counted per process until it is back',
        });
        expect(ready.body.health.details.rateLimiter).toEqual(ready.body.health.info.rateLimiter);
      } finally {
        warn.mockRestore();
        await app?.close();
        await db.drop();
      }
    }, 120_000);
  }
  it('readiness shows a per-process limiter without REDIS_URL, and none with RATE_LIMIT_MAX=0 [sqlite]', async () => {
    const db = await databaseTargets()[0].create();
    const apps: TestApp[] = [];
    try {
      apps.push(await startApp({ DATABASE_URL: db.url, RATE_LIMIT_MAX: '5' }));
      apps.push(await startApp({ DATABASE_URL: db.url, RATE_LIMIT_MAX: '0', REDIS_URL: 'redis://127.0.0.1:1' }));
      const [memory, off] = await Promise.all(apps.map((app) => app.get('/health/ready', { key: null })));
      expect([memory.status, memory.body.health.info.rateLimiter]).toEqual([
        200,
        { status: 'up', store: 'memory', degraded: false, detail: 'counted per process (no REDIS_URL)' },
      ]);
      expect([off.status, off.body.health.info.rateLimiter]).toEqual([
        200,
        { status: 'up', store: 'off', degraded: false, detail: 'rate limiting is off (RATE_LIMIT_MAX=0)' },
      ]);
    } finally {
      for (const app of apps) await app.close();
      await db.drop();
    }
  }, 120_000);
  if (mysqlSkipped()) it.skip('[mysql] SKIPPED: TEST_DATABASE_URL is not set', () => undefined);
});
