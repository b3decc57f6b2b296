import { createHash } from 'node:crypto';
import { addLocalDomain, expectRefused, onEveryDatabase } from './support/suite';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');
const USER_KEYS = [
  'user',
  'username',
  'domain',
  'type',
  'displayname',
  'email',
  'password',
  'registrar',
  'r_port',
  'proxy',
  'p_port',
  'authid',
  'dialplan',
  'linetext',
];
const D = 'sip.example.com';

onEveryDatabase('users', (ctx) => {
  beforeAll(async () => {
    await addLocalDomain(ctx().db, D);
  });

  const get = (path: string) => ctx().app.get(path);

  // The users the tests below build on, as the first tests create them. A test that needs
  // one seeds it itself (exists is fine), so each test also runs alone with -t.
  const ALICE = `add_local?username=alice&domain=SIP.Example.com&displayname=Alice%20L&email=alice@example.com`;
  const CAROL = `add_local?user=carol@${D}`;
  const REM =
    'add_remote?username=rem&domain=Remote.Example.net&password=S3cr3t&displayname=Remote&registrar=sip.remote.net&r_port=5061&proxy=proxy.remote.net&p_port=5070&authid=realrem&dialplan=(.*)&linetext=Rem';
  const given = async (...nodes: string[]) => {
    for (const node of nodes) {
      const res = await get(`/user/${node}`);
      expect([node, res.status === 200 || res.body.cause === 'exists']).toEqual([node, true]);
    }
  };

  describe('user/add_local', () => {
    it('creates subscriber and provisioning rows and answers the full user object', async () => {
      const res = await get(`/user/add_local?username=alice&domain=SIP.Example.com&displayname=Alice%20L&email=alice@example.com`);
      expect(res.status).toBe(200);
      expect(res.body.response).toBe('ok');
      const u = res.body.user;
      expect(Object.keys(u).sort()).toEqual([...USER_KEYS].sort());
      expect(u).toMatchObject({
        user: `alice@${D}`,
        username: 'alice',
        domain: D,
        type: 'local',
        displayname: 'Alice L',
        email: 'alice@example.com',
        registrar: null,
        r_port: null,
      });
      expect(u.password).toMatch(/^[A-HJ-NP-Za-km-z2-9]{16}$/);

      const [sub] = await ctx().db.query<any>('SELECT * FROM subscriber WHERE username = ? AND domain = ?', ['alice', D]);
      expect(sub.password).toBe(u.password);
      expect(sub.ha1).toBe(md5(`alice:${D}:${u.password}`));
      expect(sub.ha1b).toBe(md5(`alice@${D}:${D}:${u.password}`));
      const rows = await ctx().db.query('SELECT * FROM kamprov_users WHERE username = ?', ['alice']);
      expect(rows).toHaveLength(1);
    });

    it('stores and answers dialplan and linetext', async () => {
      const res = await get(`/user/add_local?user=desk@${D}&dialplan=${encodeURIComponent('^(\\d+)$')}&linetext=Front%20desk`);
      expect(res.status).toBe(200);
      expect(res.body.user).toMatchObject({ user: `desk@${D}`, dialplan: '^(\\d+)$', linetext: 'Front desk' });
      const [row] = await ctx().db.query<any>("SELECT dialplan, linetext FROM kamprov_users WHERE username = 'desk'");
      expect(row).toEqual({ dialplan: '^(\\d+)$', linetext: 'Front desk' });
      expect((await get(`/user/get?user=desk@${D}`)).body.user).toMatchObject({ dialplan: '^(\\d+)$', linetext: 'Front desk' });
    });

    it('stores an empty email, displayname or linetext as unset (the empty e-mail is not validated)', async () => {
      const res = await get(`/user/add_local?user=blank@${D}&email=&displayname=&linetext=`);
      expect(res.status).toBe(200);
      expect(res.body.user).toMatchObject({ email: null, displayname: null, linetext: null });
      const [row] = await ctx().db.query<any>("SELECT email, displayname, linetext FROM kamprov_users WHERE username = 'blank'");
      expect(row).toEqual({ email: null, displayname: null, linetext: null });
    });

    it('accepts user= instead of username+domain', async () => {
      const res = await get(`/user/add_local?user=carol@${D}`);
      expect(res.status).toBe(200);
      expect(res.body.user.user).toBe(`carol@${D}`);
    });

    it('refuses a domain that is not local (nxdomain) and writes nothing', async () => {
      await expectRefused(ctx().db, () => get('/user/add_local?username=dave&domain=elsewhere.net'), {
        status: 422,
        response: 'failed',
        cause: 'nxdomain',
      });
    });

    it('refuses an address held by a user, a bare subscriber or an alias (exists)', async () => {
      await given(ALICE);
      const again = await get(`/user/add_local?username=alice&domain=${D}`);
      expect(again.status).toBe(409);
      expect(again.body).toMatchObject({ response: 'failed', cause: 'exists' });

      await ctx().db.exec("INSERT INTO subscriber (username, domain, password, ha1, ha1b) VALUES ('kamctl', ?, 'x', 'x', 'x')", [D]);
      const sub = await get(`/user/add_local?username=kamctl&domain=${D}`);
      expect(sub.status).toBe(409);
      expect(sub.body.detail).toMatch(/subscriber/);

      await ctx().db.exec("INSERT INTO dbaliases (alias_username, alias_domain, username, domain) VALUES ('sales', ?, 'alice', ?)", [D, D]);
      const alias = await get(`/user/add_local?username=sales&domain=${D}`);
      expect(alias.status).toBe(409);
      expect(alias.body).toMatchObject({ response: 'failed', cause: 'exists' });
      expect(alias.body.detail).toMatch(/alias/);
      expect(await ctx().db.query("SELECT * FROM kamprov_users WHERE username IN ('kamctl', 'sales')")).toHaveLength(0);
    });

    it('gives exactly one ok to 20 parallel identical requests', async () => {
      const results = await Promise.all(Array.from({ length: 20 }, () => get(`/user/add_local?username=racer&domain=${D}`)));
      const statuses = results.map((r) => r.status).sort();
      expect(statuses.filter((s) => s === 200)).toHaveLength(1);
      expect(statuses.filter((s) => s === 409)).toHaveLength(19);
      expect(results.every((r) => r.status === 200 || r.body.cause === 'exists')).toBe(true);
      expect(await ctx().db.query("SELECT * FROM subscriber WHERE username = 'racer'")).toHaveLength(1);
      expect(await ctx().db.query("SELECT * FROM kamprov_users WHERE username = 'racer'")).toHaveLength(1);
    });

    it.each([
      ['username=al ice&domain=' + D, 'username'],
      ['username=' + 'a'.repeat(65) + '&domain=' + D, 'username'],
      ['username=bob&domain=bad_domain!', 'domain'],
      ['username=bob&domain=' + 'd'.repeat(65), 'domain'],
      ['username=bob', 'domain'],
      ['domain=' + D, 'username'],
      ['', 'username'],
      [`username=bob&domain=${D}&user=bob@${D}`, 'user'],
      ['user=bob', 'user'],
      [`username=bob&domain=${D}&email=not-an-email`, 'email'],
      [`username=bob&domain=${D}&email=${'a'.repeat(60)}@${'b'.repeat(40)}.${'c'.repeat(40)}.com`, 'email'],
      [`username=bob&domain=${D}&email=a@example.com&email=b@example.com`, 'email'],
      [`username=bob&domain=${D}&displayname=a%0Ab`, 'displayname'],
      [`username=bob&domain=${D}&linetext=${'a'.repeat(65)}`, 'linetext'],
      [`username=bob&domain=${D}&colour=blue`, 'colour'],
      [`username=bob&username=rob&domain=${D}`, 'username'],
      [`username=bob&domain=${D}&password=x`, 'password'],
    ])('?%s is invalid with cause %s and writes nothing', async (query, cause) => {
      await expectRefused(ctx().db, () => get(`/user/add_local?${query}`), { status: 400, response: 'invalid', cause });
    });
  });

  describe('user/get', () => {
    it('finds a user by username+domain, user= and address=, domain case-insensitively', async () => {
      await given(ALICE);
      for (const q of [`username=alice&domain=${D}`, `user=alice@${D}`, `address=alice@SIP.EXAMPLE.COM`]) {
        const res = await get(`/user/get?${q}`);
        expect(res.status).toBe(200);
        expect(res.body.user).toMatchObject({ user: `alice@${D}`, type: 'local', displayname: 'Alice L' });
        expect(res.body.user.password).toMatch(/^[A-Za-z0-9]{16}$/);
        expect(Object.keys(res.body.user).sort()).toEqual([...USER_KEYS].sort());
      }
    });

    it('answers nonexistant (404) for an unknown user', async () => {
      const res = await get(`/user/get?username=nobody&domain=${D}`);
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ response: 'failed', cause: 'nonexistant' });
    });

    it.each([
      [`user=alice@${D}&address=alice@${D}`, 'address'],
      [`username=alice&domain=${D}&address=alice@${D}`, 'address'],
      ['address=nobody', 'address'],
      ['', 'username'],
    ])('?%s is invalid (%s)', async (query, cause) => {
      const res = await get(`/user/get?${query}`);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ response: 'invalid', cause });
    });
  });

  describe('user/add_remote', () => {
    it('records a remote account with all its fields', async () => {
      const res = await get(
        '/user/add_remote?username=rem&domain=Remote.Example.net&password=S3cr3t&displayname=Remote&registrar=sip.remote.net&r_port=5061&proxy=proxy.remote.net&p_port=5070&authid=realrem&dialplan=(.*)&linetext=Rem',
      );
      expect(res.status).toBe(200);
      expect(res.body.user).toEqual({
        user: 'rem@remote.example.net',
        username: 'rem',
        domain: 'remote.example.net',
        type: 'remote',
        displayname: 'Remote',
        email: null,
        password: 'S3cr3t',
        registrar: 'sip.remote.net',
        r_port: 5061,
        proxy: 'proxy.remote.net',
        p_port: 5070,
        authid: 'realrem',
        dialplan: '(.*)',
        linetext: 'Rem',
      });
      expect(await ctx().db.query("SELECT * FROM subscriber WHERE username = 'rem'")).toHaveLength(0);
      const got = await get('/user/get?user=rem@remote.example.net');
      expect(got.body.user).toEqual(res.body.user);
    });

    it('refuses a local domain with failed/domain (422)', async () => {
      const res = await get(`/user/add_remote?username=x&domain=${D}&password=p&registrar=r.example.net`);
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({ response: 'failed', cause: 'domain' });
    });

    it('refuses a taken address (exists)', async () => {
      await given(REM);
      const res = await get('/user/add_remote?user=rem@remote.example.net&password=p&registrar=r.example.net');
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ response: 'failed', cause: 'exists' });
    });

    it.each([
      ['user=x@r.net&registrar=r.net', 'password'],
      ['user=x@r.net&password=p', 'registrar'],
      ['user=x@r.net&password=p&registrar=r.net&r_port=0', 'r_port'],
      ['user=x@r.net&password=p&registrar=r.net&r_port=65536', 'r_port'],
      ['user=x@r.net&password=p&registrar=r.net&p_port=abc', 'p_port'],
      ['user=x@r.net&password=p&registrar=bad host', 'registrar'],
      ['user=x@r.net&password=p&registrar=r.net&authid=a b', 'authid'],
      ['user=x@r.net&password=' + 'p'.repeat(65) + '&registrar=r.net', 'password'],
    ])('?%s is invalid (%s) and writes nothing', async (query, cause) => {
      await expectRefused(ctx().db, () => get(`/user/add_remote?${query}`), { status: 400, response: 'invalid', cause });
    });
  });

  describe('user/list', () => {
    beforeAll(async () => {
      for (const name of ['bob', 'bobby', 'b_b']) {
        await get(`/user/add_local?username=${encodeURIComponent(name)}&domain=${D}`);
      }
    });

    it('lists every user as user@domain, ordered', async () => {
      await given(ALICE, REM);
      const res = await get('/user/list');
      expect(res.status).toBe(200);
      const users = res.body.users as string[];
      expect(users).toEqual(expect.arrayContaining([`alice@${D}`, `bob@${D}`, 'rem@remote.example.net']));
      // Collations differ in where punctuation sorts; letters sort alike everywhere.
      const plain = users.filter((u) => /^[a-z]+@/.test(u));
      expect(plain).toEqual([...plain].sort());
    });

    it('globs: prefix*, ?, anywhere without wildcards, and SQL wildcards as literals', async () => {
      await given(REM);
      expect((await get('/user/list?search=bob*')).body.users).toEqual([`bob@${D}`, `bobby@${D}`]);
      expect((await get('/user/list?search=bo?@*')).body.users).toEqual([`bob@${D}`]);
      expect((await get('/user/list?search=remote.example')).body.users).toEqual(['rem@remote.example.net']);
      expect((await get('/user/list?search=b_b')).body.users).toEqual([`b_b@${D}`]);
      // Unescaped, b%b and b_b would also match bob and bobby.
      expect((await get('/user/list?search=b%25b')).body.users).toEqual([]);
      expect((await get('/user/list?search=*@remote.example.net')).body.users).toEqual(['rem@remote.example.net']);
      expect((await get('/user/list?search=zzz')).body.users).toEqual([]);
    });

    it('honours limit', async () => {
      const res = await get('/user/list?search=b*&limit=2');
      expect(res.body.users).toHaveLength(2);
    });

    it.each([
      ['limit=0', 'limit'],
      ['limit=-1', 'limit'],
      ['limit=abc', 'limit'],
      ['limit=1.5', 'limit'],
      ['search=', 'search'],
      ['search=a&search=b', 'search'],
    ])('?%s is invalid (%s)', async (query, cause) => {
      const res = await get(`/user/list?${query}`);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ response: 'invalid', cause });
    });
  });

  describe('user/genpw', () => {
    it('answers a fresh password of the add_local form', async () => {
      const a = await get('/user/genpw');
      const b = await get('/user/genpw');
      expect(a.status).toBe(200);
      expect(a.body.password).toMatch(/^[A-HJ-NP-Za-km-z2-9]{16}$/);
      expect(a.body.password).not.toBe(b.body.password);
    });

    it('takes no parameters', async () => {
      const res = await get('/user/genpw?length=4');
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ response: 'invalid', cause: 'length' });
    });
  });

  describe('user/change_pw', () => {
    it('sets password, ha1 and ha1b of a local user', async () => {
      await given(ALICE);
      const res = await get(`/user/change_pw?username=alice&domain=${D}&password=n3wS3cr3t`);
      expect(res.status).toBe(200);
      expect(res.body.user.password).toBe('n3wS3cr3t');
      const [sub] = await ctx().db.query<any>("SELECT * FROM subscriber WHERE username = 'alice'");
      expect(sub).toMatchObject({ password: 'n3wS3cr3t', ha1: md5(`alice:${D}:n3wS3cr3t`), ha1b: md5(`alice@${D}:${D}:n3wS3cr3t`) });
    });

    it('generates a password when none is given', async () => {
      await given(ALICE);
      const res = await get(`/user/change_pw?user=alice@${D}`);
      expect(res.body.user.password).toMatch(/^[A-Za-z0-9]{16}$/);
      const [sub] = await ctx().db.query<any>("SELECT * FROM subscriber WHERE username = 'alice'");
      expect(sub.password).toBe(res.body.user.password);
      expect(sub.ha1).toBe(md5(`alice:${D}:${res.body.user.password}`));
    });

    it("stores a remote user's new password", async () => {
      await given(REM);
      const res = await get('/user/change_pw?user=rem@remote.example.net&password=other');
      expect(res.body.user.password).toBe('other');
      expect((await get('/user/get?user=rem@remote.example.net')).body.user.password).toBe('other');
    });

    it("restores the subscriber row of a local user deleted behind kamprov's back", async () => {
      expect((await get(`/user/add_local?user=phoenix@${D}`)).status).toBe(200);
      await ctx().db.exec("DELETE FROM subscriber WHERE username = 'phoenix'");
      const res = await get(`/user/change_pw?user=phoenix@${D}&password=R1sen4gain`);
      expect(res.status).toBe(200);
      expect(res.body.user).toMatchObject({ user: `phoenix@${D}`, type: 'local', password: 'R1sen4gain' });
      const subs = await ctx().db.query<any>("SELECT * FROM subscriber WHERE username = 'phoenix'");
      expect(subs).toHaveLength(1);
      expect(subs[0]).toMatchObject({
        domain: D,
        password: 'R1sen4gain',
        ha1: md5(`phoenix:${D}:R1sen4gain`),
        ha1b: md5(`phoenix@${D}:${D}:R1sen4gain`),
      });
      // Kamprov's own view agrees: the password is the subscriber's again.
      expect((await get(`/user/get?user=phoenix@${D}`)).body.user.password).toBe('R1sen4gain');
    });

    it('answers nonexistant for an unknown user, invalid for a bad password', async () => {
      await given(ALICE);
      expect((await get(`/user/change_pw?user=ghost@${D}&password=x`)).status).toBe(404);
      const bad = await get(`/user/change_pw?user=alice@${D}&password=a%07b`);
      expect(bad.status).toBe(400);
      expect(bad.body.cause).toBe('password');
    });
  });

  describe('user/update', () => {
    it('changes only the given fields; an empty value clears one', async () => {
      await given(ALICE);
      const res = await get(`/user/update?user=alice@${D}&linetext=Alice&dialplan=(.*)&email=`);
      expect(res.status).toBe(200);
      expect(res.body.user).toMatchObject({ displayname: 'Alice L', linetext: 'Alice', dialplan: '(.*)', email: null });
      expect((await get(`/user/get?user=alice@${D}`)).body.user).toMatchObject({ linetext: 'Alice', email: null });
    });

    it('changes remote fields of a remote user', async () => {
      await given(REM);
      const res = await get('/user/update?user=rem@remote.example.net&registrar=sip2.remote.net&r_port=5080');
      expect(res.body.user).toMatchObject({ registrar: 'sip2.remote.net', r_port: 5080, proxy: 'proxy.remote.net' });
    });

    it('refuses remote fields for a local user (invalid, the field as cause)', async () => {
      await given(ALICE);
      const res = await get(`/user/update?user=alice@${D}&registrar=x.example.net`);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ response: 'invalid', cause: 'registrar' });
    });

    it('answers nonexistant for an unknown user', async () => {
      const res = await get(`/user/update?user=ghost@${D}&displayname=x`);
      expect(res.status).toBe(404);
      expect(res.body.cause).toBe('nonexistant');
    });
  });

  describe('user/remove', () => {
    it('refuses while an alias points at the user (inuse)', async () => {
      await given(ALICE);
      const aliases = await ctx().db.query("SELECT 1 FROM dbaliases WHERE alias_username = 'sales'");
      if (aliases.length === 0) {
        await ctx().db.exec("INSERT INTO dbaliases (alias_username, alias_domain, username, domain) VALUES ('sales', ?, 'alice', ?)", [
          D,
          D,
        ]);
      }
      const res = await get(`/user/remove?user=alice@${D}`);
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ response: 'failed', cause: 'inuse' });
      expect(await ctx().db.query("SELECT * FROM subscriber WHERE username = 'alice'")).toHaveLength(1);
    });

    it('removes a local user from Kamailio and provisioning', async () => {
      await given(CAROL);
      const res = await get(`/user/remove?username=carol&domain=${D}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ response: 'ok' });
      expect(await ctx().db.query("SELECT * FROM subscriber WHERE username = 'carol'")).toHaveLength(0);
      expect(await ctx().db.query("SELECT * FROM kamprov_users WHERE username = 'carol'")).toHaveLength(0);
      expect((await get(`/user/get?user=carol@${D}`)).status).toBe(404);
    });

    it('removes a remote user', async () => {
      await given(REM);
      expect((await get('/user/remove?user=rem@remote.example.net')).status).toBe(200);
      expect((await get('/user/get?user=rem@remote.example.net')).status).toBe(404);
    });

    it('answers nonexistant for an unknown user', async () => {
      const res = await get(`/user/remove?user=carol@${D}`);
      expect(res.status).toBe(404);
      expect(res.body.cause).toBe('nonexistant');
    });
  });
});
