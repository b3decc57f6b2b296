import { fresh, freshDigits } from './support/seed';
import { addLocalDomain, expectRefused, onEveryDatabase } from './support/suite';

const D = 'sip.example.com';
const TABLES = ['kamprov_phones', 'kamprov_users', 'subscriber'];
const MAC1 = 'f00ba2ba5c00';
const MAC2 = 'f00ba2ba5c01';
const MAC3 = '0a1b2c3d4e5f';
const REM = 'user=rem@remote.example.net&password=p&registrar=sip.remote.example.net';

/** A MAC of the test's own, with hex letters in it (f00ba2 and six digits). */
const freshMac = () => freshDigits('f00ba2', 6);
/** F0:0B:A2:00:00:07: colon-separated, upper case. */
const colons = (mac: string) => mac.match(/../g)!.join(':').toUpperCase();
/** f0-0B-a2-00-00-07: dash-separated, mixed case. */
const dashes = (mac: string) =>
  mac
    .match(/../g)!
    .map((pair, i) => (i % 2 === 1 ? pair.toUpperCase() : pair))
    .join('-');

// Each test puts users on phones of its own (fresh MACs, and a fresh user where it counts a
// user's phones or removes one), so that it runs alone with -t as well as in the file. The
// phone/list tests, which see every phone of the database, have a database of their own below.

