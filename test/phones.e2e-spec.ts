import { addLocalDomain, expectRefused, onEveryDatabase } from './support/suite';

const D = 'sip.example.com';
const TABLES = ['kamprov_phones', 'kamprov_users', 'subscriber'];
const MAC1 = 'f00ba2ba5c00';
const MAC2 = 'f00ba2ba5c01';
const MAC3 = '0a1b2c3d4e5f';

onEveryDatabase('phones', (ctx) => {
  const get = (path: string) => ctx().app.get(path);
  const phoneRows = (mac: string) => ctx().db.query<{ user_id: number }>('SELECT user_id FROM kamprov_phones WHERE mac = ?', [mac]);

  beforeAll(async () => {
    await addLocalDomain(ctx().db, D);
    for (const name of ['alice', 'bob', 'carol', 'lonely']) {
      expect((await get(`/user/add_local?username=${name}&domain=${D}`)).status).toBe(200);
    }
    expect((await get('/user/add_remote?user=rem@remote.example.net&password=p&registrar=sip.remote.example.net')).status).toBe(200);
  });

  describe('phone/add', () => {
    it('puts a user on a phone and answers the combination, the MAC normalized', async () => {
      const res = await get(`/phone/add?mac=${MAC1}&username=alice&domain=${D}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ response: 'ok', mac: MAC1, user: `alice@${D}` });
      const [row] = await ctx().db.query<any>(
        'SELECT p.mac, u.username FROM kamprov_phones p JOIN kamprov_users u ON u.id = p.user_id WHERE p.mac = ?',
        [MAC1],
      );
      expect(row).toEqual({ mac: MAC1, username: 'alice' });
    });

    it('accepts colon- and dash-separated MACs in any case, and user=', async () => {
      const colon = await get(`/phone/add?mac=F0:0B:A2:BA:5C:00&user=bob@${D.toUpperCase()}`);
      expect(colon.status).toBe(200);
      expect(colon.body).toEqual({ response: 'ok', mac: MAC1, user: `bob@${D}` });
      const dash = await get(`/phone/add?mac=f0-0b-a2-BA-5c-01&user=alice@${D}`);
      expect(dash.status).toBe(200);
      expect(dash.body.mac).toBe(MAC2);
      expect(await phoneRows(MAC1)).toHaveLength(2);
      expect(await phoneRows(MAC2)).toHaveLength(1);
    });

    it('takes remote users too', async () => {
      const res = await get(`/phone/add?mac=${MAC3}&user=rem@remote.example.net`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ response: 'ok', mac: MAC3, user: 'rem@remote.example.net' });
    });

    it('refuses the same pair again, in whatever spelling (exists, 409), and writes nothing', async () => {
      await expectRefused(
        ctx().db,
        () => get(`/phone/add?mac=F0-0B-A2-BA-5C-00&username=alice&domain=${D}`),
        { status: 409, response: 'failed', cause: 'exists', detail: MAC1 },
        TABLES,
      );
    });

    it('refuses an unknown user (nonexistant, 404) and writes nothing', async () => {
      await expectRefused(
        ctx().db,
        () => get(`/phone/add?mac=${MAC1}&username=ghost&domain=${D}`),
        { status: 404, response: 'failed', cause: 'nonexistant', detail: `ghost@${D}` },
        TABLES,
      );
    });

    it.each([
      [`username=alice&domain=${D}`, 'mac'],
      [`mac=&username=alice&domain=${D}`, 'mac'],
      [`mac=f00ba2ba5c0&username=alice&domain=${D}`, 'mac'],
      [`mac=f00ba2ba5c000&username=alice&domain=${D}`, 'mac'],
      [`mac=g00ba2ba5c00&username=alice&domain=${D}`, 'mac'],
      [`mac=f0:0b-a2:ba:5c:00&username=alice&domain=${D}`, 'mac'],
      [`mac=f0:0b:a2:ba:5c&username=alice&domain=${D}`, 'mac'],
      [`mac=${MAC1}&mac=${MAC2}&username=alice&domain=${D}`, 'mac'],
      [`mac=${MAC1}`, 'username'],
      [`mac=${MAC1}&username=alice`, 'domain'],
      [`mac=${MAC1}&domain=${D}`, 'username'],
      [`mac=${MAC1}&username=alice&domain=${D}&user=alice@${D}`, 'user'],
      [`mac=${MAC1}&user=alice`, 'user'],
      [`mac=${MAC1}&username=al%20ice&domain=${D}`, 'username'],
      [`mac=${MAC1}&user=alice@${D}&colour=blue`, 'colour'],
    ])('?%s is invalid with cause %s (400) and writes nothing', async (query, cause) => {
      await expectRefused(ctx().db, () => get(`/phone/add?${query}`), { status: 400, response: 'invalid', cause }, TABLES);
    });

    it('has the pair unique and the user referenced (ON DELETE RESTRICT) in the schema itself', async () => {
      const { db } = ctx();
      const [row] = await db.query<{ user_id: number }>('SELECT user_id FROM kamprov_phones WHERE mac = ? LIMIT 1', [MAC1]);
      let refusal = 'none';
      try {
        await db.exec('INSERT INTO kamprov_phones (mac, user_id) VALUES (?, ?)', [MAC1, row.user_id]);
      } catch (err) {
        refusal = String((err as Error).message);
      }
      expect(refusal).toMatch(/UNIQUE|Duplicate/i);
      if (db.kind === 'sqlite') {
        const fks = await db.query<any>('PRAGMA foreign_key_list(kamprov_phones)');
        // NO ACTION refuses like RESTRICT (nothing is deferred); see the migration for why.
        expect(fks).toEqual([expect.objectContaining({ table: 'kamprov_users', from: 'user_id', to: 'id', on_delete: 'NO ACTION' })]);
      } else if (db.kind === 'postgres') {
        const fks = await db.query<any>(
          `SELECT confrelid::regclass::text AS ref, confdeltype AS del FROM pg_constraint
           WHERE conrelid = 'kamprov_phones'::regclass AND contype = 'f'`,
        );
        // 'r': ON DELETE RESTRICT.
        expect(fks).toEqual([{ ref: 'kamprov_users', del: 'r' }]);
      } else {
        const fks = await db.query<any>(
          `SELECT REFERENCED_TABLE_NAME AS ref, DELETE_RULE AS del FROM information_schema.REFERENTIAL_CONSTRAINTS
           WHERE CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME = 'kamprov_phones'`,
        );
        expect(fks).toEqual([{ ref: 'kamprov_users', del: 'RESTRICT' }]);
      }
    });
  });

  describe('phone/get', () => {
    it('by mac: the users on the phone, ordered, whatever the MAC spelling', async () => {
      for (const mac of [MAC1, 'F0:0B:A2:BA:5C:00', 'f0-0b-a2-ba-5c-00']) {
        const res = await get(`/phone/get?mac=${mac}`);
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ response: 'ok', mac: MAC1, users: [`alice@${D}`, `bob@${D}`] });
      }
      expect((await get(`/phone/get?mac=${MAC3}`)).body.users).toEqual(['rem@remote.example.net']);
      expect((await get(`/phone/get?mac=${MAC1}&limit=1`)).body.users).toEqual([`alice@${D}`]);
    });

    it('by mac: a MAC that carries no user is nonexistant (404)', async () => {
      const res = await get('/phone/get?mac=ffffffffffff');
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ response: 'failed', cause: 'nonexistant' });
    });

    it("by user: the MACs of the user's phones, ordered", async () => {
      for (const q of [`user=alice@${D}`, `username=alice&domain=${D.toUpperCase()}`]) {
        const res = await get(`/phone/get?${q}`);
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ response: 'ok', user: `alice@${D}`, macs: [MAC1, MAC2] });
      }
      expect((await get(`/phone/get?user=alice@${D}&limit=1`)).body.macs).toEqual([MAC1]);
    });

    it('by user: a user on no phone gets an empty list; an unknown user is nonexistant', async () => {
      const none = await get(`/phone/get?user=lonely@${D}`);
      expect(none.status).toBe(200);
      expect(none.body).toEqual({ response: 'ok', user: `lonely@${D}`, macs: [] });
      const ghost = await get(`/phone/get?user=ghost@${D}`);
      expect(ghost.status).toBe(404);
      expect(ghost.body).toMatchObject({ response: 'failed', cause: 'nonexistant' });
    });

    it.each([
      ['', 'mac'],
      [`mac=${MAC1}&user=alice@${D}`, 'mac'],
      [`mac=${MAC1}&username=alice&domain=${D}`, 'mac'],
      ['mac=nonsense', 'mac'],
      [`user=alice@${D}&username=alice&domain=${D}`, 'user'],
      [`username=alice`, 'domain'],
      [`mac=${MAC1}&limit=0`, 'limit'],
      [`mac=${MAC1}&search=x`, 'search'],
    ])('?%s is invalid (%s)', async (query, cause) => {
      const res = await get(`/phone/get?${query}`);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ response: 'invalid', cause });
    });
  });

  describe('phone/list', () => {
    it('lists each MAC that carries a user once, ordered', async () => {
      const res = await get('/phone/list');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ response: 'ok', macs: [MAC3, MAC1, MAC2] });
    });

    it('globs over the MACs: prefix*, ?, anywhere without wildcards; case and separators do not matter', async () => {
      const macs = async (search: string) => (await get(`/phone/list?search=${encodeURIComponent(search)}`)).body.macs;
      expect(await macs('f00ba2*')).toEqual([MAC1, MAC2]);
      expect(await macs('F0:0B:A2*')).toEqual([MAC1, MAC2]);
      expect(await macs('*5c01')).toEqual([MAC2]);
      expect(await macs('f00ba2ba5c0?')).toEqual([MAC1, MAC2]);
      expect(await macs('2c3d')).toEqual([MAC3]);
      expect(await macs('ba5c')).toEqual([MAC1, MAC2]);
      expect(await macs('ffff')).toEqual([]);
    });

    it('honours limit', async () => {
      expect((await get('/phone/list?limit=2')).body.macs).toEqual([MAC3, MAC1]);
    });

    it.each([
      ['search=', 'search'],
      ['search=xyz', 'search'],
      ['search=f0%25', 'search'],
      ['search=a&search=b', 'search'],
      ['limit=abc', 'limit'],
      ['limit=-3', 'limit'],
      ['mac=' + MAC1, 'mac'],
    ])('?%s is invalid (%s)', async (query, cause) => {
      const res = await get(`/phone/list?${query}`);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ response: 'invalid', cause });
    });
  });

  describe('phone/remove and user/remove', () => {
    it('user/remove refuses a user that a phone carries (inuse, 409)', async () => {
      const res = await get(`/user/remove?user=bob@${D}`);
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ response: 'failed', cause: 'inuse' });
      expect(await ctx().db.query("SELECT id FROM kamprov_users WHERE username = 'bob'")).toHaveLength(1);
    });

    it('takes a user off a phone and answers the combination', async () => {
      const res = await get(`/phone/remove?mac=F0:0B:A2:BA:5C:00&user=bob@${D}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ response: 'ok', mac: MAC1, user: `bob@${D}` });
      expect((await get(`/phone/get?mac=${MAC1}`)).body.users).toEqual([`alice@${D}`]);
      expect((await get(`/user/remove?user=bob@${D}`)).status).toBe(200);
    });

    it('answers nonexistant for a pair that is not there or an unknown user, writing nothing', async () => {
      const refusal = { status: 404, response: 'failed', cause: 'nonexistant' } as const;
      await expectRefused(ctx().db, () => get(`/phone/remove?mac=${MAC1}&user=carol@${D}`), refusal, TABLES);
      await expectRefused(ctx().db, () => get(`/phone/remove?mac=${MAC1}&user=ghost@${D}`), refusal, TABLES);
    });

    it('a phone whose last user is removed is gone from phone/get and phone/list', async () => {
      expect((await get(`/phone/remove?mac=${MAC3}&user=rem@remote.example.net`)).status).toBe(200);
      expect((await get(`/phone/get?mac=${MAC3}`)).status).toBe(404);
      expect((await get('/phone/list')).body.macs).toEqual([MAC1, MAC2]);
    });

    it.each([
      [`user=alice@${D}`, 'mac'],
      [`mac=xyz&user=alice@${D}`, 'mac'],
      [`mac=${MAC1}`, 'username'],
      [`mac=${MAC1}&user=alice@${D}&limit=1`, 'limit'],
    ])('?%s is invalid (%s) and writes nothing', async (query, cause) => {
      await expectRefused(ctx().db, () => get(`/phone/remove?${query}`), { status: 400, response: 'invalid', cause }, TABLES);
    });
  });
});
