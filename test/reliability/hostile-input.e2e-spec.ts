import { randomInt } from 'node:crypto';
import fc from 'fast-check';
import { rawRequest } from '../support/raw-request';
import { TEST_ADMIN_KEY } from '../support/app';
import { addLocalDomain, onEveryDatabase } from '../support/suite';
import { tableDigests } from './support/digest';

/**
 * Hostile input, property-based: for every node in /openapi.json, generated query strings
 * (documented and random names, repeated and missing parameters, unicode, control
 * characters, huge values, SQL and glob metacharacters, percent-encoding garbage) always
 * get a JSON envelope whose status mirrors it and is one the node documents, never a 5xx,
 * and never change the database (a digest of every table, before and after each node).
 *
 * Every generated value carries at least one character no identity (user, domain, MAC,
 * number, alias) may contain, so no generated request is a valid write: write nodes must
 * answer `invalid` every time. Read nodes take anything their validation lets through to
 * the database (searches full of `%`, `_`, `*`, `'`, ...).
 */
const RUNS = { sqlite: 200, mysql: 40 };

/**
 * One seed for the whole run, printed, so a failure can be replayed exactly:
 * FUZZ_SEED=<seed> npx jest test/reliability/hostile-input.e2e-spec.ts (FC_SEED works too).
 */
function fuzzSeed(): number {
  const given = process.env.FUZZ_SEED ?? process.env.FC_SEED;
  if (given === undefined || given === '') return randomInt(2 ** 31);
  if (!/^-?\d+$/.test(given)) throw new Error(`FUZZ_SEED must be an integer, not ${given}`);
  return Number(given);
}
const SEED = fuzzSeed();
process.stderr.write(`hostile input: fuzz seed ${SEED} (replay with FUZZ_SEED=${SEED})\n`);
const D = 'hostile.example.com';
const MAX_QUERY = 12_000;

/** Characters valid in no identity (RFC 3261 user part, host name, MAC, E.164), nor trimmed as whitespace. */
const POISON = ['"', '<', '>', '\\', '{', '}', '|', '^', '`', '\u0000', '\u0001', '\u0007', '\u001b', '\u007f', '\u0085', '\u202e'];
const META = [
  "'",
  '"',
  ';',
  '--',
  '/*',
  '*/',
  '%',
  '_',
  '*',
  '?',
  '[',
  ']',
  '\\',
  'OR 1=1',
  "' OR '1'='1",
  '); DROP TABLE subscriber; --',
  '\u0000',
  'NULL',
  '${x}',
  '../',
  '@',
  '+',
  ' ',
  '%00',
  '%2B',
  'é',
  '😀',
  '\ud800',
];

const READ = /\/(get|list|inpool|genpw|live|ready)$/;

const ENVELOPE_STATUS: Record<string, number> = {
  ok: 200,
  invalid: 400,
  nonexistant: 404,
  exists: 409,
  inuse: 409,
  domain: 422,
  nxdomain: 422,
  unauthenticated: 401,
  forbidden: 403,
  toomany: 429,
  dbfail: 503,
  internal: 500,
};

interface Node {
  path: string;
  params: string[];
  statuses: number[];
}

/** A value that carries at least one poison character, somewhere. */
const hostileValue = fc
  .tuple(
    fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.string({ unit: 'grapheme', maxLength: 20 }),
      fc.string({ unit: fc.constantFrom(...META), maxLength: 8 }),
      fc.constantFrom('alice', `alice@${D}`, D, 'aabbccddeeff', '+4799000001', '4799000001', '*', '%', '_'),
      fc.integer({ min: 200, max: 3000 }).map((n) => 'x'.repeat(n)),
      fc.integer({ min: 100, max: 800 }).map((n) => 'é😀'.repeat(n / 2)),
    ),
    fc.constantFrom(...POISON),
    fc.nat(),
  )
  .map(([s, poison, at]) => {
    const i = s.length === 0 ? 0 : at % (s.length + 1);
    return s.slice(0, i) + poison + s.slice(i);
  });

/** Percent-encoding garbage appended raw to a name or value (it is not a valid escape). */
const garbage = fc.constantFrom('', '', '', '%', '%G', '%zz', '%E2%82', '%C0%AF', '%ED%A0%80', '%FF', '%%', '%2', '%u0041', '+', '%0');

function enc(s: string): string {
  // Lone surrogates cannot be percent-encoded as UTF-8; send them as U+FFFD.
  return encodeURIComponent(
    s.replace(/[\ud800-\udfff]/g, (c, i: number, all: string) => {
      const code = c.charCodeAt(0);
      const next = all.charCodeAt(i + 1);
      const prev = all.charCodeAt(i - 1);
      const paired = code < 0xdc00 ? next >= 0xdc00 && next <= 0xdfff : prev >= 0xd800 && prev < 0xdc00;
      return paired ? c : '\ufffd';
    }),
  );
}

