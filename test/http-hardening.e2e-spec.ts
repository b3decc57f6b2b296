import { startApp, TEST_ADMIN_KEY, TestApp } from './support/app';
import { captureLog } from './support/log-capture';
import { RawReply, rawRequest } from './support/raw-request';
import { databaseTargets, TestDatabase } from './support/databases';
import { LOGGED_PARAMS } from '../src/common/request-log.hook';
import { tableDigests } from './reliability/support/digest';
import { addLocalDomain, onEveryDatabase } from './support/suite';

/**
 * What the HTTP layer answers to requests no well-behaved client sends (issue 14 items
 * 3, 4, 5): other methods than GET, parameters named like Object.prototype's members, URLs
 * beyond Node's 16 KiB head limit, malformed paths. Every answer is an envelope, nothing is
 * written, and no answer or log line repeats a secret of the request.
 */
const D = 'hard.example.com';

function envelopeOf(reply: RawReply): { response?: string; cause?: string; detail?: string } {
  try {
    return JSON.parse(reply.text) as { response?: string; cause?: string; detail?: string };
  } catch {
    throw new Error(`${reply.status} is not JSON: ${reply.text.slice(0, 300)}`);
  }
}

const PROTOTYPE_NAMES = [
  'constructor',
  '__proto__',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  '__defineGetter__',
  '__lookupSetter__',
];

const SECRET = 'Hunter2SecretValue';

onEveryDatabase('http hardening', (ctx) => {
  // A digest of every table's rows (the audit trail left out): nothing written.
  const counts = () => tableDigests(ctx().db);
  const admin = { 'x-api-key': TEST_ADMIN_KEY };

  beforeAll(async () => {
    await addLocalDomain(ctx().db, D);
    expect((await ctx().app.get(`/user/add_local?user=alice@${D}`)).status).toBe(200);
  });

  describe('methods (item 3)', () => {
    it('refuses HEAD on a write node with 405 and writes nothing', async () => {
      const before = await counts();
      const res = await rawRequest(ctx().app.baseUrl, 'HEAD', `/user/add_local?user=head@${D}`, admin);
      expect(res.status).toBe(405);
      expect(res.headers.allow).toBe('GET');
      expect(res.text).toBe('');
      expect(await counts()).toEqual(before);
      expect((await ctx().app.get(`/user/get?user=head@${D}`)).status).toBe(404);
    });

    it.each(['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'])(
      'refuses %s with the envelope invalid/method and writes nothing',
      async (method) => {
        const before = await counts();
        for (const path of [
          `/user/add_local?user=m${method.toLowerCase()}@${D}`,
          '/numbers/add_range?start=%2B4755000000&end=%2B4755000009',
          '/user/list',
          '/health/live',
          '/docs',
          '/no/such/node',
        ]) {
          const res = await rawRequest(ctx().app.baseUrl, method, path, admin);
          expect([method, path, res.status]).toEqual([method, path, 405]);
          expect(res.headers.allow).toBe('GET');
          expect(envelopeOf(res)).toEqual({ response: 'invalid', cause: 'method', detail: `${method} is not served: every node is a GET` });
        }
        expect(await counts()).toEqual(before);
      },
    );

    it('refuses HEAD on read nodes and public routes as well', async () => {
      for (const path of ['/user/list', '/health/live', '/openapi.json', '/docs']) {
        expect([path, (await rawRequest(ctx().app.baseUrl, 'HEAD', path, admin)).status]).toEqual([path, 405]);
      }
    });

    it('still serves GET', async () => {
      const res = await rawRequest(ctx().app.baseUrl, 'GET', `/user/get?user=alice@${D}`, admin);
      expect(res.status).toBe(200);
      expect(envelopeOf(res).response).toBe('ok');
    });
  });

  describe('prototype-named parameters (item 4)', () => {
    it.each(PROTOTYPE_NAMES)('%s is an unknown parameter on a write node: invalid, nothing written', async (name) => {
      const before = await counts();
      const res = await rawRequest(ctx().app.baseUrl, 'GET', `/user/add_local?user=proto@${D}&${name}=1`, admin);
      expect([name, res.status]).toEqual([name, 400]);
      expect(envelopeOf(res)).toEqual({ response: 'invalid', cause: name, detail: `unknown parameter ${name}` });
      expect(await counts()).toEqual(before);
    });

    it.each(PROTOTYPE_NAMES)('%s is an unknown parameter on a read node too', async (name) => {
      for (const path of [
        `/user/list?${name}=x`,
        `/user/get?user=alice@${D}&${name}`,
        `/numbers/add_range?start=%2B4755000000&end=%2B4755000001&${name}=`,
      ]) {
        const res = await rawRequest(ctx().app.baseUrl, 'GET', path, admin);
        expect([path, res.status, envelopeOf(res).cause]).toEqual([path, 400, name]);
      }
    });
  });

  describe('over-long and malformed URLs (item 5)', () => {
    it("answers a URL over 16 KiB with the envelope, not Node's own 431", async () => {
      const before = await counts();
      const res = await rawRequest(
        ctx().app.baseUrl,
        'GET',
        `/user/add_local?user=long@${D}&password=${SECRET}&x=${'a'.repeat(17_000)}`,
        admin,
      );
      expect(res.status).toBe(431);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      const body = envelopeOf(res);
      expect(body).toEqual({ response: 'invalid', cause: 'request', detail: 'the request line and headers exceed 16 KiB' });
      expect(res.text).not.toContain(SECRET);
      expect(await counts()).toEqual(before);
    });

    it.each(['/user/get%', '/user/get%zz', '/user/%E0%A4%A', '/%C0%AF', '/user/add_local%'])(
      'answers a malformed path (%s) with the envelope and never echoes the query',
      async (path) => {
        const before = await counts();
        const res = await rawRequest(ctx().app.baseUrl, 'GET', `${path}?user=x@${D}&password=${SECRET}`, admin);
        const body = envelopeOf(res);
        expect([path, res.status, body.response, body.cause]).toEqual([path, 400, 'invalid', 'request']);
        expect(res.text).not.toContain(SECRET);
        expect(res.text).not.toContain('password');
        expect(await counts()).toEqual(before);
      },
    );
  });
});

