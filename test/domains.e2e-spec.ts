import { createServer, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fresh } from './support/seed';
import { addLocalDomain, expectRefused, onEveryDatabase } from './support/suite';

const TABLES = ['subscriber', 'kamprov_users', 'dbaliases', 'domain', 'kamprov_address_claims', 'kamprov_claim_domains'];

/** A stand-in for Kamailio's jsonrpcs over HTTP: records each call and answers as told. */
interface KamailioStandIn {
  url: string;
  calls: { method?: string; url?: string; contentType?: string; body: any }[];
  mode: 'ok' | 'error' | 'hang' | 'http500';
  close(): Promise<void>;
}

async function startKamailioStandIn(): Promise<KamailioStandIn> {
  const held: ServerResponse[] = [];
  const standIn: Omit<KamailioStandIn, 'url' | 'close'> = { calls: [], mode: 'ok' };
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', () => {
      const body = JSON.parse(raw);
      standIn.calls.push({ method: req.method, url: req.url, contentType: req.headers['content-type'], body });
      const reply = (status: number, payload: object) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(payload));
      };
      switch (standIn.mode) {
        case 'ok':
          return reply(200, { jsonrpc: '2.0', result: {}, id: body.id });
        case 'error':
          return reply(200, { jsonrpc: '2.0', error: { code: 500, message: 'Domain table reload failed' }, id: body.id });
        case 'http500':
          return reply(500, { oops: true });
        case 'hang':
          held.push(res);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(standIn, {
    url: `http://127.0.0.1:${port}/RPC`,
    close: () =>
      new Promise<void>((resolve) => {
        held.forEach((r) => r.destroy());
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

/** A loopback URL where nothing listens: a port that was just free. */
async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/RPC`;
}

// Filled before any suite starts its app (onEveryDatabase reads env in its beforeAll).
const rpcEnv: Record<string, string> = {};
const deadEnv: Record<string, string> = {};
let kamailio: KamailioStandIn;

beforeAll(async () => {
  kamailio = await startKamailioStandIn();
  rpcEnv.KAMAILIO_RPC_URL = kamailio.url;
  deadEnv.KAMAILIO_RPC_URL = await closedPortUrl();
});

afterAll(async () => {
  await kamailio.close();
});

/** A domain name of the test's own (so that each test runs alone with -t). */
const freshDomain = (prefix: string) => `${fresh(prefix)}.example.com`;

onEveryDatabase('domains', (ctx) => {
  const get = (path: string) => ctx().app.get(path);
  /** A local domain of the test's own, added through domain/add, with a user in it; answers both. */
  const domainWithUser = async (prefix: string) => {
    const domain = freshDomain(prefix);
    expect((await get(`/domain/add?domain=${domain}`)).status).toBe(200);
    expect((await get(`/user/add_local?user=first@${domain}`)).status).toBe(200);
    return { domain, user: `first@${domain}` };
  };

  it('domain/list answers the local domains, ordered; limit applies', async () => {
    await addLocalDomain(ctx().db, 'b.example.com');
    await addLocalDomain(ctx().db, 'a.example.com');
    const res = await get('/domain/list');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ response: 'ok', domains: ['a.example.com', 'b.example.com'] });
    expect((await get('/domain/list?limit=1')).body.domains).toEqual(['a.example.com']);
  });

  it('domain/add writes the domain table (lower-case, did, last_modified); without KAMAILIO_RPC_URL reloaded is false', async () => {
    const res = await get('/domain/add?domain=New.Example.COM');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ response: 'ok', domain: 'new.example.com', reloaded: false });
    expect(res.body.detail).toMatch(/KAMAILIO_RPC_URL/);
    const rows = await ctx().db.query<any>("SELECT domain, did, last_modified FROM domain WHERE domain = 'new.example.com'");
    expect(rows).toHaveLength(1);
    expect(rows[0].did).toBe('new.example.com');
    expect(String(rows[0].last_modified instanceof Date ? rows[0].last_modified.getFullYear() : rows[0].last_modified)).not.toMatch(
      /^2000/,
    );
    expect((await get('/domain/list')).body.domains).toContain('new.example.com');
    // It is local now: users can be added there.
    expect((await get('/user/add_local?user=first@new.example.com')).status).toBe(200);
  });

  it('domain/add refuses a present domain, in any case (exists, 409)', async () => {
    const present = freshDomain('present');
    expect((await get(`/domain/add?domain=${present}`)).status).toBe(200);
    await expectRefused(
      ctx().db,
      () => get(`/domain/add?domain=${present.toUpperCase()}`),
      { status: 409, response: 'failed', cause: 'exists' },
      TABLES,
    );
  });

  it('10 parallel identical domain/add: exactly one ok', async () => {
    const results = await Promise.all(Array.from({ length: 10 }, () => get('/domain/add?domain=para.example.com')));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409 && r.body.cause === 'exists')).toHaveLength(9);
    expect(await ctx().db.query("SELECT id FROM domain WHERE domain = 'para.example.com'")).toHaveLength(1);
  });

  it('domain/remove refuses while a user, a bare subscriber, an alias or a remote user lives in the domain (inuse)', async () => {
    const refuse = async (domain: string, what: RegExp) => {
      await expectRefused(
        ctx().db,
        () => get(`/domain/remove?domain=${domain}`),
        { status: 409, response: 'failed', cause: 'inuse', detail: what },
        TABLES,
      );
    };
    const { domain: peopled, user } = await domainWithUser('peopled');
    await refuse(peopled, /1 user/);

    await addLocalDomain(ctx().db, 'bare.example.com');
    await ctx().db.exec("INSERT INTO subscriber (username, domain, password, ha1, ha1b) VALUES ('k', 'bare.example.com', 'x', 'x', 'x')");
    await refuse('bare.example.com', /1 Kamailio subscriber/);

    await addLocalDomain(ctx().db, 'alias.example.com');
    expect((await get(`/alias/add?alias_username=a&alias_domain=alias.example.com&destination=${user}`)).status).toBe(200);
    await refuse('alias.example.com', /1 alias/);

    expect((await get('/user/add_remote?user=r@later.example.com&password=p&registrar=sip.later.example.com')).status).toBe(200);
    expect((await get('/domain/add?domain=later.example.com')).status).toBe(200);
    await refuse('later.example.com', /1 user/);
  });

  it('domain/remove removes an empty domain; it is no longer local', async () => {
    const { user } = await domainWithUser('home');
    const emptied = freshDomain('emptied');
    await addLocalDomain(ctx().db, emptied);
    expect((await get(`/alias/add?alias_username=a&alias_domain=${emptied}&destination=${user}`)).status).toBe(200);
    expect((await get(`/alias/remove?alias_username=a&alias_domain=${emptied}`)).status).toBe(200);
    const res = await get(`/domain/remove?domain=${emptied.replace(/^e/, 'E').replace('example', 'Example')}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ response: 'ok', domain: emptied, reloaded: false });
    expect(await ctx().db.query('SELECT id FROM domain WHERE domain = ?', [emptied])).toHaveLength(0);
    const alias = await get(`/alias/add?alias_username=b&alias_domain=${emptied}&destination=${user}`);
    expect(alias.status).toBe(422);
    expect(alias.body.cause).toBe('nxdomain');
  });

  it('claims in a local domain reference its registration (kamprov_claim_domains), kept by domain/add and domain/remove, made by add_local for a domain added behind kamprov', async () => {
    const registration = async (domain: string) =>
      (await ctx().db.query<{ domain: string }>('SELECT domain FROM kamprov_claim_domains WHERE domain = ?', [domain])).length;
    const claimDomain = async (username: string, domain: string) =>
      (
        await ctx().db.query<{ local_domain: string | null }>(
          'SELECT local_domain FROM kamprov_address_claims WHERE username = ? AND domain = ?',
          [username, domain],
        )
      ).map((r) => r.local_domain);
    const viaApi = freshDomain('viaapi');
    expect((await get(`/domain/add?domain=${viaApi.toUpperCase()}`)).status).toBe(200);
    expect(await registration(viaApi)).toBe(1);

    const behind = freshDomain('behind');
    await addLocalDomain(ctx().db, behind);
    expect(await registration(behind)).toBe(0);
    expect((await get(`/user/add_local?user=u@${behind}`)).status).toBe(200);
    expect(await registration(behind)).toBe(1);
    expect(await claimDomain('u', behind)).toEqual([behind]);
    expect((await get(`/alias/add?alias_username=al&alias_domain=${behind}&destination=u@${behind}`)).status).toBe(200);
    expect(await claimDomain('al', behind)).toEqual([behind]);
    expect((await get('/user/add_remote?user=r@elsewhere.example.net&password=p&registrar=sip.example.net')).status).toBe(200);
    expect(await claimDomain('r', 'elsewhere.example.net')).toEqual([null]);

    expect((await get(`/domain/remove?domain=${behind}`)).body.cause).toBe('inuse');
    expect((await get(`/alias/remove?alias_username=al&alias_domain=${behind}`)).status).toBe(200);
    expect((await get(`/user/remove?user=u@${behind}`)).status).toBe(200);
    expect((await get(`/domain/remove?domain=${behind}`)).status).toBe(200);
    expect(await registration(behind)).toBe(0);
    expect((await get(`/domain/add?domain=${behind}`)).status).toBe(200);
    expect(await registration(behind)).toBe(1);
  });

  it('domain/remove answers nonexistant (404) for an absent domain', async () => {
    const gone = freshDomain('gone');
    expect((await get(`/domain/add?domain=${gone}`)).status).toBe(200);
    expect((await get(`/domain/remove?domain=${gone}`)).status).toBe(200);
    const res = await get(`/domain/remove?domain=${gone}`);
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ response: 'failed', cause: 'nonexistant' });
  });

  it.each([
    ['add', '', 'domain'],
    ['add', 'domain=bad_domain!', 'domain'],
    ['add', `domain=${'d'.repeat(65)}`, 'domain'],
    ['add', 'domain=a.example.com&domain=b.example.com', 'domain'],
    ['add', 'domain=x.example.com&did=x', 'did'],
    ['remove', '', 'domain'],
    ['remove', 'domain=a b', 'domain'],
    ['list', 'limit=0', 'limit'],
    ['list', 'search=x', 'search'],
  ])('domain/%s?%s is invalid (%s) and writes nothing', async (node, query, cause) => {
    await expectRefused(ctx().db, () => get(`/domain/${node}?${query}`), { status: 400, response: 'invalid', cause }, TABLES);
  });
});

