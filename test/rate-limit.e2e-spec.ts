import { insertKey } from './support/keys';
import { addLocalDomain, onEveryDatabase } from './support/suite';

const D = 'sip.example.com';
const WRONG_KEY = 'kp_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

async function auditRows(ctx: () => { db: { query<T>(sql: string): Promise<T[]> } }): Promise<number> {
  const [row] = await ctx().db.query<{ n: number | string }>('SELECT COUNT(*) AS n FROM kamprov_audit');
  return Number(row.n);
}

// Issue 14 item 1 and issue 17: every request to a node is counted, per key id across all
// nodes, and per client address when it has no valid key; refusals are limited too.
onEveryDatabase(
  'rate limit: per key, across nodes; refused requests counted',
  (ctx) => {
    const keys: Record<string, string> = {};

    beforeAll(async () => {
      await addLocalDomain(ctx().db, D);
      keys.read = await insertKey(ctx().db, 'rl-read', 'read');
      keys.read2 = await insertKey(ctx().db, 'rl-read-2', 'read');
      keys.admin = await insertKey(ctx().db, 'rl-admin', 'admin');
    });

    it('counts a key once across every node it calls (not per node)', async () => {
      const { app } = ctx();
      const statuses: number[] = [];
      for (const path of ['/user/list', '/domain/list', '/user/genpw', '/user/list', '/domain/list', '/numbers/list']) {
        statuses.push((await app.get(path, { key: keys.read })).status);
      }
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
      const limited = await app.get('/alias/list?destination=a@b.c', { key: keys.read });
      expect(limited.status).toBe(429);
      expect(limited.body).toMatchObject({ response: 'failed', cause: 'toomany' });
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      // Another key has its own bucket.
      expect((await app.get('/user/list', { key: keys.read2 })).status).toBe(200);
    });

    it('counts requests without a valid key per client address: 401 up to the limit, then 429 with Retry-After', async () => {
      const { app } = ctx();
      const statuses: number[] = [];
      for (const key of [null, WRONG_KEY, 'wrong', null, WRONG_KEY, null, 'wrong']) {
        statuses.push((await app.get(`/user/add_local?user=x@${D}`, { key })).status);
      }
      expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
      const limited = await app.get('/user/list', { key: null });
      expect(limited.body).toMatchObject({ response: 'failed', cause: 'toomany' });
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      // A valid key from the same address is counted in its own bucket.
      expect((await app.get('/user/list', { key: keys.admin })).status).toBe(200);
    });

    it('counts forbidden requests (a read key on a write node) in the key bucket', async () => {
      const { app } = ctx();
      const key = await insertKey(ctx().db, 'rl-forbidden', 'read');
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++) statuses.push((await app.get(`/user/add_local?user=f${i}@${D}`, { key })).status);
      expect(statuses).toEqual([403, 403, 403, 403, 403, 429, 429]);
      // Forbidden calls are audited (a known key), the limited ones are not.
      const audit = await ctx().db.query<{ outcome: string }>("SELECT outcome FROM kamprov_audit WHERE key_name = 'rl-forbidden'");
      expect(audit.map((a) => a.outcome)).toEqual(Array(5).fill('failed/forbidden'));
    });
  },
  { RATE_LIMIT_MAX: '5', RATE_LIMIT_WINDOW_S: '60' },
);

// Issue 14 item 1: refused requests must not grow the audit trail without bound.
onEveryDatabase('audit: requests without a valid key are not recorded', (ctx) => {
  it('500 keyless or wrong-key writes add no audit row; a keyed write still does', async () => {
    const { app } = ctx();
    const before = await auditRows(ctx);
    for (let batch = 0; batch < 10; batch++) {
      const answers = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          app.get(`/user/add_local?user=${'x'.repeat(100)}${batch}-${i}@${D}`, { key: i % 2 ? null : WRONG_KEY }),
        ),
      );
      expect(answers.every((a) => a.status === 401)).toBe(true);
    }
    expect(await auditRows(ctx)).toBe(before);
    await app.get(`/user/remove?user=nobody@${D}`);
    expect(await auditRows(ctx)).toBe(before + 1);
  }, 60_000);
});
