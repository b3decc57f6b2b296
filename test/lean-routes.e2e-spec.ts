import { KEY_CACHE_TTL_MS } from '../src/auth/api-keys.service';
import { startApp, TEST_ADMIN_KEY, TestApp } from './support/app';
import { databaseTargets, describeSkippedTargets, TestDatabase } from './support/databases';
import { insertKey } from './support/keys';
import { addLocalDomain } from './support/suite';

const D = 'lean.example.com';
const MAC = '00a0b0c0d0e0';
const EMPTY_MAC = '00a0b0c0d0ff';

/** What may differ between two answers to the same request: the request id, the date. */
function comparable(status: number, headers: Headers, body: string) {
  const kept: Record<string, string> = {};
  headers.forEach((value, name) => {
    if (!['date', 'x-request-id', 'keep-alive', 'connection'].includes(name)) kept[name] = value;
  });
  return { status, headers: kept, body };
}

async function ask(app: TestApp, path: string, headers: Record<string, string>) {
  const res = await fetch(app.baseUrl + path, { headers });
  const body = await res.text();
  expect(res.headers.get('x-request-id')).toBeTruthy();
  return comparable(res.status, res.headers, body);
}

/**
 * The lean routes (src/common/lean-route.ts: user/get, phone/get, numbers/inpool answered
 * without Nest's router) answer every request exactly as Nest's router does: status, headers
 * and body, byte for byte, for answers, refusals of every kind and failures. Two apps on the
 * same database, one with the lean routes and one without, are asked the same requests.
 */