onEveryDatabase(
  'domains with Kamailio JSON-RPC',
  (ctx) => {
    const get = (path: string) => ctx().app.get(path);
    beforeEach(() => {
      kamailio.calls.length = 0;
      kamailio.mode = 'ok';
    });

    it('domain/add posts domain.reload as JSON-RPC 2.0 and reports the confirmation', async () => {
      const res = await get('/domain/add?domain=rpc.example.com');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ response: 'ok', domain: 'rpc.example.com', reloaded: true });
      expect(kamailio.calls).toHaveLength(1);
      const [call] = kamailio.calls;
      expect(call).toMatchObject({ method: 'POST', url: '/RPC', contentType: 'application/json' });
      expect(call.body).toEqual({ jsonrpc: '2.0', method: 'domain.reload', id: expect.any(Number) });
    });

    it('domain/remove reloads too; each call has its own id', async () => {
      expect((await get('/domain/add?domain=rpc2.example.com')).body.reloaded).toBe(true);
      const res = await get('/domain/remove?domain=rpc2.example.com');
      expect(res.body).toEqual({ response: 'ok', domain: 'rpc2.example.com', reloaded: true });
      expect(kamailio.calls.map((c) => c.body.method)).toEqual(['domain.reload', 'domain.reload']);
      expect(kamailio.calls[0].body.id).not.toBe(kamailio.calls[1].body.id);
    });

    it('a JSON-RPC error answer: the domain stays, reloaded is false and detail says why', async () => {
      kamailio.mode = 'error';
      const res = await get('/domain/add?domain=err.example.com');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ response: 'ok', domain: 'err.example.com', reloaded: false });
      expect(res.body.detail).toMatch(/Domain table reload failed/);
      expect(await ctx().db.query("SELECT id FROM domain WHERE domain = 'err.example.com'")).toHaveLength(1);
    });

    it('an HTTP error without a JSON-RPC answer: reloaded is false', async () => {
      const domain = freshDomain('err');
      await addLocalDomain(ctx().db, domain);
      kamailio.mode = 'http500';
      const res = await get(`/domain/remove?domain=${domain}`);
      expect(res.body).toMatchObject({ response: 'ok', reloaded: false });
      expect(res.body.detail).toMatch(/HTTP 500/);
      expect(await ctx().db.query('SELECT id FROM domain WHERE domain = ?', [domain])).toHaveLength(0);
    });

    it('a Kamailio that does not answer: kamprov gives up after about 2 s, the change stays', async () => {
      kamailio.mode = 'hang';
      const started = Date.now();
      const res = await get('/domain/add?domain=slow.example.com');
      const took = Date.now() - started;
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ response: 'ok', domain: 'slow.example.com', reloaded: false });
      expect(res.body.detail).toMatch(/no answer within/);
      expect(took).toBeGreaterThanOrEqual(1500);
      expect(took).toBeLessThan(5000);
      expect(await ctx().db.query("SELECT id FROM domain WHERE domain = 'slow.example.com'")).toHaveLength(1);
    });

    it('a refused change does not reload', async () => {
      const res = await get('/domain/remove?domain=never.example.com');
      expect(res.status).toBe(404);
      expect(kamailio.calls).toHaveLength(0);
    });
  },
  rpcEnv,
);

onEveryDatabase(
  'domains with an unreachable Kamailio',
  (ctx) => {
    it('domain/add and domain/remove keep the change; reloaded is false and detail says unreachable', async () => {
      const add = await ctx().app.get('/domain/add?domain=lonely.example.com');
      expect(add.status).toBe(200);
      expect(add.body).toMatchObject({ response: 'ok', domain: 'lonely.example.com', reloaded: false });
      expect(add.body.detail).toMatch(/unreachable/);
      expect(await ctx().db.query("SELECT id FROM domain WHERE domain = 'lonely.example.com'")).toHaveLength(1);
      const remove = await ctx().app.get('/domain/remove?domain=lonely.example.com');
      expect(remove.body).toMatchObject({ response: 'ok', reloaded: false });
      expect(await ctx().db.query("SELECT id FROM domain WHERE domain = 'lonely.example.com'")).toHaveLength(0);
    });
  },
  deadEnv,
);