function queryArb(node: Node): fc.Arbitrary<string> {
  const name = fc.oneof(
    { weight: 4, arbitrary: node.params.length ? fc.constantFrom(...node.params) : fc.constant('x') },
    { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
    // (api_key is left out: a key in the query string is refused with 401, on purpose.)
    { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'user[]', 'a.b', 'limit', 'search', '', ' ', 'USER') },
  );
  const pair = fc.record({ name, value: hostileValue, nameGarbage: garbage, valueGarbage: garbage, bare: fc.boolean() });
  return fc.array(pair, { maxLength: 6 }).map((pairs) => {
    const parts = pairs.map((p) => {
      const n = enc(p.name) + p.nameGarbage;
      // Without "=", a parameter has no value at all.
      return p.bare && p.valueGarbage === '' ? n : `${n}=${enc(p.value)}${p.valueGarbage}`;
    });
    // Stay under Node's 16 KiB limit for the request head (beyond it Node answers 431
    // before kamprov sees the request; see the report).
    while (parts.join('&').length > MAX_QUERY) parts.pop();
    return parts.join('&');
  });
}

onEveryDatabase('reliability: hostile input', (ctx) => {
  let nodes: Node[] = [];

  beforeAll(async () => {
    const { app } = ctx();
    await addLocalDomain(ctx().db, D);
    // Something for the hostile requests to hit: a user, a phone, numbers, an alias.
    for (const path of [
      `/user/add_local?user=alice@${D}`,
      '/user/add_remote?user=bob@remote.example.net&password=RemotePw123&registrar=sip.remote.example.net',
      `/phone/add?mac=aabbccddeeff&user=alice@${D}`,
      '/numbers/add_range?start=%2B4799000000&end=%2B4799000099',
      `/alias/add?alias_username=sales&alias_domain=${D}&destination=alice@${D}`,
    ]) {
      expect([path, (await app.get(path)).status]).toEqual([path, 200]);
    }
    const doc = (await app.get('/openapi.json', { key: null })).body as {
      paths: Record<
        string,
        { get?: { parameters?: { name: string }[]; responses: Record<string, { content?: Record<string, unknown> }> } }
      >;
    };
    nodes = Object.entries(doc.paths)
      .filter(([, item]) => item.get && item.get.responses['200']?.content?.['application/json'])
      .map(([path, item]) => ({
        path,
        params: (item.get!.parameters ?? []).map((p) => p.name),
        statuses: Object.keys(item.get!.responses).map(Number),
      }));
  });

  it('finds every node in /openapi.json, write nodes among them', () => {
    expect(nodes.length).toBeGreaterThanOrEqual(25);
    for (const p of ['/user/add_local', '/phone/add', '/numbers/add_range', '/alias/add', '/domain/remove', '/health/ready']) {
      expect(nodes.map((n) => n.path)).toContain(p);
    }
  });

  it('answers every generated query string with a documented envelope, never a 5xx, and writes nothing', async () => {
    const runs = ctx().db.kind === 'sqlite' ? RUNS.sqlite : RUNS.mysql;
    const before = await tableDigests(ctx().db);
    for (const node of nodes) {
      const write = !READ.test(node.path);
      const property = fc.asyncProperty(queryArb(node), async (query) => {
        const res = await fetch(`${ctx().app.baseUrl}${node.path}?${query}`, { headers: { 'x-api-key': TEST_ADMIN_KEY } });
        const text = await res.text();
        let body: { response?: unknown; cause?: unknown; detail?: unknown };
        try {
          body = JSON.parse(text) as typeof body;
        } catch {
          throw new Error(`${node.path}: ${res.status} not JSON: ${text.slice(0, 200)}`);
        }
        expect([node.path, typeof body.response]).toEqual([node.path, 'string']);
        expect(res.status).toBeLessThan(500);
        expect(['ok', 'invalid', 'failed']).toContain(body.response);
        if (body.response !== 'ok') {
          expect(typeof body.cause).toBe('string');
          expect(typeof body.detail).toBe('string');
          expect(String(body.detail)).not.toMatch(/SELECT|INSERT|UPDATE|DELETE|QueryFailed|at .*\.ts:\d+/);
        }
        const expected = body.response === 'ok' ? 200 : body.response === 'invalid' ? 400 : ENVELOPE_STATUS[String(body.cause)];
        expect(res.status).toBe(expected);
        expect(node.statuses).toContain(res.status);
        if (write) expect([res.status, body.response]).toEqual([400, 'invalid']);
      });
      try {
        await fc.assert(property, { numRuns: runs, seed: SEED, endOnFailure: true });
      } catch (err) {
        (err as Error).message = `${node.path}, fuzz seed ${SEED} (replay with FUZZ_SEED=${SEED}):\n${(err as Error).message}`;
        throw err;
      }
      expect([node.path, await tableDigests(ctx().db)]).toEqual([node.path, before]);
    }
  }, 300_000);

  it('answers other methods, prototype-named parameters, over-long URLs and malformed paths with an envelope, writing nothing', async () => {
    const runs = ctx().db.kind === 'sqlite' ? RUNS.sqlite : RUNS.mysql;
    const before = await tableDigests(ctx().db);
    const paths = nodes.map((n) => n.path).concat('/docs', '/openapi.json', '/metrics', '/no/such/node');
    const request = fc.record({
      method: fc.constantFrom('GET', 'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'),
      path: fc.constantFrom(...paths),
      pathGarbage: fc.constantFrom('', '', '%', '%zz', '%E0%A4%A', '%C0%AF', '%FF', '//', '%00'),
      proto: fc.constantFrom('', 'constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', '__defineSetter__', 'isPrototypeOf'),
      long: fc.constantFrom(0, 0, 0, 17_000, 40_000),
      query: fc.constantFrom('user=alice@' + D, 'start=%2B4799000000&end=%2B4799000009', 'mac=aabbccddeeff', '', 'password=Secret-Fuzz-9'),
    });
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const params = [r.query, r.proto && `${r.proto}=1`, r.long && `x=${'a'.repeat(r.long)}`].filter(Boolean).join('&');
        const target = `${r.path}${r.pathGarbage}?${params}`;
        if (r.method === 'HEAD' && r.long) {
          // A head over 16 KiB is refused before its method is known, so the 431 carries the
          // envelope as a body, which Node's client may refuse to read for a HEAD. What must
          // hold: no secret comes back, and (checked after the run) nothing was written.
          const res = await rawRequest(ctx().app.baseUrl, r.method, target, { 'x-api-key': TEST_ADMIN_KEY }).catch(() => undefined);
          if (res) {
            expect(res.text).not.toContain('Secret-Fuzz-9');
            expect(res.status).toBe(431);
          }
          return;
        }
        const res = await rawRequest(ctx().app.baseUrl, r.method, target, { 'x-api-key': TEST_ADMIN_KEY });
        expect(res.text).not.toContain('Secret-Fuzz-9');
        // Node's parser refuses an over-long head first, then Fastify a path it cannot route.
        if (r.long) {
          expect([res.status, JSON.parse(res.text)]).toEqual([431, expect.objectContaining({ response: 'invalid', cause: 'request' })]);
          return;
        }
        if (r.method !== 'GET') {
          // A malformed path may be refused before the method is looked at (400, or 404 where
          // no route of that method exists); never run.
          expect([405, 400, 404]).toContain(res.status);
          if (r.method === 'HEAD') return expect(res.text).toBe('');
          if (res.status === 405) expect(JSON.parse(res.text)).toEqual(expect.objectContaining({ response: 'invalid', cause: 'method' }));
          else expect(['invalid', 'failed']).toContain((JSON.parse(res.text) as { response: string }).response);
          return;
        }
        // Swagger UI's page and the document are no envelope; everything else is.
        // (whatever their query: they are pages, not nodes, and read no parameter).
        if (r.pathGarbage === '' && ['/docs', '/openapi.json', '/metrics'].includes(r.path)) return;
        // `/docs//` is one of Swagger UI's aliases, redirected to the page (http-guards.ts).
        if (r.path === '/docs' && r.pathGarbage === '//') {
          expect([res.status, res.headers.location]).toEqual([301, '/docs']);
          return;
        }
        let body: { response?: unknown; cause?: unknown };
        try {
          body = JSON.parse(res.text) as typeof body;
        } catch {
          throw new Error(`${r.path}${r.pathGarbage}: ${res.status} not JSON: ${res.text.slice(0, 200)}`);
        }
        expect(['ok', 'invalid', 'failed']).toContain(body.response);
        expect(res.status).toBeLessThan(500);
        if (r.proto && r.pathGarbage === '' && !['/docs', '/openapi.json', '/metrics', '/no/such/node'].includes(r.path)) {
          expect([res.status, body.response, body.cause]).toEqual([400, 'invalid', r.proto]);
        }
      }),
      { numRuns: runs, seed: SEED, endOnFailure: true },
    );
    expect(await tableDigests(ctx().db)).toEqual(before);
  }, 300_000);

  it('still serves the seeded rows afterwards', async () => {
    const res = await ctx().app.get(`/user/get?user=alice@${D}`);
    expect(res.status).toBe(200);
    expect((await ctx().app.get('/numbers/list')).body.numbers).toHaveLength(100);
  });
});