for (const target of databaseTargets()) {
  describe(`lean routes answer as Nest's router does [${target.kind}]`, () => {
    let db: TestDatabase;
    let lean: TestApp;
    let nest: TestApp;
    const keys: Record<string, string> = {};

    beforeAll(async () => {
      db = await target.create();
      // Both on one database; the rate limit is checked separately below.
      lean = await startApp({ DATABASE_URL: db.url });
      nest = await startApp({ DATABASE_URL: db.url }, { leanRoutes: false });
      await addLocalDomain(db, D);
      for (const u of ['alice', 'bob']) expect((await lean.get(`/user/add_local?user=${u}@${D}`)).status).toBe(200);
      expect((await lean.get(`/phone/add?mac=${MAC}&user=alice@${D}`)).status).toBe(200);
      expect((await lean.get(`/phone/add?mac=${MAC}&user=bob@${D}`)).status).toBe(200);
      expect((await lean.get(`/phone/set?mac=${EMPTY_MAC}&vendor=yealink`)).status).toBe(200);
      expect((await lean.get('/numbers/add?number=%2B4721000001')).status).toBe(200);
      keys.read = await insertKey(db, 'lean-read', 'read');
      keys.provision = await insertKey(db, 'lean-provision', 'provision');
      keys.revoked = await insertKey(db, 'lean-revoked', 'admin');
      await db.exec('UPDATE kamprov_api_keys SET revoked_at = CURRENT_TIMESTAMP WHERE name = ?', ['lean-revoked']);
    }, 120_000);

    afterAll(async () => {
      await lean?.close();
      await nest?.close();
      await db?.drop();
    });

    const requests: string[] = [
      // answers
      `/user/get?user=alice@${D}`,
      `/user/get?username=bob&domain=${D}`,
      `/user/get?user=ALICE@${D.toUpperCase()}`,
      `/user/get?address=sip:alice@${D}`,
      `/phone/get?mac=${MAC}`,
      `/phone/get?mac=00:A0:B0:C0:D0:E0`,
      `/phone/get?mac=${MAC}&limit=1`,
      `/phone/get?mac=${EMPTY_MAC}`,
      `/phone/get?user=alice@${D}`,
      `/phone/get?user=alice@${D}&limit=1`,
      '/numbers/inpool?number=%2B4721000001',
      // failed: nonexistant
      `/user/get?user=nobody@${D}`,
      '/phone/get?mac=0000000000aa',
      `/phone/get?user=nobody@${D}`,
      '/numbers/inpool?number=%2B4721000002',
      // invalid: missing, malformed, unknown, repeated, prototype-named, conflicting
      '/user/get',
      '/user/get?user=not-an-address',
      `/user/get?user=alice@${D}&user=bob@${D}`,
      `/user/get?user=alice@${D}&foo=1`,
      `/user/get?user=alice@${D}&constructor=1`,
      `/user/get?user=alice@${D}&__proto__=1`,
      `/user/get?user=alice@${D}&username=alice&domain=${D}`,
      `/user/get?user=${'a'.repeat(300)}@${D}`,
      '/phone/get',
      '/phone/get?mac=zz',
      `/phone/get?mac=${MAC}&user=alice@${D}`,
      `/phone/get?mac=${MAC}&limit=0`,
      `/phone/get?mac=${MAC}&limit=abc`,
      '/numbers/inpool',
      '/numbers/inpool?number=abc',
      '/numbers/inpool?number=%2B4721000001&number=%2B4721000002',
      '/numbers/inpool?number=%2B4721000001&toString=x',
      // the key in the query string, refused unless ALLOW_QUERY_API_KEY
      `/user/get?user=alice@${D}&api_key=${TEST_ADMIN_KEY}`,
    ];

    const keyings: [string, () => Record<string, string>][] = [
      ['the admin key', () => ({ 'x-api-key': TEST_ADMIN_KEY })],
      ['a read key (passwords masked)', () => ({ 'x-api-key': keys.read })],
      ['a provision key as a bearer token', () => ({ authorization: `Bearer ${keys.provision}` })],
      ['no key', () => ({})],
      ['a revoked key', () => ({ 'x-api-key': keys.revoked })],
      ['an unknown key of the right form', () => ({ 'x-api-key': 'kp_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' })],
      ['a malformed key', () => ({ 'x-api-key': 'not-a-key' })],
    ];

    it.each(keyings)(
      'every request, with %s',
      async (_name, headers) => {
        let differing = 0;
        for (const path of requests) {
          // The lean app twice: once with the key uncached, once cached (answered without a promise).
          const first = await ask(lean, path, headers());
          const second = await ask(lean, path, headers());
          const reference = await ask(nest, path, headers());
          expect({ path, ...first }).toEqual({ path, ...reference });
          expect({ path, ...second }).toEqual({ path, ...reference });
          if (reference.status !== 200) differing++;
        }
        // The battery has refusals as well as answers.
        expect(differing).toBeGreaterThan(10);
      },
      120_000,
    );

    it('a key revoked while cached stops working on the lean routes within the cache lifetime', async () => {
      const key = await insertKey(db, 'lean-late', 'read');
      expect((await lean.get(`/user/get?user=alice@${D}`, { key })).status).toBe(200);
      await db.exec('UPDATE kamprov_api_keys SET revoked_at = CURRENT_TIMESTAMP WHERE name = ?', ['lean-late']);
      await new Promise((r) => setTimeout(r, KEY_CACHE_TTL_MS + 200));
      const refused = await lean.get(`/user/get?user=alice@${D}`, { key });
      expect(refused.status).toBe(401);
      expect(refused.body).toMatchObject({ response: 'failed', cause: 'unauthenticated' });
    }, 30_000);

    it('a database failure is answered alike (error/dbfail, 503), and logged by the same filter', async () => {
      await db.exec('DROP TABLE kamprov_numbers');
      const headers = { 'x-api-key': TEST_ADMIN_KEY };
      const first = await ask(lean, '/numbers/inpool?number=%2B4721000001', headers);
      const reference = await ask(nest, '/numbers/inpool?number=%2B4721000001', headers);
      expect(first).toEqual(reference);
      expect(first.status).toBe(503);
      expect(JSON.parse(first.body)).toMatchObject({ response: 'error', cause: 'dbfail' });
      expect(first.body).not.toMatch(/kamprov_numbers|SELECT/i);
    });
  });

  describe(`lean routes take the key from the query string as Nest's router does [${target.kind}]`, () => {
    it('with ALLOW_QUERY_API_KEY=true: api_key is taken, and is not a node parameter', async () => {
      const db = await target.create();
      const apps: TestApp[] = [];
      try {
        for (const leanRoutes of [true, false]) {
          apps.push(await startApp({ DATABASE_URL: db.url, ALLOW_QUERY_API_KEY: 'true' }, { leanRoutes }));
        }
        await addLocalDomain(db, D);
        expect((await apps[0].get(`/user/add_local?user=carol@${D}`)).status).toBe(200);
        const read = await insertKey(db, 'lean-query-read', 'read');
        for (const path of [
          `/user/get?user=carol@${D}&api_key=${TEST_ADMIN_KEY}`,
          `/user/get?api_key=${read}&user=carol@${D}`,
          `/user/get?user=carol@${D}&api_key=`,
          `/user/get?user=carol@${D}&api_key=${read}&api_key=${read}`,
          `/numbers/inpool?number=%2B4721000009&api_key=${read}`,
          `/phone/get?mac=${MAC}&api_key=nope`,
        ]) {
          const [lean, reference] = [await ask(apps[0], path, {}), await ask(apps[1], path, {})];
          expect({ path, ...lean }).toEqual({ path, ...reference });
        }
        expect((await ask(apps[0], `/user/get?user=carol@${D}&api_key=${read}`, {})).status).toBe(200);
      } finally {
        for (const app of apps) await app.close();
        await db.drop();
      }
    }, 60_000);
  });

  describe(`lean routes count requests in the rate limiter as Nest's router does [${target.kind}]`, () => {
    it('a key over its limit gets 429 with Retry-After on a lean node; keyless requests by address', async () => {
      const db = await target.create();
      const apps: TestApp[] = [];
      try {
        for (const leanRoutes of [true, false]) apps.push(await startApp({ DATABASE_URL: db.url, RATE_LIMIT_MAX: '3' }, { leanRoutes }));
        await addLocalDomain(db, D);
        const seen: { status: number; body: unknown; retry: string | null }[][] = [];
        for (const app of apps) {
          const key = await insertKey(db, `rl-${seen.length}`, 'read');
          const answers: { status: number; body: unknown; retry: string | null }[] = [];
          // Three in the key's window, a fourth refused; then keyless ones, counted by address.
          for (const options of [{ key }, { key }, { key }, { key }, { key: null }, { key: null }, { key: null }, { key: null }]) {
            const r = await app.get(`/user/get?user=nobody@${D}`, options);
            // The key's name and the seconds left in the window differ between the two apps' runs.
            const body = {
              ...r.body,
              detail: String(r.body.detail)
                .replace(/rl-\d/, 'rl-N')
                .replace(/\d+ s\b/, 'N s'),
            };
            answers.push({ status: r.status, body, retry: r.headers.get('retry-after') ? 'set' : null });
          }
          seen.push(answers);
        }
        expect(seen[0].map((a) => a.status)).toEqual([404, 404, 404, 429, 401, 401, 401, 429]);
        expect(seen[0]).toEqual(seen[1]);
        expect(seen[0][3]).toMatchObject({ body: { response: 'failed', cause: 'toomany' }, retry: 'set' });
      } finally {
        for (const app of apps) await app.close();
        await db.drop();
      }
    }, 60_000);
  });
}
describeSkippedTargets("lean routes answer as Nest's router does");