onEveryDatabase(
  'http hardening: nothing secret reaches the log (item 5)',
  (ctx) => {
    it('redacts every near-miss of a secret parameter, and every unknown parameter, in the request log', async () => {
      const names = [
        'password',
        'password%00',
        'PASSWORD',
        'Password',
        'pass%77ord',
        'pa55word',
        'passwd',
        'api_key',
        'api%5Fkey',
        'API_KEY',
        'x-api-key',
        'token',
        'secret',
        'password[]',
        '%70assword',
        'pass+word',
        'password%',
        '%zz',
        'user%00',
      ];
      const paths = names.flatMap((n, i) => [
        `/user/change_pw?user=alice@${D}&${n}=${SECRET}${i}`,
        `/user/list?${n}=${SECRET}${i}`,
        `/user/get%zz?${n}=${SECRET}${i}`,
        `/no/such/node?${n}=${SECRET}${i}`,
      ]);
      paths.push(`/user/change_pw?user=alice@${D}&password=${SECRET}long&x=${'a'.repeat(17_000)}`);
      const out = await captureLog(async () => {
        for (const path of paths) {
          for (const key of [TEST_ADMIN_KEY, undefined]) {
            const res = await rawRequest(ctx().app.baseUrl, 'GET', path, key ? { 'x-api-key': key } : {});
            expect(res.text).not.toContain(SECRET);
            envelopeOf(res);
          }
        }
        await rawRequest(ctx().app.baseUrl, 'POST', `/user/list?password=${SECRET}post`, {});
        await rawRequest(ctx().app.baseUrl, 'HEAD', `/user/list?password=${SECRET}head`, {});
        // A known, non-secret parameter keeps its value.
        await rawRequest(ctx().app.baseUrl, 'GET', `/user/get?user=alice@${D}`, { 'x-api-key': TEST_ADMIN_KEY });
      });
      // Every routable request was logged...
      expect(out.split('\n').filter((l) => l.includes('"context":"HTTP"')).length).toBeGreaterThanOrEqual(names.length * 3 * 2);
      // ...and none of them with its secret.
      expect(out).not.toContain(SECRET);
      expect(out).toContain(`/user/get?user=alice@${D}`);
    }, 120_000);

    it('logs the values of exactly the documented parameters that hold no secret', async () => {
      const doc = (await ctx().app.get('/openapi.json', { key: null })).body as {
        paths: Record<string, { get?: { parameters?: { name: string; in: string }[] } }>;
      };
      // Query parameters only: /prov's path parameters (file, dir, token) are redacted by path.
      const documented = new Set(
        Object.values(doc.paths).flatMap((item) => (item.get?.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name)),
      );
      // Secrets, and `key` (audit/list's key name: better hidden than a pasted key shown).
      const hidden = ['password', 'key'];
      expect([...documented].filter((n) => !hidden.includes(n) && !LOGGED_PARAMS.has(n))).toEqual([]);
      expect([...LOGGED_PARAMS].filter((n) => !documented.has(n))).toEqual([]);
    });
  },
  { LOG_LEVEL: 'verbose', LOG_FORMAT: 'json' },
);

describe('http hardening: CORS preflight (item 3)', () => {
  let db: TestDatabase;
  let app: TestApp;
  beforeAll(async () => {
    db = await databaseTargets()[0].create();
    app = await startApp({ DATABASE_URL: db.url, CORS_ORIGINS: 'https://ops.example.com' });
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('answers the preflight where CORS is on, and still refuses HEAD and POST', async () => {
    const pre = await rawRequest(app.baseUrl, 'OPTIONS', '/user/list', {
      origin: 'https://ops.example.com',
      'access-control-request-method': 'GET',
      'access-control-request-headers': 'x-api-key',
    });
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe('https://ops.example.com');
    expect((await rawRequest(app.baseUrl, 'HEAD', '/user/list', { 'x-api-key': TEST_ADMIN_KEY })).status).toBe(405);
    expect((await rawRequest(app.baseUrl, 'POST', '/user/list', { 'x-api-key': TEST_ADMIN_KEY })).status).toBe(405);
  });
});
