import { addLocalDomain, onEveryDatabase } from './support/suite';

const D = 'sem.example.com';

/**
 * What differs by database, decided and pinned (README, "Databases: what differs"):
 * usernames compare as the database compares text (case-sensitive on SQLite and
 * PostgreSQL, case-insensitive under MariaDB's default collation), domains are
 * case-insensitive everywhere, and a list search's `_`/`%` are literal on every database.
 */
onEveryDatabase('database semantics', (ctx) => {
  const get = (path: string) => ctx().app.get(path);

  beforeAll(async () => {
    await addLocalDomain(ctx().db, D);
  });

  it('usernames: case-sensitive on SQLite and PostgreSQL, case-insensitive on MariaDB', async () => {
    expect((await get(`/user/add_local?username=Carla&domain=${D}`)).status).toBe(200);
    const other = await get(`/user/add_local?username=carla&domain=${D}`);
    if (ctx().db.kind === 'mysql') {
      expect([other.status, other.body.cause]).toEqual([409, 'exists']);
    } else {
      expect(other.status).toBe(200);
      expect((await get(`/user/get?user=carla@${D}`)).body.user.username).toBe('carla');
      expect((await get(`/user/get?user=Carla@${D}`)).body.user.username).toBe('Carla');
    }
  });

  it('domains: case-insensitive everywhere (stored lower-case, found in any case)', async () => {
    const dup = await get(`/domain/add?domain=${D.toUpperCase()}`);
    expect([dup.status, dup.body.cause]).toEqual([409, 'exists']);
    expect((await get(`/user/add_local?username=dora&domain=SEM.Example.COM`)).status).toBe(200);
    const got = await get(`/user/get?username=dora&domain=Sem.Example.Com`);
    expect(got.status).toBe(200);
    expect(got.body.user.domain).toBe(D);
    expect(await ctx().db.query('SELECT domain FROM subscriber WHERE username = ?', ['dora'])).toEqual([{ domain: D }]);
  });

  it("LIKE: a search's _ and % are literal, ? and * are the wildcards, on every database", async () => {
    for (const u of ['a_b1', 'axb1', 'a%b1', 'ab1'])
      expect((await get(`/user/add_local?username=${encodeURIComponent(u)}&domain=${D}`)).status).toBe(200);
    const list = async (search: string) => (await get(`/user/list?search=${encodeURIComponent(search)}`)).body.users as string[];
    expect(await list(`a_b*@${D}`)).toEqual([`a_b1@${D}`]);
    expect(await list(`a%b*@${D}`)).toEqual([`a%b1@${D}`]);
    expect((await list(`a?b1@${D}`)).sort()).toEqual([`a%b1@${D}`, `a_b1@${D}`, `axb1@${D}`].sort());
  });
});
