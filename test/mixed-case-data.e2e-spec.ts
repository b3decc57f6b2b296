import { onEveryDatabase } from './support/suite';

/** The domain as the client names it, and as kamctl stored it. */
const D = 'mixed.example.com';
const STORED = 'Mixed.Example.COM';

/**
 * A Kamailio database that other tools filled (issue 14 item 9): kamctl writes domains as
 * it is given them. Domains are compared case-insensitively on every database, rows
 * kamprov did not write included; answers and dbaliases rows use the stored address with
 * its domain lower-case. Usernames compare as each database does (MariaDB: any case).
 */
onEveryDatabase('a Kamailio database with mixed-case domains', (ctx) => {
  const get = (path: string) => ctx().app.get(path);
  const db = () => ctx().db;
  const rows = (sql: string, params: unknown[] = []) => db().query<any>(sql, params);
  const mysql = () => db().kind === 'mysql';

  beforeAll(async () => {
    await db().exec('INSERT INTO domain (domain, did) VALUES (?, ?)', [STORED, STORED]);
    // alice: adopted at kamprov's first start (a kamprov_users row and a claim as the migrations write them).
    await db().exec("INSERT INTO subscriber (username, domain, password, ha1, ha1b) VALUES ('alice', ?, 'pw', 'h', 'h')", [STORED]);
    await db().exec("INSERT INTO kamprov_users (username, domain, type) VALUES ('alice', ?, 'local')", [STORED]);
    await db().exec("INSERT INTO kamprov_address_claims (username, domain, kind) VALUES ('alice', ?, 'user')", [D]);
    // carol: added with kamctl while kamprov runs (a subscriber only).
    await db().exec("INSERT INTO subscriber (username, domain, password, ha1, ha1b) VALUES ('carol', ?, 'pw', 'h', 'h')", [STORED]);
    // An alias kamctl wrote, in the stored case.
    await db().exec('INSERT INTO dbaliases (alias_username, alias_domain, username, domain) VALUES (?, ?, ?, ?)', [
      'sales',
      STORED,
      'alice',
      STORED,
    ]);
  });

  it('user/get finds the adopted user, and answers its domain lower-case', async () => {
    const res = await get(`/user/get?user=alice@${D}`);
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ user: `alice@${D}`, username: 'alice', domain: D, type: 'local', password: 'pw' });
    expect((await get(`/user/list?search=alice`)).body.users).toEqual([`alice@${D}`]);
  });

  it('user/add_local of an address a mixed-case subscriber holds: exists, no second subscriber', async () => {
    for (const name of ['alice', 'carol']) {
      const res = await get(`/user/add_local?user=${name}@${D}`);
      expect({ name, status: res.status, cause: res.body.cause }).toEqual({ name, status: 409, cause: 'exists' });
      expect(await rows('SELECT id FROM subscriber WHERE username = ?', [name])).toHaveLength(1);
    }
  });

  it('alias/add of an alias kamctl wrote in mixed case: exists, no duplicate row', async () => {
    const res = await get(`/alias/add?alias_username=sales&alias_domain=${D}&destination=alice@${D}`);
    expect(res.status).toBe(409);
    expect(res.body.cause).toBe('exists');
    expect(await rows("SELECT id FROM dbaliases WHERE alias_username = 'sales'")).toHaveLength(1);
    // Nor may an alias take a mixed-case subscriber's address.
    const over = await get(`/alias/add?alias_username=carol&alias_domain=${D}&destination=alice@${D}`);
    expect(over.status).toBe(409);
    expect(await rows("SELECT id FROM dbaliases WHERE alias_username = 'carol'")).toHaveLength(0);
  });

  it('alias/list finds the mixed-case alias by destination and by alias, answered lower-case', async () => {
    const expected = [{ alias: `sales@${D}`, destination: `alice@${D}` }];
    expect((await get(`/alias/list?destination=alice@${D}`)).body.aliases).toEqual(expected);
    expect((await get(`/alias/list?alias=sales@${D}`)).body.aliases).toEqual(expected);
  });

  it('user/remove sees the mixed-case alias pointing at the user: inuse', async () => {
    const res = await get(`/user/remove?user=alice@${D}`);
    expect(res.status).toBe(409);
    expect(res.body.cause).toBe('inuse');
    expect(await rows("SELECT id FROM subscriber WHERE username = 'alice'")).toHaveLength(1);
  });

  it('user/change_pw updates the stored subscriber row, no second one', async () => {
    const res = await get(`/user/change_pw?user=alice@${D}&password=N3wPass`);
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ user: `alice@${D}`, password: 'N3wPass' });
    expect(await rows("SELECT domain, password FROM subscriber WHERE username = 'alice'")).toEqual([
      { domain: STORED, password: 'N3wPass' },
    ]);
  });

  it('a new alias to the subscriber writes the stored username and the lower-case domain', async () => {
    const res = await get(`/alias/add?alias_username=desk&alias_domain=${D}&destination=alice@${D.toUpperCase()}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ alias: `desk@${D}`, destination: `alice@${D}` });
    expect(await rows("SELECT username, domain FROM dbaliases WHERE alias_username = 'desk'")).toEqual([{ username: 'alice', domain: D }]);
  });

  it('a destination named in another case: MariaDB writes the stored username; SQLite knows no such subscriber', async () => {
    const res = await get(`/alias/add?alias_username=front&alias_domain=${D}&destination=ALICE@${D}`);
    const written = await rows("SELECT username, domain FROM dbaliases WHERE alias_username = 'front'");
    if (mysql()) {
      expect(res.status).toBe(200);
      expect(res.body.destination).toBe(`alice@${D}`);
      expect(written).toEqual([{ username: 'alice', domain: D }]);
    } else {
      expect(res.status).toBe(404);
      expect(written).toEqual([]);
    }
  });

  it('phone/add and phone/get?user answer the stored address', async () => {
    const name = mysql() ? 'ALICE' : 'alice';
    const added = await get(`/phone/add?mac=f00ba2ba5c01&user=${name}@${D}`);
    expect(added.status).toBe(200);
    expect(added.body.user).toBe(`alice@${D}`);
    const byUser = await get(`/phone/get?user=${name}@${D}`);
    expect(byUser.body).toMatchObject({ response: 'ok', user: `alice@${D}`, macs: ['f00ba2ba5c01'] });
    expect((await get('/phone/get?mac=f00ba2ba5c01')).body.users).toEqual([`alice@${D}`]);
    const removed = await get(`/phone/remove?mac=f00ba2ba5c01&user=${name}@${D}`);
    expect(removed.status).toBe(200);
    expect(removed.body.user).toBe(`alice@${D}`);
  });

  it('alias/remove removes the mixed-case row; then user/remove removes the user and releases its claim', async () => {
    for (const alias of ['sales', 'desk', 'front']) {
      const res = await get(`/alias/remove?alias_username=${alias}&alias_domain=${D}`);
      if (alias === 'front' && !mysql()) continue;
      expect({ alias, status: res.status, body: res.body }).toMatchObject({ alias, status: 200, body: { destination: `alice@${D}` } });
    }
    expect(await rows('SELECT id FROM dbaliases')).toHaveLength(0);
    expect((await get(`/user/remove?user=alice@${D}`)).status).toBe(200);
    expect(await rows("SELECT id FROM subscriber WHERE username = 'alice'")).toHaveLength(0);
    expect(await rows("SELECT id FROM kamprov_address_claims WHERE username = 'alice'")).toHaveLength(0);
  });
});
