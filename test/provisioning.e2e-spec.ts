import { digestAuthorization } from '../src/provisioning/digest';
import { startApp, TestApp } from './support/app';
import { databaseTargets, TestDatabase } from './support/databases';
import { addLocalDomain, onEveryDatabase, rowCounts } from './support/suite';

const D = 'sip.example.com';
const MAC = 'f00ba2ba5c10';
const OTHER = 'f00ba2ba5c11';
const BARE = 'f00ba2ba5c12';
const TABLES = ['kamprov_phones', 'kamprov_phone_devices'];

interface Raw {
  status: number;
  text: string;
  headers: Headers;
}

onEveryDatabase(
  'phone provisioning',
  (ctx) => {
    const get = (path: string) => ctx().app.get(path);
    const raw = async (path: string, headers: Record<string, string> = {}): Promise<Raw> => {
      const res = await fetch(ctx().app.baseUrl + path, { headers });
      return { status: res.status, text: await res.text(), headers: res.headers };
    };
    /** GET with Digest: the challenge first, then the answer computed from it. */
    const digest = async (path: string, creds: { username: string; password: string }, headers: Record<string, string> = {}, which = 0) => {
      const first = await raw(path, headers);
      expect(first.status).toBe(401);
      const challenge = first.headers.get('www-authenticate')!.split(/,\s*(?=Digest )/)[which];
      const authorization = digestAuthorization(challenge, creds, 'GET', path);
      return { res: await raw(path, { ...headers, authorization }), authorization };
    };
    let secret: { username: string; password: string; token: string };

    beforeAll(async () => {
      await addLocalDomain(ctx().db, D);
      for (const name of ['alice', 'bob']) {
        expect((await get(`/user/add_local?username=${name}&domain=${D}&displayname=${name.toUpperCase()}`)).status).toBe(200);
      }
      expect(
        (await get('/user/add_remote?user=rem@remote.example.net&password=rp&registrar=reg.remote.example.net&r_port=5070&authid=remauth'))
          .status,
      ).toBe(200);
    });

    describe('phones become devices', () => {
      it('phone/set creates and updates a device record; phone/get answers vendor and model', async () => {
        const set = await get(`/phone/set?mac=F0:0B:A2:BA:5C:10&vendor=Yealink&model=T46S`);
        expect(set.status).toBe(200);
        expect(set.body).toEqual({ response: 'ok', mac: MAC, vendor: 'yealink', model: 'T46S' });
        expect((await get(`/phone/get?mac=${MAC}`)).body).toEqual({
          response: 'ok',
          mac: MAC,
          vendor: 'yealink',
          model: 'T46S',
          users: [],
        });
        expect((await get(`/phone/set?mac=${MAC}&vendor=yealink`)).body.model).toBe('T46S');
        expect((await get(`/phone/set?mac=${OTHER}&vendor=snom`)).body).toEqual({
          response: 'ok',
          mac: OTHER,
          vendor: 'snom',
          model: null,
        });
        expect((await get(`/phone/get?mac=${OTHER}`)).body).toEqual({ response: 'ok', mac: OTHER, vendor: 'snom', model: null, users: [] });
      });

      it('refuses an unknown vendor (invalid/vendor) and writes nothing', async () => {
        const before = await rowCounts(ctx().db, TABLES);
        const res = await get(`/phone/set?mac=${BARE}&vendor=nokia`);
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({ response: 'invalid', cause: 'vendor' });
        expect(await rowCounts(ctx().db, TABLES)).toEqual(before);
      });

      it('a MAC with neither device record nor users is still nonexistant', async () => {
        expect((await get(`/phone/get?mac=${BARE}`)).body).toMatchObject({ response: 'failed', cause: 'nonexistant' });
      });

      it('phone/add takes the lowest free line, or the line given; a taken line is exists', async () => {
        expect((await get(`/phone/add?mac=${MAC}&user=bob@${D}&line=2`)).body).toEqual({
          response: 'ok',
          mac: MAC,
          user: `bob@${D}`,
          line: 2,
        });
        expect((await get(`/phone/add?mac=${MAC}&user=alice@${D}`)).body).toEqual({ response: 'ok', mac: MAC, user: `alice@${D}` });
        const taken = await get(`/phone/add?mac=${MAC}&user=rem@remote.example.net&line=1`);
        expect(taken.status).toBe(409);
        expect(taken.body).toMatchObject({ response: 'failed', cause: 'exists' });
        expect(taken.body.detail).toContain('line 1');
        expect((await get(`/phone/add?mac=${MAC}&user=rem@remote.example.net&line=0`)).body).toMatchObject({
          response: 'invalid',
          cause: 'line',
        });
        expect((await get(`/phone/add?mac=${MAC}&user=rem@remote.example.net&line=100`)).body).toMatchObject({
          response: 'invalid',
          cause: 'line',
        });
        expect((await get(`/phone/add?mac=${MAC}&user=rem@remote.example.net`)).status).toBe(200);
        const rows = await ctx().db.query<{ line: number }>('SELECT line FROM kamprov_phones WHERE mac = ? ORDER BY line', [MAC]);
        expect(rows.map((r) => Number(r.line))).toEqual([1, 2, 3]);
      });

      it('concurrent adds to one phone each get their own line', async () => {
        const mac = 'f00ba2ba5c1f';
        const names = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6'];
        for (const n of names) expect((await get(`/user/add_local?username=${n}&domain=${D}`)).status).toBe(200);
        const results = await Promise.all(names.map((n) => get(`/phone/add?mac=${mac}&user=${n}@${D}`)));
        expect(results.map((r) => r.status)).toEqual(names.map(() => 200));
        const rows = await ctx().db.query<{ line: number }>('SELECT line FROM kamprov_phones WHERE mac = ? ORDER BY line', [mac]);
        expect(rows.map((r) => Number(r.line))).toEqual([1, 2, 3, 4, 5, 6]);
      });

      it('phone/get lists users in line order', async () => {
        expect((await get(`/phone/get?mac=${MAC}`)).body).toEqual({
          response: 'ok',
          mac: MAC,
          vendor: 'yealink',
          model: 'T46S',
          users: [`alice@${D}`, `bob@${D}`, 'rem@remote.example.net'],
        });
      });

      it('phone/secret shows the credentials once and stores only HA1s and a token hash', async () => {
        const res = await get(`/phone/secret?mac=${MAC}`);
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ response: 'ok', mac: MAC, username: MAC, password: expect.any(String), token: expect.any(String) });
        secret = res.body as typeof secret;
        const [row] = await ctx().db.query<Record<string, string>>('SELECT * FROM kamprov_phone_devices WHERE mac = ?', [MAC]);
        const stored = JSON.stringify(row);
        expect(stored).not.toContain(secret.password);
        expect(stored).not.toContain(secret.token);
        expect(row.ha1_md5).toMatch(/^[0-9a-f]{32}$/);
        expect(row.ha1_sha256).toMatch(/^[0-9a-f]{64}$/);
        expect((await get(`/phone/secret?mac=${BARE}`)).body).toMatchObject({ response: 'failed', cause: 'nonexistant' });
      });

      it('phone/config previews a file in an envelope', async () => {
        const res = await get(`/phone/config?mac=${MAC}&file=${MAC}.cfg`);
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ response: 'ok', mac: MAC, file: `${MAC}.cfg`, content_type: 'text/plain; charset=utf-8' });
        expect(res.body.content).toContain('account.1.user_name = alice');
        expect(res.body.content).toContain('account.3.auth_name = remauth');
        expect(res.body.content).not.toContain(secret.password);
        expect((await get(`/phone/config?mac=${MAC}&file=${MAC}.xml`)).body).toMatchObject({ response: 'failed', cause: 'nonexistant' });
        expect((await get(`/phone/config?mac=${MAC}&file=${OTHER}.cfg`)).body).toMatchObject({ response: 'failed', cause: 'nonexistant' });
        expect((await get(`/phone/config?mac=${MAC}`)).body).toMatchObject({ response: 'invalid', cause: 'file' });
      });

      it('phone/remove?mac= without a user: inuse while the phone carries users, then removes the record', async () => {
        const bound = await get(`/phone/remove?mac=${MAC}`);
        expect(bound.status).toBe(409);
        expect(bound.body).toMatchObject({ response: 'failed', cause: 'inuse' });
        expect((await get(`/phone/remove?mac=${OTHER}`)).body).toEqual({ response: 'ok', mac: OTHER });
        expect((await get(`/phone/get?mac=${OTHER}`)).body).toMatchObject({ response: 'failed', cause: 'nonexistant' });
        // Without a device record it is the seed's form with the user missing.
        expect((await get(`/phone/remove?mac=${OTHER}`)).body).toMatchObject({ response: 'invalid', cause: 'username' });
      });
    });
    describe('serving /prov with Digest', () => {
      let other: { username: string; password: string; token: string };
      beforeAll(async () => {
        expect((await get(`/phone/set?mac=${OTHER}&vendor=snom&model=D785`)).status).toBe(200);
        other = (await get(`/phone/secret?mac=${OTHER}`)).body as typeof other;
      });

      it('challenges a request without credentials (SHA-256 and MD5, qop=auth), known MAC or not, no-store', async () => {
        for (const path of [`/prov/${MAC}.cfg`, `/prov/${BARE}.cfg`, '/prov/0000000000ff.xml']) {
          const res = await raw(path);
          expect(res.status).toBe(401);
          expect(res.headers.get('cache-control')).toBe('no-store');
          const challenges = res.headers.get('www-authenticate')!.split(/,\s*(?=Digest )/);
          expect(challenges).toHaveLength(2);
          expect(challenges[0]).toMatch(/^Digest realm="kamprov", qop="auth", algorithm=SHA-256, nonce="[^"]+", opaque="[^"]+"$/);
          expect(challenges[1]).toMatch(/^Digest realm="kamprov", qop="auth", algorithm=MD5, nonce="[^"]+"/);
          expect(res.text).not.toContain('account');
        }
      });

      it('serves the phone its file with its credentials (SHA-256 and MD5), MAC in either case, byte-identical', async () => {
        const sha = await digest(`/prov/${MAC}.cfg`, secret);
        expect(sha.res.status).toBe(200);
        expect(sha.res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
        expect(sha.res.headers.get('cache-control')).toBe('no-store');
        expect(sha.res.text).toContain('account.1.user_name = alice');
        expect(sha.res.text).toContain('account.1.sip_server.1.address = 192.0.2.10');
        expect(sha.res.text).toContain('account.1.sip_server.1.port = 5080');
        expect(sha.res.text).toContain('account.2.display_name = BOB');
        expect(sha.res.text).toContain('account.3.sip_server.1.address = reg.remote.example.net');
        const md5 = await digest(`/prov/${MAC.toUpperCase()}.cfg`, secret, {}, 1);
        expect(md5.res.status).toBe(200);
        expect(md5.res.text).toBe(sha.res.text);
      });

      it("refuses a wrong secret, a replayed nonce, and another phone's credentials", async () => {
        expect((await digest(`/prov/${MAC}.cfg`, { username: MAC, password: 'wrong' })).res.status).toBe(401);
        const ok = await digest(`/prov/${MAC}.cfg`, secret);
        expect(ok.res.status).toBe(200);
        const replay = await raw(`/prov/${MAC}.cfg`, { authorization: ok.authorization });
        expect(replay.status).toBe(401);
        expect(replay.headers.get('www-authenticate')).toContain('stale=true');
        expect((await digest(`/prov/${MAC}.cfg`, other)).res.status).toBe(401);
        // The other phone's credentials for its own MAC work (and a Snom name fits a Snom phone).
        const own = await digest(`/prov/${OTHER.toUpperCase()}.xml`, other);
        expect(own.res.status).toBe(200);
        expect(own.res.headers.get('content-type')).toBe('application/xml; charset=utf-8');
        // The Digest uri must be the request's.
        const elsewhere = await digest(`/prov/${MAC}.cfg`, secret);
        expect(elsewhere.res.status).toBe(200);
        const first = await raw(`/prov/${MAC}.cfg`);
        const challenge = first.headers.get('www-authenticate')!.split(/,\s*(?=Digest )/)[0];
        const auth = digestAuthorization(challenge, secret, 'GET', `/prov/${OTHER}.xml`);
        expect((await raw(`/prov/${MAC}.cfg`, { authorization: auth })).status).toBe(401);
      });

      it('refuses the old secret once rotated, serves with the new one', async () => {
        const old = secret;
        secret = (await get(`/phone/secret?mac=${MAC}`)).body as typeof secret;
        expect(secret.password).not.toBe(old.password);
        expect((await digest(`/prov/${MAC}.cfg`, old)).res.status).toBe(401);
        expect((await raw(`/prov/t/${old.token}/${MAC}.cfg`)).status).toBe(403);
        expect((await digest(`/prov/${MAC}.cfg`, secret)).res.status).toBe(200);
      });

      it("403 for a User-Agent that carries another MAC, in the vendors' forms", async () => {
        for (const ua of [
          'Yealink SIP-T46S 66.86.0.15 80:5e:c0:11:22:33',
          `snomD785/10.1.33.33 ${OTHER.match(/../g)!.join(':')}`,
          'Grandstream Model HW GXP2170 SW 1.0.11.3 DevId 000b82123456',
          'Cisco-CP-8841-3PCC/11.3 (00562b043615)',
          'Fanvil X4 2.4.1 0c383e112233',
        ]) {
          const res = await raw(`/prov/${MAC}.cfg`, { 'user-agent': ua });
          expect([ua, res.status]).toEqual([ua, 403]);
        }
        const mine = await digest(`/prov/${MAC}.cfg`, secret, {
          'user-agent': `Yealink SIP-T46S 66.86.0.15 ${MAC.match(/../g)!.join(':').toUpperCase()}`,
        });
        expect(mine.res.status).toBe(200);
      });

      it("404 for a name that does not fit the phone's vendor (after authentication) or no vendor", async () => {
        expect((await digest(`/prov/cfg${MAC}.xml`, secret)).res.status).toBe(404);
        expect((await digest(`/prov/${MAC}/accounts`, secret)).res.status).toBe(404);
        expect((await raw(`/prov/${MAC}.exe`)).status).toBe(404);
        expect((await raw('/prov/..%2f..%2fetc%2fpasswd')).status).toBe(404);
      });

      it('serves common files without credentials', async () => {
        const res = await raw('/prov/y000000000000.cfg');
        expect(res.status).toBe(200);
        expect(res.text).toMatch(/^#!version:1\.0\.0\.1\n/);
        expect(res.headers.get('cache-control')).toBe('no-store');
      });

      it("serves by token; a wrong token or another phone's token is refused", async () => {
        const res = await raw(`/prov/t/${secret.token}/${MAC}.cfg`);
        expect(res.status).toBe(200);
        expect(res.text).toContain('account.1.user_name = alice');
        expect((await raw(`/prov/t/${secret.token}x/${MAC}.cfg`)).status).toBe(403);
        expect((await raw(`/prov/t/${other.token}/${MAC}.cfg`)).status).toBe(403);
        expect((await raw(`/prov/t/${secret.token}/${BARE}.cfg`)).status).toBe(403);
        expect((await get(`/phone/set?mac=${OTHER}&vendor=linphone`)).status).toBe(200);
        const lin = await raw(`/prov/t/${other.token}/${OTHER}/linphone.xml`);
        expect(lin.status).toBe(200);
        expect(lin.text).toContain('<config xmlns="http://www.linphone.org/xsds/lpconfig.xsd"');
      });

      it('is not behind API keys, and the token never reaches the request log', async () => {
        const res = await fetch(`${ctx().app.baseUrl}/prov/y000000000000.cfg`, { headers: { 'x-api-key': 'not-a-key-at-all-0000' } });
        expect(res.status).toBe(200);
        const { redactUrl } = await import('../src/common/request-log.hook');
        expect(redactUrl(`/prov/t/${secret.token}/${MAC}.cfg`)).toBe(`/prov/t/***/${MAC}.cfg`);
      });

      it('documents /prov as files with the Digest scheme', async () => {
        const doc = (await ctx().app.get('/openapi.json', { key: null })).body;
        expect(doc.components.securitySchemes['prov-digest']).toEqual(expect.objectContaining({ type: 'http', scheme: 'digest' }));
        expect(doc.paths['/prov/{file}'].get.security).toEqual([{ 'prov-digest': [] }]);
        expect(Object.keys(doc.paths['/prov/{file}'].get.responses['200'].content)).toEqual(['text/plain', 'application/xml']);
        expect(doc.paths['/phone/set'].get.operationId).toBe('phoneSet');
      });
    });
  },
  { PROVISIONING_SIP_SERVER: '192.0.2.10:5080' },
);

describe('/prov rate limit and API_PREFIX', () => {
  let app: TestApp;
  let db: TestDatabase;
  beforeAll(async () => {
    db = await databaseTargets()[0].create();
    app = await startApp({ DATABASE_URL: db.url, API_PREFIX: 'api/v1', PROVISIONING_RATE_LIMIT_MAX: '3' });
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  it('lives under API_PREFIX and limits each client address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await fetch(`${app.baseUrl}/api/v1/prov/y000000000000.cfg`)).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect((await fetch(`${app.baseUrl}/prov/y000000000000.cfg`)).status).toBe(404);
  });
});
