import { addLocalDomain, onEveryDatabase } from './support/suite';

const D = 'race.example.com';
const PARALLEL = 24;

onEveryDatabase(
  'phones and numbers under concurrency',
  (ctx) => {
    const get = (path: string) => ctx().app.get(path);

    beforeAll(async () => {
      await addLocalDomain(ctx().db, D);
    });

    it(`numbers/remove: ${PARALLEL} parallel pulls of one number see exactly one ok, the rest nonexistant`, async () => {
      expect((await get('/numbers/add_range?start=%2B4790000000&end=%2B4790000004')).body.added).toBe(5);
      for (let n = 4790000000; n <= 4790000004; n++) {
        const results = await Promise.all(Array.from({ length: PARALLEL }, () => get(`/numbers/remove?number=%2B${n}`)));
        const oks = results.filter((r) => r.status === 200);
        expect(oks).toHaveLength(1);
        expect(oks[0].body).toEqual({ response: 'ok', number: `+${n}` });
        const rest = results.filter((r) => r.status !== 200);
        expect(rest.map((r) => [r.status, r.body.cause])).toEqual(Array.from({ length: PARALLEL - 1 }, () => [404, 'nonexistant']));
      }
      const [row] = await ctx().db.query<{ n: number | string }>(
        'SELECT COUNT(*) AS n FROM kamprov_numbers WHERE number BETWEEN 4790000000 AND 4790000004',
      );
      expect(Number(row.n)).toBe(0);
    });

    it('numbers/add_range: overlapping parallel ranges add each number once and count the rest as skipped', async () => {
      const results = await Promise.all([
        get('/numbers/add_range?start=%2B4791000000&end=%2B4791019999'),
        get('/numbers/add_range?start=%2B4791010000&end=%2B4791029999'),
        get('/numbers/add_range?start=%2B4791000000&end=%2B4791029999'),
      ]);
      for (const r of results) expect(r.body.response).toBe('ok');
      const added = results.reduce((sum, r) => sum + (r.body.added as number), 0);
      expect(added).toBe(30000);
      expect(results.map((r) => (r.body.added as number) + (r.body.skipped as number))).toEqual([20000, 20000, 30000]);
      const [row] = await ctx().db.query<{ n: number | string; d: number | string }>(
        'SELECT COUNT(*) AS n, COUNT(DISTINCT number) AS d FROM kamprov_numbers WHERE number BETWEEN 4791000000 AND 4791029999',
      );
      expect([Number(row.n), Number(row.d)]).toEqual([30000, 30000]);
    });

    it(`numbers/add_range: ${PARALLEL} parallel identical ranges all answer ok and add the range exactly once in all`, async () => {
      const results = await Promise.all(
        Array.from({ length: PARALLEL }, () => get('/numbers/add_range?start=%2B4792000000&end=%2B4792014999')),
      );
      expect(results.map((r) => r.status)).toEqual(Array.from({ length: PARALLEL }, () => 200));
      expect(results.reduce((sum, r) => sum + (r.body.added as number), 0)).toBe(15000);
      for (const r of results) expect((r.body.added as number) + (r.body.skipped as number)).toBe(15000);
      const [row] = await ctx().db.query<{ n: number | string }>(
        'SELECT COUNT(*) AS n FROM kamprov_numbers WHERE number BETWEEN 4792000000 AND 4792014999',
      );
      expect(Number(row.n)).toBe(15000);
    });

    it(`phone/add: ${PARALLEL} parallel identical adds give one ok and the rest exists`, async () => {
      expect((await get(`/user/add_local?username=racer&domain=${D}`)).status).toBe(200);
      const results = await Promise.all(
        Array.from({ length: PARALLEL }, (_, i) => get(`/phone/add?mac=${i % 2 ? 'AA:BB:CC:00:11:22' : 'aabbcc001122'}&user=racer@${D}`)),
      );
      const oks = results.filter((r) => r.status === 200);
      expect(oks).toHaveLength(1);
      expect(oks[0].body).toEqual({ response: 'ok', mac: 'aabbcc001122', user: `racer@${D}` });
      const rest = results.filter((r) => r.status !== 200);
      expect(rest.map((r) => [r.status, r.body.cause])).toEqual(Array.from({ length: PARALLEL - 1 }, () => [409, 'exists']));
      expect(await ctx().db.query("SELECT id FROM kamprov_phones WHERE mac = 'aabbcc001122'")).toHaveLength(1);
    });

    it('user/remove racing phone/add never leaves a phone pointing at a removed user', async () => {
      const rounds = 12;
      const outcomes = { removed: 0, kept: 0 };
      for (let round = 0; round < rounds; round++) {
        const user = `victim${round}@${D}`;
        expect((await get(`/user/add_local?user=${user}`)).status).toBe(200);
        const macs = [0, 1, 2].map((k) => `0000000${round.toString(16).padStart(2, '0')}00${k}`);
        // The removal goes first in some rounds and last in others.
        const requests = macs.map((mac) => `/phone/add?mac=${mac}&user=${user}`);
        requests.splice(round % 4, 0, `/user/remove?user=${user}`);
        const results = await Promise.all(requests.map((path) => get(path)));
        const removal = results[round % 4];
        const adds = results.filter((r) => r !== removal);

        // Every answer is one the contract allows; never an error.
        expect([200, 409]).toContain(removal.status);
        for (const a of adds) expect([200, 404]).toContain(a.status);
        const okAdds = adds.filter((a) => a.status === 200).length;
        const userRows = await ctx().db.query<{ id: number }>('SELECT id FROM kamprov_users WHERE username = ?', [`victim${round}`]);
        const phoneRows = await ctx().db.query<{ mac: string }>(
          `SELECT mac FROM kamprov_phones WHERE mac IN (${macs.map(() => '?').join(', ')})`,
          macs,
        );
        if (removal.status === 200) {
          // The user went first: every add saw it gone, and no phone row exists for it.
          outcomes.removed++;
          expect(okAdds).toBe(0);
          for (const a of adds) expect(a.body.cause).toBe('nonexistant');
          expect(userRows).toHaveLength(0);
          expect(phoneRows).toHaveLength(0);
        } else {
          // A phone got the user first: the removal was refused and the user stays.
          outcomes.kept++;
          expect(removal.body.cause).toBe('inuse');
          expect(okAdds).toBeGreaterThan(0);
          expect(userRows).toHaveLength(1);
          expect(phoneRows).toHaveLength(okAdds);
        }
        const orphans = await ctx().db.query(
          'SELECT p.id FROM kamprov_phones p LEFT JOIN kamprov_users u ON u.id = p.user_id WHERE u.id IS NULL',
        );
        expect(orphans).toEqual([]);
      }
      expect(outcomes.removed + outcomes.kept).toBe(rounds);
    });
  },
  { RATE_LIMIT_MAX: '0' },
);
