import { createHash } from 'node:crypto';
import type { Reply } from '../support/app';
import { addLocalDomain, onEveryDatabase } from '../support/suite';

/**
 * Every write node under N parallel identical requests, and the mixed races: exactly one
 * `ok`, N-1 documented failures, and afterwards exactly the rows there should be, checked
 * with SQL in Kamailio's tables and ours alike. Runs on MariaDB (InnoDB locking) and on
 * SQLite (the Transactor's in-process queue).
 */
const N = 24;
const D = 'conc.example.com';
const md5 = (s: string) => createHash('md5').update(s).digest('hex');

onEveryDatabase('reliability: every write node under concurrency', (ctx) => {
  const get = (path: string) => ctx().app.get(path);
  const count = async (sql: string, params: unknown[] = []) => {
    const [row] = await ctx().db.query<{ n: number | string }>(sql, params);
    return Number(row.n);
  };
  const parallel = (path: string | ((i: number) => string)) =>
    Promise.all(Array.from({ length: N }, (_, i) => get(typeof path === 'string' ? path : path(i))));

  /** One ok; every other answer the documented failure. Returns the ok answer. */
  function exactlyOne(results: Reply[], status: number, cause: string): Reply {
    const oks = results.filter((r) => r.status === 200);
    const rest = results.filter((r) => r.status !== 200);
    expect(rest.map((r) => [r.status, r.body.response, r.body.cause])).toEqual(
      Array.from({ length: N - 1 }, () => [status, 'failed', cause]),
    );
    expect(oks).toHaveLength(1);
    return oks[0];
  }

  /** Users, subscribers and address claims agree, for everyone in the domain. */
  async function tablesAgree(): Promise<void> {
    const locals = await ctx().db.query<{ username: string }>(
      "SELECT username FROM kamprov_users WHERE domain = ? AND type = 'local' ORDER BY username",
      [D],
    );
    const subscribers = await ctx().db.query<{ username: string }>('SELECT username FROM subscriber WHERE domain = ? ORDER BY username', [
      D,
    ]);
    expect(subscribers.map((s) => s.username)).toEqual(locals.map((u) => u.username));
    const unclaimed = await count(
      `SELECT COUNT(*) AS n FROM kamprov_users u WHERE NOT EXISTS
         (SELECT 1 FROM kamprov_address_claims c WHERE c.username = u.username AND c.domain = u.domain)`,
    );
    expect(unclaimed).toBe(0);
    const danglingAliases = await count(
      `SELECT COUNT(*) AS n FROM dbaliases a WHERE a.domain = ? AND NOT EXISTS
         (SELECT 1 FROM kamprov_users u WHERE u.username = a.username AND u.domain = a.domain)`,
      [D],
    );
    expect(danglingAliases).toBe(0);
    const orphanPhones = await count(
      'SELECT COUNT(*) AS n FROM kamprov_phones p LEFT JOIN kamprov_users u ON u.id = p.user_id WHERE u.id IS NULL',
    );
    expect(orphanPhones).toBe(0);
  }

  beforeAll(async () => {
    await addLocalDomain(ctx().db, D);
  });

  it(`user/add_local x${N}: one ok, the rest exists; one subscriber with matching ha1, one user, one claim`, async () => {
    const ok = exactlyOne(await parallel(`/user/add_local?username=solo&domain=${D}`), 409, 'exists');
    expect(ok.body.user).toMatchObject({ user: `solo@${D}`, type: 'local' });
    const subs = await ctx().db.query<{ password: string; ha1: string; ha1b: string }>(
      'SELECT password, ha1, ha1b FROM subscriber WHERE username = ? AND domain = ?',
      ['solo', D],
    );
    expect(subs).toHaveLength(1);
    // The one answered ok is the one stored, and Kamailio's hashes match it.
    expect(subs[0].password).toBe(ok.body.user.password);
    expect(subs[0].ha1).toBe(md5(`solo:${D}:${subs[0].password}`));
    expect(subs[0].ha1b).toBe(md5(`solo@${D}:${D}:${subs[0].password}`));
    expect(await count('SELECT COUNT(*) AS n FROM kamprov_users WHERE username = ? AND domain = ?', ['solo', D])).toBe(1);
    expect(await count('SELECT COUNT(*) AS n FROM kamprov_address_claims WHERE username = ? AND domain = ?', ['solo', D])).toBe(1);
  });

  it(`user/add_remote x${N}: one ok, the rest exists; one remote user and no subscriber`, async () => {
    const results = await parallel('/user/add_remote?user=far@remote.example.net&password=RemotePw123&registrar=sip.remote.example.net');
    exactlyOne(results, 409, 'exists');
    const rows = await ctx().db.query<{ type: string }>('SELECT type FROM kamprov_users WHERE username = ? AND domain = ?', [
      'far',
      'remote.example.net',
    ]);
    expect(rows).toEqual([{ type: 'remote' }]);
    expect(await count("SELECT COUNT(*) AS n FROM subscriber WHERE domain = 'remote.example.net'")).toBe(0);
  });

  it(`phone/add x${N}: one ok, the rest exists; one association`, async () => {
    expect((await get(`/user/add_local?username=phoned&domain=${D}`)).status).toBe(200);
    const ok = exactlyOne(
      await parallel((i) => `/phone/add?mac=${i % 2 ? '00-11-22-AA-BB-CC' : '001122aabbcc'}&user=phoned@${D}`),
      409,
      'exists',
    );
    expect(ok.body).toEqual({ response: 'ok', mac: '001122aabbcc', user: `phoned@${D}` });
    expect(await count("SELECT COUNT(*) AS n FROM kamprov_phones WHERE mac = '001122aabbcc'")).toBe(1);
  });

  it(`numbers/add x${N}: one ok, the rest exists; one row`, async () => {
    const ok = exactlyOne(await parallel('/numbers/add?number=%2B4798000001'), 409, 'exists');
    expect(ok.body).toMatchObject({ response: 'ok', number: '+4798000001' });
    expect(await count('SELECT COUNT(*) AS n FROM kamprov_numbers WHERE number = 4798000001')).toBe(1);
  });

  it(`numbers/remove x${N}: one ok, the rest nonexistant; the number is gone`, async () => {
    expect((await get('/numbers/add?number=%2B4798000002')).status).toBe(200);
    exactlyOne(await parallel('/numbers/remove?number=%2B4798000002'), 404, 'nonexistant');
    expect(await count('SELECT COUNT(*) AS n FROM kamprov_numbers WHERE number = 4798000002')).toBe(0);
  });

  it(`numbers/add_range x${N} of one range: all ok, the range added exactly once in all (each all or nothing)`, async () => {
    const results = await parallel('/numbers/add_range?start=%2B4797000000&end=%2B4797000999');
    expect(results.map((r) => r.status)).toEqual(Array.from({ length: N }, () => 200));
    const added = results.map((r) => r.body.added as number);
    expect(added.reduce((a, b) => a + b, 0)).toBe(1000);
    for (const r of results) expect((r.body.added as number) + (r.body.skipped as number)).toBe(1000);
    expect(await count('SELECT COUNT(*) AS n FROM kamprov_numbers WHERE number BETWEEN 4797000000 AND 4797000999')).toBe(1000);
  });

  it(`alias/add (plain) x${N}: one ok, the rest exists; one dbaliases row, one claim`, async () => {
    expect((await get(`/user/add_local?username=dest&domain=${D}`)).status).toBe(200);
    exactlyOne(await parallel(`/alias/add?alias_username=sales&alias_domain=${D}&destination=dest@${D}`), 409, 'exists');
    expect(await count('SELECT COUNT(*) AS n FROM dbaliases WHERE alias_username = ? AND alias_domain = ?', ['sales', D])).toBe(1);
    expect(await count('SELECT COUNT(*) AS n FROM kamprov_address_claims WHERE username = ? AND domain = ?', ['sales', D])).toBe(1);
  });

  it(`alias/add (E.164) x${N}: one ok, the rest exists; one E.164 alias for the destination`, async () => {
    exactlyOne(await parallel(`/alias/add?alias_username=%2B4761000001&alias_domain=${D}&destination=dest@${D}`), 409, 'exists');
    expect(
      await count("SELECT COUNT(*) AS n FROM dbaliases WHERE username = 'dest' AND domain = ? AND alias_username LIKE '+%'", [D]),
    ).toBe(1);
    expect(await count("SELECT COUNT(*) AS n FROM kamprov_address_claims WHERE username = '+4761000001'")).toBe(1);
  });

  it(`domain/add x${N}: one ok, the rest exists; one domain row`, async () => {
    const ok = exactlyOne(await parallel('/domain/add?domain=new.conc.example.com'), 409, 'exists');
    expect(ok.body).toMatchObject({ response: 'ok', domain: 'new.conc.example.com' });
    expect(await count("SELECT COUNT(*) AS n FROM domain WHERE domain = 'new.conc.example.com'")).toBe(1);
  });

  it(`the removes x${N} (phone, alias, user, domain): one ok each, the rest nonexistant; the rows are gone`, async () => {
    exactlyOne(await parallel(`/phone/remove?mac=001122aabbcc&user=phoned@${D}`), 404, 'nonexistant');
    expect(await count("SELECT COUNT(*) AS n FROM kamprov_phones WHERE mac = '001122aabbcc'")).toBe(0);
    exactlyOne(await parallel(`/alias/remove?alias_username=sales&alias_domain=${D}`), 404, 'nonexistant');
    expect(await count("SELECT COUNT(*) AS n FROM dbaliases WHERE alias_username = 'sales'")).toBe(0);
    expect(await count("SELECT COUNT(*) AS n FROM kamprov_address_claims WHERE username = 'sales'")).toBe(0);
    exactlyOne(await parallel(`/user/remove?user=phoned@${D}`), 404, 'nonexistant');
    expect(await count("SELECT COUNT(*) AS n FROM subscriber WHERE username = 'phoned'")).toBe(0);
    expect(await count("SELECT COUNT(*) AS n FROM kamprov_users WHERE username = 'phoned'")).toBe(0);
    expect(await count("SELECT COUNT(*) AS n FROM kamprov_address_claims WHERE username = 'phoned'")).toBe(0);
    exactlyOne(await parallel('/domain/remove?domain=new.conc.example.com'), 404, 'nonexistant');
    expect(await count("SELECT COUNT(*) AS n FROM domain WHERE domain = 'new.conc.example.com'")).toBe(0);
  });

  it(`user/change_pw x${N}: all ok, and the stored password, ha1 and ha1b belong to one of the answers`, async () => {
    const results = await parallel(`/user/change_pw?user=solo@${D}`);
    expect(results.map((r) => r.status)).toEqual(Array.from({ length: N }, () => 200));
    const answered = new Set(results.map((r) => r.body.user.password as string));
    const [sub] = await ctx().db.query<{ password: string; ha1: string; ha1b: string }>(
      'SELECT password, ha1, ha1b FROM subscriber WHERE username = ? AND domain = ?',
      ['solo', D],
    );
    expect(answered.has(sub.password)).toBe(true);
    expect(sub.ha1).toBe(md5(`solo:${D}:${sub.password}`));
    expect(sub.ha1b).toBe(md5(`solo@${D}:${D}:${sub.password}`));
  });

  it('user/remove racing phone/add: either the user goes and no phone was added, or it stays with the phones', async () => {
    for (let round = 0; round < 8; round++) {
      const user = `pr${round}@${D}`;
      expect((await get(`/user/add_local?user=${user}`)).status).toBe(200);
      const macs = Array.from({ length: 5 }, (_, k) => `0a0b0c0d${round.toString(16).padStart(2, '0')}0${k}`);
      const paths = macs.map((mac) => `/phone/add?mac=${mac}&user=${user}`);
      paths.splice(round % 6, 0, `/user/remove?user=${user}`);
      const results = await Promise.all(paths.map((p) => get(p)));
      const removal = results[round % 6];
      const adds = results.filter((r) => r !== removal);
      const phones = await count(`SELECT COUNT(*) AS n FROM kamprov_phones WHERE mac IN (${macs.map(() => '?').join(',')})`, macs);
      const users = await count('SELECT COUNT(*) AS n FROM kamprov_users WHERE username = ?', [`pr${round}`]);
      const subs = await count('SELECT COUNT(*) AS n FROM subscriber WHERE username = ?', [`pr${round}`]);
      if (removal.status === 200) {
        expect(adds.map((a) => [a.status, a.body.cause])).toEqual(adds.map(() => [404, 'nonexistant']));
        expect([users, subs, phones]).toEqual([0, 0, 0]);
      } else {
        expect([removal.status, removal.body.cause]).toEqual([409, 'inuse']);
        for (const a of adds) expect([200, 404]).toContain(a.status);
        const okAdds = adds.filter((a) => a.status === 200).length;
        expect(okAdds).toBeGreaterThan(0);
        expect([users, subs, phones]).toEqual([1, 1, okAdds]);
      }
    }
  });

  it('user/remove racing alias/add: never an alias to a removed user', async () => {
    for (let round = 0; round < 8; round++) {
      const name = `ar${round}`;
      expect((await get(`/user/add_local?username=${name}&domain=${D}`)).status).toBe(200);
      const remove = () => get(`/user/remove?username=${name}&domain=${D}`);
      const alias = () => get(`/alias/add?alias_username=to-${name}&alias_domain=${D}&destination=${name}@${D}`);
      const [removed, aliased] = round % 2 ? await Promise.all([remove(), alias()]) : (await Promise.all([alias(), remove()])).reverse();
      const aliases = await count('SELECT COUNT(*) AS n FROM dbaliases WHERE alias_username = ?', [`to-${name}`]);
      const subs = await count('SELECT COUNT(*) AS n FROM subscriber WHERE username = ?', [name]);
      if (removed.status === 200) {
        expect([aliased.status, aliased.body.cause]).toEqual([404, 'nonexistant']);
        expect([subs, aliases]).toEqual([0, 0]);
      } else {
        expect([removed.status, removed.body.cause, aliased.status]).toEqual([409, 'inuse', 200]);
        expect([subs, aliases]).toEqual([1, 1]);
      }
    }
  });

  it('alias/add racing user/add_local for one address: exactly one of them holds it', async () => {
    for (let round = 0; round < 8; round++) {
      const name = `both${round}`;
      const calls = [
        () => get(`/alias/add?alias_username=${name}&alias_domain=${D}&destination=dest@${D}`),
        () => get(`/user/add_local?username=${name}&domain=${D}`),
      ];
      const order = round % 2 ? [0, 1, 0, 1, 0, 1] : [1, 0, 1, 0, 1, 0];
      const results = await Promise.all(order.map((i) => calls[i]()));
      expect(results.filter((r) => r.status === 200)).toHaveLength(1);
      expect(results.filter((r) => r.status !== 200).map((r) => [r.status, r.body.cause])).toEqual(
        Array.from({ length: 5 }, () => [409, 'exists']),
      );
      const aliases = await count('SELECT COUNT(*) AS n FROM dbaliases WHERE alias_username = ? AND alias_domain = ?', [name, D]);
      const users = await count('SELECT COUNT(*) AS n FROM kamprov_users WHERE username = ? AND domain = ?', [name, D]);
      const subs = await count('SELECT COUNT(*) AS n FROM subscriber WHERE username = ? AND domain = ?', [name, D]);
      const claims = await count('SELECT COUNT(*) AS n FROM kamprov_address_claims WHERE username = ? AND domain = ?', [name, D]);
      expect([aliases + users, subs, claims]).toEqual([1, users, 1]);
    }
  });

  it('leaves Kamailio tables and kamprov tables in agreement', async () => {
    await tablesAgree();
  });
});
