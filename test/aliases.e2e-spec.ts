import { fresh, freshDigits } from './support/seed';
import { addLocalDomain, expectRefused, onEveryDatabase } from './support/suite';

const D = 'sip.example.com';
const TABLES = ['subscriber', 'kamprov_users', 'dbaliases', 'domain', 'kamprov_address_claims', 'kamprov_claim_domains'];

onEveryDatabase('aliases', (ctx) => {
  const get = (path: string) => ctx().app.get(path);
  const dbaliases = (where = '1 = 1', params: unknown[] = []) =>
    ctx().db.query<any>(`SELECT alias_username, alias_domain, username, domain FROM dbaliases WHERE ${where} ORDER BY id`, params);
  const claims = (username: string) =>
    ctx().db.query<any>('SELECT username, domain, kind, e164_destination FROM kamprov_address_claims WHERE username = ?', [username]);

  // alice, bob and carol are every run's; a test that adds aliases to a destination, or takes
  // its E.164 slot, seeds a user and alias names of its own, so that each test runs alone with -t.
  beforeAll(async () => {
    await addLocalDomain(ctx().db, D);
    for (const u of ['alice', 'bob', 'carol']) {
      expect((await get(`/user/add_local?username=${u}&domain=${D}`)).status).toBe(200);
    }
  });
  /** A local user on D of the test's own; answers its username. */
  const newUser = async (prefix = 'u') => {
    const username = fresh(prefix);
    expect((await get(`/user/add_local?username=${username}&domain=${D}`)).status).toBe(200);
    return username;
  };
  /** Adds alias@D -> destination@D (an E.164 alias as %2B...) and answers the alias username. */
  const given = async (alias: string, destination: string) => {
    const res = await get(`/alias/add?alias_username=${encodeURIComponent(alias)}&alias_domain=${D}&destination=${destination}@${D}`);
    expect([alias, res.status]).toEqual([alias, 200]);
    return alias;
  };
  /** An E.164 alias username of the test's own (+4750xxxxxx). */
  const freshE164 = () => `+${freshDigits('4750', 6)}`;

  describe('alias/add', () => {
    it('adds an alias to a local subscriber, writes dbaliases and claims the address', async () => {
      const res = await get(`/alias/add?alias_username=sales&alias_domain=SIP.Example.COM&destination=alice@${D}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ response: 'ok', alias: `sales@${D}`, destination: `alice@${D}` });
      expect(await dbaliases('alias_username = ?', ['sales'])).toEqual([
        { alias_username: 'sales', alias_domain: D, username: 'alice', domain: D },
      ]);
      expect(await claims('sales')).toEqual([{ username: 'sales', domain: D, kind: 'alias', e164_destination: null }]);
    });

    it('accepts a destination at a domain that is not local, as it is', async () => {
      const res = await get(`/alias/add?alias_username=out&alias_domain=${D}&destination=someone@Elsewhere.NET`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ alias: `out@${D}`, destination: 'someone@elsewhere.net' });
    });

    it('takes an E.164 alias (%2B or an unencoded plus) and records its destination slot', async () => {
      const [first, second] = [await newUser(), await newUser()];
      const res = await get(`/alias/add?alias_username=%2B4761123456&alias_domain=${D}&destination=${first}@${D}`);
      expect(res.status).toBe(200);
      expect(res.body.alias).toBe(`+4761123456@${D}`);
      expect(await claims('+4761123456')).toEqual([
        { username: '+4761123456', domain: D, kind: 'alias', e164_destination: `${first}@${D}` },
      ]);
      const spaced = await get(`/alias/add?alias_username=%204722334455&alias_domain=${D}&destination=${second}@${D}`);
      expect(spaced.status).toBe(200);
      expect(spaced.body.alias).toBe(`+4722334455@${D}`);
      expect(await dbaliases('alias_username = ?', ['+4722334455'])).toHaveLength(1);
    });

    it('refuses a second E.164 alias for one destination (exists) but takes other aliases', async () => {
      const owner = await newUser();
      await given(freshE164(), owner);
      await expectRefused(
        ctx().db,
        () => get(`/alias/add?alias_username=%2B4761999999&alias_domain=${D}&destination=${owner}@${D}`),
        { status: 409, response: 'failed', cause: 'exists', detail: /E\.164/ },
        TABLES,
      );
      expect((await get(`/alias/add?alias_username=${fresh('support')}&alias_domain=${D}&destination=${owner}@${D}`)).status).toBe(200);
    });

    it('refuses an alias domain that is not local (nxdomain, 422)', async () => {
      await expectRefused(
        ctx().db,
        () => get(`/alias/add?alias_username=x&alias_domain=elsewhere.net&destination=alice@${D}`),
        { status: 422, response: 'failed', cause: 'nxdomain' },
        TABLES,
      );
    });

    it('refuses a local destination that is no subscriber (nonexistant, 404)', async () => {
      await expectRefused(
        ctx().db,
        () => get(`/alias/add?alias_username=x&alias_domain=${D}&destination=ghost@${D}`),
        { status: 404, response: 'failed', cause: 'nonexistant' },
        TABLES,
      );
    });

    it('refuses an alias that exists, to any destination (exists, 409)', async () => {
      const taken = await given(fresh('sales'), 'alice');
      for (const dest of [`alice@${D}`, `bob@${D}`]) {
        const refusal = { status: 409, response: 'failed', cause: 'exists' } as const;
        await expectRefused(
          ctx().db,
          () => get(`/alias/add?alias_username=${taken}&alias_domain=${D}&destination=${dest}`),
          refusal,
          TABLES,
        );
      }
    });

    it("refuses an alias over a user's or a bare subscriber's address (exists)", async () => {
      await ctx().db.exec("INSERT INTO subscriber (username, domain, password, ha1, ha1b) VALUES ('bare', ?, 'x', 'x', 'x')", [D]);
      for (const name of ['bob', 'bare']) {
        const refusal = { status: 409, response: 'failed', cause: 'exists', detail: /user/ } as const;
        await expectRefused(
          ctx().db,
          () => get(`/alias/add?alias_username=${name}&alias_domain=${D}&destination=alice@${D}`),
          refusal,
          TABLES,
        );
      }
    });

    it("refuses a second E.164 alias even when the first was written behind kamprov's back", async () => {
      await ctx().db.exec("INSERT INTO dbaliases (alias_username, alias_domain, username, domain) VALUES ('+4790000001', ?, 'carol', ?)", [
        D,
        D,
      ]);
      const res = await get(`/alias/add?alias_username=%2B4790000002&alias_domain=${D}&destination=carol@${D}`);
      expect(res.status).toBe(409);
      expect(res.body.cause).toBe('exists');
    });

    it.each([
      [`alias_username=a b&alias_domain=${D}&destination=alice@${D}`, 'alias'],
      [`alias_username=${'a'.repeat(65)}&alias_domain=${D}&destination=alice@${D}`, 'alias'],
      [`alias_username=a@b&alias_domain=${D}&destination=alice@${D}`, 'alias'],
      [`alias_username=x&alias_domain=bad_domain!&destination=alice@${D}`, 'alias'],
      [`alias_username=x&alias_domain=&destination=alice@${D}`, 'alias'],
      [`alias_domain=${D}&destination=alice@${D}`, 'alias'],
      [`alias_username=x&destination=alice@${D}`, 'alias'],
      [`alias_username=x&alias_domain=${D}`, 'destination'],
      [`alias_username=x&alias_domain=${D}&destination=alice`, 'destination'],
      [`alias_username=x&alias_domain=${D}&destination=al ice@${D}`, 'destination'],
      [`alias_username=x&alias_domain=${D}&destination=alice@bad_host!`, 'destination'],
      [`alias_username=x&alias_username=y&alias_domain=${D}&destination=alice@${D}`, 'alias_username'],
      [`alias_username=x&alias_domain=${D}&alias_domain=${D}&destination=alice@${D}`, 'alias_domain'],
      [`alias_username=x&alias_domain=${D}&destination=alice@${D}&destination=bob@${D}`, 'destination'],
      [`alias_username=x&alias_domain=${D}&destination=alice@${D}&colour=blue`, 'colour'],
    ])('?%s is invalid with cause %s and writes nothing', async (query, cause) => {
      await expectRefused(ctx().db, () => get(`/alias/add?${query}`), { status: 400, response: 'invalid', cause }, TABLES);
    });
  });

  describe('alias/list', () => {
    /** A destination of its own with an E.164 alias and two others (seeded in reverse order). */
    const listed = async () => {
      const owner = await newUser('lister');
      const [e164, sales, support] = [freshE164(), fresh('sales'), fresh('support')];
      for (const alias of [support, sales, e164]) await given(alias, owner);
      return { owner, e164, sales, support };
    };

    it('lists the aliases of a destination, ordered by alias', async () => {
      const { owner, e164, sales, support } = await listed();
      const res = await get(`/alias/list?destination=${owner}@SIP.example.com`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        response: 'ok',
        aliases: [
          { alias: `${e164}@${D}`, destination: `${owner}@${D}` },
          { alias: `${sales}@${D}`, destination: `${owner}@${D}` },
          { alias: `${support}@${D}`, destination: `${owner}@${D}` },
        ],
      });
    });

    it('with e164=true, only the E.164 alias', async () => {
      const { owner, e164 } = await listed();
      const res = await get(`/alias/list?destination=${owner}@${D}&e164=true`);
      expect(res.body.aliases).toEqual([{ alias: `${e164}@${D}`, destination: `${owner}@${D}` }]);
      expect((await get(`/alias/list?destination=${owner}@${D}&e164=false`)).body.aliases).toHaveLength(3);
    });

    it('by alias address, where it leads (an unencoded plus too)', async () => {
      const { owner, sales } = await listed();
      const other = await newUser();
      const e164 = await given(freshE164(), other);
      expect((await get(`/alias/list?alias=${sales}@${D}`)).body.aliases).toEqual([
        { alias: `${sales}@${D}`, destination: `${owner}@${D}` },
      ]);
      expect((await get(`/alias/list?alias=%20${e164.slice(1)}@${D}`)).body.aliases).toEqual([
        { alias: `${e164}@${D}`, destination: `${other}@${D}` },
      ]);
      expect((await get(`/alias/list?alias=nothing@${D}`)).body.aliases).toEqual([]);
      expect((await get(`/alias/list?alias=${sales}@${D}&destination=${other}@${D}`)).body.aliases).toEqual([]);
    });

    it('honours limit', async () => {
      const { owner, e164, sales } = await listed();
      const res = await get(`/alias/list?destination=${owner}@${D}&limit=2`);
      expect(res.body.aliases.map((a: any) => a.alias)).toEqual([`${e164}@${D}`, `${sales}@${D}`]);
    });

    it.each([
      ['', 'destination'],
      ['e164=true', 'destination'],
      ['destination=alice', 'destination'],
      ['alias=nope', 'alias'],
      [`destination=alice@${D}&e164=yes`, 'e164'],
      [`destination=alice@${D}&limit=0`, 'limit'],
      [`destination=alice@${D}&destination=bob@${D}`, 'destination'],
      [`destination=alice@${D}&search=x`, 'search'],
    ])('?%s is invalid (%s)', async (query, cause) => {
      const res = await get(`/alias/list?${query}`);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ response: 'invalid', cause });
    });
  });

  describe('alias/remove', () => {
    it('removes the alias, answers it and its destination, and frees the address', async () => {
      const support = await given(fresh('support'), 'alice');
      const res = await get(`/alias/remove?alias_username=${support}&alias_domain=SIP.EXAMPLE.COM`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ response: 'ok', alias: `${support}@${D}`, destination: `alice@${D}` });
      expect(await dbaliases('alias_username = ?', [support])).toHaveLength(0);
      expect(await claims(support)).toHaveLength(0);
      // The address is free again: for a user as well as for another alias.
      expect((await get(`/user/add_local?username=${support}&domain=${D}`)).status).toBe(200);
    });

    it('frees the E.164 slot of the destination', async () => {
      const owner = await newUser();
      const e164 = await given(freshE164(), owner);
      expect((await get(`/alias/remove?alias_username=${encodeURIComponent(e164)}&alias_domain=${D}`)).status).toBe(200);
      const res = await get(`/alias/add?alias_username=%2B4761999999&alias_domain=${D}&destination=${owner}@${D}`);
      expect(res.status).toBe(200);
    });

    it("removes every duplicate row of an alias written behind kamprov's back", async () => {
      for (let i = 0; i < 2; i++) {
        await ctx().db.exec("INSERT INTO dbaliases (alias_username, alias_domain, username, domain) VALUES ('dup', ?, 'bob', ?)", [D, D]);
      }
      expect((await get(`/alias/list?alias=dup@${D}`)).body.aliases).toEqual([{ alias: `dup@${D}`, destination: `bob@${D}` }]);
      const res = await get(`/alias/remove?alias_username=dup&alias_domain=${D}`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ alias: `dup@${D}`, destination: `bob@${D}` });
      expect(await dbaliases('alias_username = ?', ['dup'])).toHaveLength(0);
    });

    it('answers nonexistant (404) for an unknown alias and writes nothing', async () => {
      await expectRefused(
        ctx().db,
        () => get(`/alias/remove?alias_username=support&alias_domain=${D}`),
        { status: 404, response: 'failed', cause: 'nonexistant' },
        TABLES,
      );
    });

    it.each([
      [`alias_username=a b&alias_domain=${D}`, 'address'],
      ['alias_username=sales&alias_domain=bad_domain!', 'address'],
      [`alias_domain=${D}`, 'address'],
      ['alias_username=sales', 'address'],
      [`alias_username=sales&alias_username=x&alias_domain=${D}`, 'alias_username'],
      [`alias_username=sales&alias_domain=${D}&destination=alice@${D}`, 'destination'],
    ])('?%s is invalid (%s) and writes nothing', async (query, cause) => {
      await expectRefused(ctx().db, () => get(`/alias/remove?${query}`), { status: 400, response: 'invalid', cause }, TABLES);
    });
  });

  describe("claims that Kamailio lost behind kamprov's back", () => {
    it('are reaped: the alias can be added again and the address taken by a user', async () => {
      expect((await get(`/alias/add?alias_username=lost&alias_domain=${D}&destination=bob@${D}`)).status).toBe(200);
      await ctx().db.exec("DELETE FROM dbaliases WHERE alias_username = 'lost'");
      expect((await get(`/alias/add?alias_username=lost&alias_domain=${D}&destination=carol@${D}`)).status).toBe(200);
      expect(await claims('lost')).toHaveLength(1);
      await ctx().db.exec("DELETE FROM dbaliases WHERE alias_username = 'lost'");
      expect((await get(`/user/add_local?username=lost&domain=${D}`)).status).toBe(200);
      expect(await claims('lost')).toEqual([{ username: 'lost', domain: D, kind: 'user', e164_destination: null }]);
    });

    it('free an E.164 slot whose alias is gone', async () => {
      const lost = await newUser('lost');
      expect((await get(`/alias/add?alias_username=%2B4780000001&alias_domain=${D}&destination=${lost}@${D}`)).status).toBe(200);
      await ctx().db.exec("DELETE FROM dbaliases WHERE alias_username = '+4780000001'");
      expect((await get(`/alias/add?alias_username=%2B4780000002&alias_domain=${D}&destination=${lost}@${D}`)).status).toBe(200);
      expect((await get(`/alias/list?destination=${lost}@${D}&e164=true`)).body.aliases).toEqual([
        { alias: `+4780000002@${D}`, destination: `${lost}@${D}` },
      ]);
    });
  });
});