onEveryDatabase('phones', (ctx) => {
  const get = (path: string) => ctx().app.get(path);
  const phoneRows = (mac: string) => ctx().db.query<{ user_id: number }>('SELECT user_id FROM kamprov_phones WHERE mac = ?', [mac]);
  /** Puts each user (an address) on the phone. */
  const given = async (mac: string, ...users: string[]) => {
    for (const user of users) expect([mac, user, (await get(`/phone/add?mac=${mac}&user=${user}`)).status]).toEqual([mac, user, 200]);
    return mac;
  };
  /** A local user on D of the test's own; answers its username. */
  const newUser = async (prefix: string) => {
    const username = fresh(prefix);
    expect((await get(`/user/add_local?username=${username}&domain=${D}`)).status).toBe(200);
    return username;
  };

  beforeAll(async () => {
    await addLocalDomain(ctx().db, D);
    for (const name of ['alice', 'bob', 'carol']) {
      expect((await get(`/user/add_local?username=${name}&domain=${D}`)).status).toBe(200);
    }
    expect((await get(`/user/add_remote?${REM}`)).status).toBe(200);
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
      const [mac1, mac2] = [await given(freshMac(), `alice@${D}`), freshMac()];
      const colon = await get(`/phone/add?mac=${colons(mac1)}&user=bob@${D.toUpperCase()}`);
      expect(colon.status).toBe(200);
      expect(colon.body).toEqual({ response: 'ok', mac: mac1, user: `bob@${D}` });
      const dash = await get(`/phone/add?mac=${dashes(mac2)}&user=alice@${D}`);
      expect(dash.status).toBe(200);
      expect(dash.body.mac).toBe(mac2);
      expect(await phoneRows(mac1)).toHaveLength(2);
      expect(await phoneRows(mac2)).toHaveLength(1);
    });

    it('takes remote users too', async () => {
      const mac = freshMac();
      const res = await get(`/phone/add?mac=${mac}&user=rem@remote.example.net`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ response: 'ok', mac, user: 'rem@remote.example.net' });
    });

    it('refuses the same pair again, in whatever spelling (exists, 409), and writes nothing', async () => {
      const mac = await given(freshMac(), `alice@${D}`);
      await expectRefused(
        ctx().db,
        () => get(`/phone/add?mac=${dashes(mac).toUpperCase()}&username=alice&domain=${D}`),
        { status: 409, response: 'failed', cause: 'exists', detail: mac },
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
      const mac = await given(freshMac(), `alice@${D}`);
      const [row] = await db.query<{ user_id: number }>('SELECT user_id FROM kamprov_phones WHERE mac = ? LIMIT 1', [mac]);
      let refusal = 'none';
      try {
        await db.exec('INSERT INTO kamprov_phones (mac, user_id) VALUES (?, ?)', [mac, row.user_id]);
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
      const shared = await given(freshMac(), `alice@${D}`, `bob@${D}`);
      const remote = await given(freshMac(), 'rem@remote.example.net');
      for (const mac of [shared, colons(shared), dashes(shared)]) {
        const res = await get(`/phone/get?mac=${mac}`);
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ response: 'ok', mac: shared, users: [`alice@${D}`, `bob@${D}`] });
      }
      expect((await get(`/phone/get?mac=${remote}`)).body.users).toEqual(['rem@remote.example.net']);
      expect((await get(`/phone/get?mac=${shared}&limit=1`)).body.users).toEqual([`alice@${D}`]);
    });

    it('by mac: a MAC that carries no user is nonexistant (404)', async () => {
      const res = await get('/phone/get?mac=ffffffffffff');
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ response: 'failed', cause: 'nonexistant' });
    });

    it("by user: the MACs of the user's phones, ordered", async () => {
      const owner = await newUser('owner');
      const [mac1, mac2] = [freshMac(), freshMac()];
      await given(mac2, `${owner}@${D}`);
      await given(mac1, `${owner}@${D}`);
      for (const q of [`user=${owner}@${D}`, `username=${owner}&domain=${D.toUpperCase()}`]) {
        const res = await get(`/phone/get?${q}`);
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ response: 'ok', user: `${owner}@${D}`, macs: [mac1, mac2] });
      }
      expect((await get(`/phone/get?user=${owner}@${D}&limit=1`)).body.macs).toEqual([mac1]);
    });

    it('by user: a user on no phone gets an empty list; an unknown user is nonexistant', async () => {
      const lonely = await newUser('lonely');
      const none = await get(`/phone/get?user=${lonely}@${D}`);
      expect(none.status).toBe(200);
      expect(none.body).toEqual({ response: 'ok', user: `${lonely}@${D}`, macs: [] });
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

  describe('phone/remove and user/remove', () => {
    it('user/remove refuses a user that a phone carries (inuse, 409)', async () => {
      const carried = await newUser('carried');
      await given(freshMac(), `${carried}@${D}`);
      const res = await get(`/user/remove?user=${carried}@${D}`);
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ response: 'failed', cause: 'inuse' });
      expect(await ctx().db.query('SELECT id FROM kamprov_users WHERE username = ?', [carried])).toHaveLength(1);
    });

    it('takes a user off a phone and answers the combination', async () => {
      const leaving = await newUser('leaving');
      const mac = await given(freshMac(), `alice@${D}`, `${leaving}@${D}`);
      const res = await get(`/phone/remove?mac=${colons(mac)}&user=${leaving}@${D}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ response: 'ok', mac, user: `${leaving}@${D}` });
      expect((await get(`/phone/get?mac=${mac}`)).body.users).toEqual([`alice@${D}`]);
      expect((await get(`/user/remove?user=${leaving}@${D}`)).status).toBe(200);
    });

    it('answers nonexistant for a pair that is not there or an unknown user, writing nothing', async () => {
      const mac = await given(freshMac(), `alice@${D}`);
      const refusal = { status: 404, response: 'failed', cause: 'nonexistant' } as const;
      await expectRefused(ctx().db, () => get(`/phone/remove?mac=${mac}&user=carol@${D}`), refusal, TABLES);
      await expectRefused(ctx().db, () => get(`/phone/remove?mac=${mac}&user=ghost@${D}`), refusal, TABLES);
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

/**
 * phone/list answers every phone of the database: these tests have one of their own, with
 * three phones seeded before them (MAC1: alice and bob, MAC2: alice, MAC3: rem). A test that
 * changes the phones undoes what it did, so each runs alone and in any order.
 */
onEveryDatabase('phones: phone/list', (ctx) => {
  const get = (path: string) => ctx().app.get(path);

  beforeAll(async () => {
    await addLocalDomain(ctx().db, D);
    for (const name of ['alice', 'bob']) expect((await get(`/user/add_local?username=${name}&domain=${D}`)).status).toBe(200);
    expect((await get(`/user/add_remote?${REM}`)).status).toBe(200);
    for (const [mac, user] of [
      [MAC1, `alice@${D}`],
      [MAC1, `bob@${D}`],
      [MAC2, `alice@${D}`],
      [MAC3, 'rem@remote.example.net'],
    ]) {
      expect((await get(`/phone/add?mac=${mac}&user=${user}`)).status).toBe(200);
    }
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

  describe('phone/remove', () => {
    it('a phone whose last user is removed is gone from phone/get and phone/list', async () => {
      const MAC4 = 'dead00beef00';
      expect((await get(`/phone/add?mac=${MAC4}&user=rem@remote.example.net`)).status).toBe(200);
      expect((await get('/phone/list')).body.macs).toEqual([MAC3, MAC4, MAC1, MAC2]);
      expect((await get(`/phone/remove?mac=${MAC4}&user=rem@remote.example.net`)).status).toBe(200);
      expect((await get(`/phone/get?mac=${MAC4}`)).status).toBe(404);
      expect((await get('/phone/list')).body.macs).toEqual([MAC3, MAC1, MAC2]);
    });
  });
});
