import { addLocalDomain, onEveryDatabase, rowCounts } from './support/suite';

const LOCAL = 'fields.example.com';
const FAR = 'far.example.net';

/**
 * A remote account's fields and passwords (issue 14 item 11): an empty value clears any
 * optional field, a remote password is never empty, blank or made up by kamprov, and a
 * subscriber kept as ha1 only shows no password.
 */
onEveryDatabase('remote users: clearing fields and passwords', (ctx) => {
  const get = (path: string) => ctx().app.get(path);

  beforeAll(async () => {
    await addLocalDomain(ctx().db, LOCAL);
  });

  it('user/update clears proxy, p_port, r_port and authid of a remote user with empty values', async () => {
    const created = await get(
      `/user/add_remote?user=full@${FAR}&password=S3cr3t&registrar=sip.${FAR}&r_port=5070&proxy=proxy.${FAR}&p_port=5080&authid=realfull`,
    );
    expect(created.status).toBe(200);
    expect(created.body.user).toMatchObject({ r_port: 5070, proxy: `proxy.${FAR}`, p_port: 5080, authid: 'realfull' });

    const res = await get(`/user/update?user=full@${FAR}&proxy=&p_port=&r_port=&authid=`);
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({
      registrar: `sip.${FAR}`,
      r_port: null,
      proxy: null,
      p_port: null,
      authid: null,
      password: 'S3cr3t',
    });
    expect((await get(`/user/get?user=full@${FAR}`)).body.user).toEqual(res.body.user);
    const [row] = await ctx().db.query<any>('SELECT r_port, proxy, p_port, authid FROM kamprov_users WHERE username = ?', ['full']);
    expect(row).toEqual({ r_port: null, proxy: null, p_port: null, authid: null });
  });

  it('user/update still refuses an empty registrar and bad values', async () => {
    for (const [query, cause] of [
      ['registrar=', 'registrar'],
      ['p_port=0', 'p_port'],
      ['r_port=x', 'r_port'],
      ['proxy=not%20a%20host', 'proxy'],
      ['authid=a%20b', 'authid'],
    ]) {
      const res = await get(`/user/update?user=full@${FAR}&${query}`);
      expect({ query, status: res.status, body: res.body }).toMatchObject({ query, status: 400, body: { response: 'invalid', cause } });
    }
  });

  it('user/update with empty remote fields on a local user is still invalid', async () => {
    expect((await get(`/user/add_local?user=loc@${LOCAL}`)).status).toBe(200);
    const res = await get(`/user/update?user=loc@${LOCAL}&proxy=`);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ response: 'invalid', cause: 'proxy' });
  });

  it('user/add_remote refuses an empty or blank password, writing nothing', async () => {
    const before = await rowCounts(ctx().db);
    for (const pw of ['', '%20', '%20%20%20']) {
      const res = await get(`/user/add_remote?user=blank@${FAR}&password=${pw}&registrar=sip.${FAR}`);
      expect({ pw, status: res.status, body: res.body }).toMatchObject({
        pw,
        status: 400,
        body: { response: 'invalid', cause: 'password' },
      });
    }
    expect(await rowCounts(ctx().db)).toEqual(before);
  });

  it('user/change_pw on a remote user requires the password, and keeps the stored one otherwise', async () => {
    for (const q of ['', '&password=', '&password=%20%20']) {
      const res = await get(`/user/change_pw?user=full@${FAR}${q}`);
      expect({ q, status: res.status, body: res.body }).toMatchObject({ q, status: 400, body: { response: 'invalid', cause: 'password' } });
    }
    expect((await get(`/user/get?user=full@${FAR}`)).body.user.password).toBe('S3cr3t');
    const changed = await get(`/user/change_pw?user=full@${FAR}&password=N3wOne`);
    expect(changed.status).toBe(200);
    expect(changed.body.user.password).toBe('N3wOne');
  });

  it('user/change_pw on a local user still generates a password when none is given', async () => {
    const res = await get(`/user/change_pw?user=loc@${LOCAL}`);
    expect(res.status).toBe(200);
    expect(res.body.user.password).toMatch(/^[A-Za-z0-9]{16}$/);
  });

  it('a subscriber kept as ha1 only (password empty) shows password null', async () => {
    await ctx().db.exec(
      "INSERT INTO subscriber (username, domain, password, ha1, ha1b) VALUES ('hashed', ?, '', '0123456789abcdef0123456789abcdef', '')",
      [LOCAL],
    );
    await ctx().db.exec("INSERT INTO kamprov_users (username, domain, type) VALUES ('hashed', ?, 'local')", [LOCAL]);
    const res = await get(`/user/get?user=hashed@${LOCAL}`);
    expect(res.status).toBe(200);
    expect(res.body.user.password).toBeNull();
  });
});
