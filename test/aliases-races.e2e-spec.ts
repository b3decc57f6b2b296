import { addLocalDomain, onEveryDatabase } from './support/suite';

const D = 'race.example.com';
const ROUNDS = 8;

onEveryDatabase('alias races', (ctx) => {
  const get = (path: string) => ctx().app.get(path);
  const count = async (sql: string, params: unknown[] = []) => {
    const [row] = await ctx().db.query<{ n: number | string }>(sql, params);
    return Number(row.n);
  };

  beforeAll(async () => {
    await addLocalDomain(ctx().db, D);
    expect((await get(`/user/add_local?username=target&domain=${D}`)).status).toBe(200);
  });

  it('20 parallel identical alias/add: exactly one ok, the rest exists, one dbaliases row', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, () => get(`/alias/add?alias_username=same&alias_domain=${D}&destination=target@${D}`)),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    const refused = results.filter((r) => r.status !== 200);
    expect(refused).toHaveLength(19);
    expect(refused.every((r) => r.status === 409 && r.body.cause === 'exists')).toBe(true);
    expect(await count("SELECT COUNT(*) AS n FROM dbaliases WHERE alias_username = 'same'")).toBe(1);
    expect(await count("SELECT COUNT(*) AS n FROM kamprov_address_claims WHERE username = 'same'")).toBe(1);
  });

  it('20 parallel different E.164 aliases for one destination: exactly one ok', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        get(`/alias/add?alias_username=%2B47${String(10000000 + i)}&alias_domain=${D}&destination=target@${D}`),
      ),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409 && r.body.cause === 'exists')).toHaveLength(19);
    expect(
      await count("SELECT COUNT(*) AS n FROM dbaliases WHERE username = 'target' AND domain = ? AND alias_username LIKE '+%'", [D]),
    ).toBe(1);
  });

  it('20 parallel E.164 aliases to a remote destination: exactly one ok', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        get(`/alias/add?alias_username=%2B46${String(20000000 + i)}&alias_domain=${D}&destination=far@remote.example.net`),
      ),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(19);
    expect(await count("SELECT COUNT(*) AS n FROM dbaliases WHERE username = 'far'")).toBe(1);
  });

  it('alias/add racing user/add_local for one address never leaves both', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const name = `clash${round}`;
      const calls = [
        () => get(`/alias/add?alias_username=${name}&alias_domain=${D}&destination=target@${D}`),
        () => get(`/user/add_local?username=${name}&domain=${D}`),
      ];
      // Alternate who starts first, and send a few of each.
      const order = round % 2 === 0 ? [0, 1, 0, 1] : [1, 0, 1, 0];
      const results = await Promise.all(order.map((i) => calls[i]()));
      expect(results.filter((r) => r.status === 200)).toHaveLength(1);
      expect(results.every((r) => r.status === 200 || (r.status === 409 && r.body.cause === 'exists'))).toBe(true);
      const aliases = await count('SELECT COUNT(*) AS n FROM dbaliases WHERE alias_username = ? AND alias_domain = ?', [name, D]);
      const users = await count('SELECT COUNT(*) AS n FROM kamprov_users WHERE username = ? AND domain = ?', [name, D]);
      const subscribers = await count('SELECT COUNT(*) AS n FROM subscriber WHERE username = ? AND domain = ?', [name, D]);
      expect(aliases + users).toBe(1);
      expect(subscribers).toBe(users);
    }
  });

  it('user/remove racing alias/add never leaves an alias to a removed user', async () => {
    const names = Array.from({ length: ROUNDS }, (_, i) => `gone${i}`);
    for (const name of names) expect((await get(`/user/add_local?username=${name}&domain=${D}`)).status).toBe(200);
    // All rounds at once, each a remove and an alias/add to the same user.
    const results = await Promise.all(
      names.map(async (name, i) => {
        const remove = () => get(`/user/remove?username=${name}&domain=${D}`);
        const alias = () => get(`/alias/add?alias_username=to-${name}&alias_domain=${D}&destination=${name}@${D}`);
        const [removed, aliased] =
          i % 2 === 0 ? await Promise.all([remove(), alias()]) : (await Promise.all([alias(), remove()])).reverse();
        return { name, removed, aliased };
      }),
    );
    for (const { name, removed, aliased } of results) {
      // Exactly one wins: the alias first (remove answers inuse) or the remove first (alias answers nonexistant).
      expect([removed.status, aliased.status].sort()).toEqual(removed.status === 200 ? [200, 404] : [200, 409]);
      if (removed.status === 200) expect(aliased.body.cause).toBe('nonexistant');
      else expect(removed.body.cause).toBe('inuse');
      const dangling = await count(
        `SELECT COUNT(*) AS n FROM dbaliases a WHERE a.username = ? AND a.domain = ?
           AND NOT EXISTS (SELECT 1 FROM subscriber s WHERE s.username = a.username AND s.domain = a.domain)`,
        [name, D],
      );
      expect(dangling).toBe(0);
    }
  });
});
