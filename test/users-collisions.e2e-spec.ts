import { fresh } from './support/seed';
import { addLocalDomain, onEveryDatabase } from './support/suite';

const D = 'coll.example.com';

onEveryDatabase('users and aliases never share an address', (ctx) => {
  const get = (path: string) => ctx().app.get(path);
  const claims = (username: string) =>
    ctx().db.query<any>('SELECT kind FROM kamprov_address_claims WHERE username = ? AND domain = ?', [username, D]);

  beforeAll(async () => {
    await addLocalDomain(ctx().db, D);
    expect((await get(`/user/add_local?username=owner&domain=${D}`)).status).toBe(200);
  });
  /** A local user on D of the test's own (so that each test runs alone with -t); answers its username. */
  const newUser = async (prefix: string) => {
    const username = fresh(prefix);
    expect((await get(`/user/add_local?username=${username}&domain=${D}`)).status).toBe(200);
    return username;
  };

  it('a user creation claims the address', async () => {
    expect(await claims('owner')).toEqual([{ kind: 'user' }]);
  });

  it('user/add_local over an alias made through kamprov: exists, nothing written', async () => {
    expect((await get(`/alias/add?alias_username=desk&alias_domain=${D}&destination=owner@${D}`)).status).toBe(200);
    const res = await get(`/user/add_local?username=desk&domain=${D}`);
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ response: 'failed', cause: 'exists' });
    expect(res.body.detail).toMatch(/alias/);
    expect(await ctx().db.query("SELECT id FROM subscriber WHERE username = 'desk'")).toHaveLength(0);
    expect(await ctx().db.query("SELECT id FROM kamprov_users WHERE username = 'desk'")).toHaveLength(0);
    expect(await claims('desk')).toEqual([{ kind: 'alias' }]);
  });

  it('an alias over a remote user, once its domain became local: exists', async () => {
    expect((await get('/user/add_remote?user=far@became.example.com&password=p&registrar=sip.example.net')).status).toBe(200);
    await addLocalDomain(ctx().db, 'became.example.com');
    const res = await get(`/alias/add?alias_username=far&alias_domain=became.example.com&destination=owner@${D}`);
    expect(res.status).toBe(409);
    expect(res.body.cause).toBe('exists');
    expect(await ctx().db.query("SELECT id FROM dbaliases WHERE alias_username = 'far'")).toHaveLength(0);
  });

  it('user/remove is refused while an alias points at the user; afterwards the address is free again', async () => {
    const owner = await newUser('owner');
    const desk = fresh('desk');
    expect((await get(`/alias/add?alias_username=${desk}&alias_domain=${D}&destination=${owner}@${D}`)).status).toBe(200);
    const refused = await get(`/user/remove?user=${owner}@${D}`);
    expect(refused.status).toBe(409);
    expect(refused.body.cause).toBe('inuse');
    expect((await get(`/alias/remove?alias_username=${desk}&alias_domain=${D}`)).status).toBe(200);
    expect((await get(`/user/remove?user=${owner}@${D}`)).status).toBe(200);
    expect(await claims(owner)).toEqual([]);
    // The released address can now become an alias (of another user), and its claim follows.
    const next = fresh('next');
    expect((await get(`/user/add_local?username=${next}&domain=${D}`)).status).toBe(200);
    expect((await get(`/alias/add?alias_username=${owner}&alias_domain=${D}&destination=${next}@${D}`)).status).toBe(200);
    expect(await claims(owner)).toEqual([{ kind: 'alias' }]);
  });

  it('20 parallel user/add_remote and alias/add of one address: exactly one wins', async () => {
    await addLocalDomain(ctx().db, 'mixed.example.com');
    const next = await newUser('next');
    // user/add_remote refuses local domains, so the race is user/add_local against alias/add.
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        i % 2 === 0
          ? get('/user/add_local?user=both@mixed.example.com')
          : get(`/alias/add?alias_username=both&alias_domain=mixed.example.com&destination=${next}@${D}`),
      ),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409 && r.body.cause === 'exists')).toHaveLength(19);
    const users = await ctx().db.query("SELECT id FROM kamprov_users WHERE username = 'both'");
    const aliases = await ctx().db.query("SELECT id FROM dbaliases WHERE alias_username = 'both'");
    expect(users.length + aliases.length).toBe(1);
  });
});
