import { freshDigits } from './support/seed';
import { expectRefused, onEveryDatabase, SuiteContext } from './support/suite';

const TABLES = ['kamprov_numbers'];
const MAX_RANGE = 30_000;

/** Every number in the pool, as E.164, in numeric order (computed by the test, not the app). */
async function poolOf(c: SuiteContext): Promise<string[]> {
  const rows = await c.db.query<{ number: string | number }>('SELECT number FROM kamprov_numbers');
  return rows
    .map((r) => BigInt(r.number))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((n) => `+${n}`);
}

/** A number of the test's own, +4762 and six digits (no test adds a +4762 number by hand). */
const freshNumber = () => `+${freshDigits('4762', 6)}`;

async function countBetween(c: SuiteContext, lo: number, hi: number): Promise<number> {
  const [row] = await c.db.query<{ n: number | string }>('SELECT COUNT(*) AS n FROM kamprov_numbers WHERE number BETWEEN ? AND ?', [
    lo,
    hi,
  ]);
  return Number(row.n);
}

onEveryDatabase(
  'numbers',
  (ctx) => {
    const get = (path: string) => ctx().app.get(path);
    // Each test adds the numbers it needs; the numbers/list tests, which see the whole pool,
    // have a database of their own (the next suite), so each test runs alone with -t.
    /** Adds the number to the pool and answers it. */
    const given = async (number: string) => {
      expect([number, (await get(`/numbers/add?number=${encodeURIComponent(number)}`)).status]).toEqual([number, 200]);
      return number;
    };

    describe('numbers/add', () => {
      it('adds a number and answers it with "Added <number>"', async () => {
        const res = await get('/numbers/add?number=%2B4761123456');
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ response: 'ok', number: '+4761123456', detail: 'Added +4761123456' });
        const rows = await ctx().db.query<{ number: string | number }>('SELECT number FROM kamprov_numbers');
        expect(rows.map((r) => String(r.number))).toEqual(['4761123456']);
      });

      it('reads an unencoded plus (a leading space) as +', async () => {
        const res = await get('/numbers/add?number=+4761123457');
        expect(res.status).toBe(200);
        expect(res.body.number).toBe('+4761123457');
      });

      it('refuses a number already in the pool (exists, 409) and writes nothing', async () => {
        const number = await given(freshNumber());
        await expectRefused(
          ctx().db,
          () => get(`/numbers/add?number=${encodeURIComponent(number)}`),
          { status: 409, response: 'failed', cause: 'exists', detail: number },
          TABLES,
        );
      });

      it.each([
        ['', 'number'],
        ['number=', 'number'],
        ['number=4761123456', 'number'],
        ['number=%2B0761123456', 'number'],
        ['number=%2B', 'number'],
        ['number=%2B1234567890123456', 'number'],
        ['number=%2B47611234a6', 'number'],
        ['number=%2B47%2061123456', 'number'],
        ['number=%2B4761123458&number=%2B4761123459', 'number'],
        ['number=%2B4761123458&limit=1', 'limit'],
      ])('?%s is invalid with cause %s (400) and writes nothing', async (query, cause) => {
        await expectRefused(ctx().db, () => get(`/numbers/add?${query}`), { status: 400, response: 'invalid', cause }, TABLES);
      });
    });

    describe('numbers/inpool', () => {
      it('answers ok with the number when it is in the pool', async () => {
        const number = await given(freshNumber());
        const res = await get(`/numbers/inpool?number=${encodeURIComponent(number)}`);
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ response: 'ok', number });
      });

      it('answers failed/nonexistant (404) when it is not', async () => {
        const res = await get('/numbers/inpool?number=%2B4761123450');
        expect(res.status).toBe(404);
        expect(res.body).toMatchObject({ response: 'failed', cause: 'nonexistant' });
      });

      it.each([
        ['', 'number'],
        ['number=47', 'number'],
        ['number=%2B47&search=1', 'search'],
      ])('?%s is invalid (%s)', async (query, cause) => {
        const res = await get(`/numbers/inpool?${query}`);
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({ response: 'invalid', cause });
      });
    });

    describe('numbers/remove', () => {
      it('pulls a number and answers it', async () => {
        const number = await given(freshNumber());
        const res = await get(`/numbers/remove?number=${encodeURIComponent(number)}`);
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ response: 'ok', number });
        expect((await get(`/numbers/inpool?number=${encodeURIComponent(number)}`)).status).toBe(404);
      });

      it('answers nonexistant for a number not in the pool, writing nothing', async () => {
        const number = await given(freshNumber());
        expect((await get(`/numbers/remove?number=${encodeURIComponent(number)}`)).status).toBe(200);
        await expectRefused(
          ctx().db,
          () => get(`/numbers/remove?number=${encodeURIComponent(number)}`),
          { status: 404, response: 'failed', cause: 'nonexistant' },
          TABLES,
        );
      });

      it.each([
        ['', 'number'],
        ['number=x', 'number'],
        ['number=%2B4761123456&force=1', 'force'],
      ])('?%s is invalid (%s) and writes nothing', async (query, cause) => {
        await expectRefused(ctx().db, () => get(`/numbers/remove?${query}`), { status: 400, response: 'invalid', cause }, TABLES);
      });
    });

    describe('numbers/add_range', () => {
      it('adds every number from start to end, both included', async () => {
        const res = await get('/numbers/add_range?start=%2B4722000000&end=%2B4722000009');
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ response: 'ok', added: 10, skipped: 0, start: '+4722000000', end: '+4722000009' });
        expect(await countBetween(ctx(), 4722000000, 4722000009)).toBe(10);
      });

      it('skips and counts numbers already in the pool', async () => {
        expect((await get('/numbers/add_range?start=%2B4722000100&end=%2B4722000109')).body).toMatchObject({ added: 10 });
        const res = await get('/numbers/add_range?start=+4722000105&end=+4722000114');
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ response: 'ok', added: 5, skipped: 5, start: '+4722000105', end: '+4722000114' });
        expect(await countBetween(ctx(), 4722000100, 4722000114)).toBe(15);
      });

      it('fills a range of several insert batches, skipping numbers present anywhere in it', async () => {
        for (const n of [4723000000, 4723012345, 4723025000]) {
          expect((await get(`/numbers/add?number=%2B${n}`)).status).toBe(200);
        }
        const res = await get(`/numbers/add_range?start=%2B4723000000&end=%2B${4723000000 + MAX_RANGE - 1}`);
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ response: 'ok', added: MAX_RANGE - 3, skipped: 3 });
        expect(await countBetween(ctx(), 4723000000, 4723000000 + MAX_RANGE - 1)).toBe(MAX_RANGE);
        expect(await countBetween(ctx(), 4723000000 + MAX_RANGE, 4723999999)).toBe(0);
      });

      it('is all or nothing: a failure in a later batch leaves nothing of the range', async () => {
        const { db } = ctx();
        const poison = 4724015000; // in the second batch of the range below
        if (db.kind === 'sqlite') {
          await db.exec(
            `CREATE TRIGGER kamprov_numbers_poison BEFORE INSERT ON kamprov_numbers WHEN NEW.number = ${poison} BEGIN SELECT RAISE(ABORT, 'poison'); END`,
          );
        } else if (db.kind === 'postgres') {
          await db.exec(
            `CREATE FUNCTION kamprov_numbers_poison() RETURNS trigger AS $$ BEGIN IF NEW.number = ${poison} THEN RAISE EXCEPTION 'poison'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`,
          );
          await db.exec(
            'CREATE TRIGGER kamprov_numbers_poison BEFORE INSERT ON kamprov_numbers FOR EACH ROW EXECUTE FUNCTION kamprov_numbers_poison()',
          );
        } else {
          await db.exec(
            `CREATE TRIGGER kamprov_numbers_poison BEFORE INSERT ON kamprov_numbers FOR EACH ROW BEGIN IF NEW.number = ${poison} THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'poison'; END IF; END`,
          );
        }
        try {
          await expectRefused(
            db,
            () => get('/numbers/add_range?start=%2B4724000000&end=%2B4724019999'),
            { status: 503, response: 'error', cause: 'dbfail' },
            TABLES,
          );
          expect(await countBetween(ctx(), 4724000000, 4724019999)).toBe(0);
        } finally {
          await db.exec(
            db.kind === 'postgres' ? 'DROP TRIGGER kamprov_numbers_poison ON kamprov_numbers' : 'DROP TRIGGER kamprov_numbers_poison',
          );
        }
        const retry = await get('/numbers/add_range?start=%2B4724000000&end=%2B4724019999');
        expect(retry.body).toMatchObject({ response: 'ok', added: 20000, skipped: 0 });
      });

      it.each([
        ['start=%2B4722100000&end=%2B4622100009', /country calling code/],
        ['start=%2B12025550100&end=%2B4422100009', /country calling code/],
        ['start=%2B9991000000&end=%2B9991000009', /country calling code/],
        ['start=%2B4722100009&end=%2B4722100000', /less than/],
        ['start=%2B4722100000&end=%2B4722100000', /less than/],
        [`start=%2B4722100000&end=%2B${4722100000 + MAX_RANGE}`, new RegExp(`${MAX_RANGE}`)],
        ['start=%2B4710000000&end=%2B4799999999', /NUMBERS_MAX_RANGE/],
        // Every number of a range shares the lead-in of start and end (issue 14 item 12).
        ['start=%2B471234&end=%2B47123456', /same number of digits/],
      ])('?%s is invalid/range and writes nothing', async (query, detail) => {
        await expectRefused(
          ctx().db,
          () => get(`/numbers/add_range?${query}`),
          { status: 400, response: 'invalid', cause: 'range', detail: detail },
          TABLES,
        );
      });

      it('takes exactly NUMBERS_MAX_RANGE numbers, and a range that shares only the calling code', async () => {
        const res = await get(`/numbers/add_range?start=%2B4725000000&end=%2B${4725000000 + MAX_RANGE - 1}`);
        expect(res.body).toMatchObject({ response: 'ok', added: MAX_RANGE });
        const nanp = await get('/numbers/add_range?start=%2B12025550198&end=%2B12025550201');
        expect(nanp.body).toEqual({ response: 'ok', added: 4, skipped: 0, start: '+12025550198', end: '+12025550201' });
      });

      it.each([
        ['end=%2B4722100009', 'start'],
        ['start=%2B4722100000', 'end'],
        ['start=4722100000&end=%2B4722100009', 'start'],
        ['start=%2B4722100000&end=abc', 'end'],
        ['start=%2B4722100000&start=%2B4722100001&end=%2B4722100009', 'start'],
        ['start=%2B4722100000&end=%2B4722100009&limit=5', 'limit'],
      ])('?%s is invalid (%s) and writes nothing', async (query, cause) => {
        await expectRefused(ctx().db, () => get(`/numbers/add_range?${query}`), { status: 400, response: 'invalid', cause }, TABLES);
      });
    });
  },
  { NUMBERS_MAX_RANGE: String(MAX_RANGE) },
);

/**
 * numbers/list answers the whole pool: its tests have a database of their own, the pool seeded
 * before them and only read (+4722000000..14, +4761123456, three ranges of 30000, 20000 and
 * 30000 numbers, +12025550198..201, +4799, +5 and +999999999999999).
 */
onEveryDatabase(
  'numbers: numbers/list',
  (ctx) => {
    const get = (path: string) => ctx().app.get(path);

    beforeAll(async () => {
      const ranges: [number, number][] = [
        [4722000000, 4722000014],
        [4723000000, 4723000000 + MAX_RANGE - 1],
        [4724000000, 4724019999],
        [4725000000, 4725000000 + MAX_RANGE - 1],
        [12025550198, 12025550201],
      ];
      for (const [start, end] of ranges) {
        expect((await get(`/numbers/add_range?start=%2B${start}&end=%2B${end}`)).body).toMatchObject({ added: end - start + 1 });
      }
      for (const n of ['%2B4761123456', '%2B4799', '%2B5', '%2B999999999999999']) {
        expect((await get(`/numbers/add?number=${n}`)).status).toBe(200);
      }
    });

    describe('numbers/list', () => {
      it('answers the whole pool in numeric order', async () => {
        const res = await get('/numbers/list');
        expect(res.status).toBe(200);
        const numbers = res.body.numbers as string[];
        expect(numbers).toEqual(await poolOf(ctx()));
        expect(numbers.length).toBe(15 + 1 + MAX_RANGE + 20000 + MAX_RANGE + 4 + 3);
        // Numerically +5 < +4799 < +4722000000 < ... < +12025550198 < +999999999999999.
        expect(numbers.slice(0, 3)).toEqual(['+5', '+4799', '+4722000000']);
        expect(numbers[numbers.length - 1]).toBe('+999999999999999');
        expect(numbers.indexOf('+4761123456')).toBeLessThan(numbers.indexOf('+12025550198'));
      });

      it('honours limit', async () => {
        expect((await get('/numbers/list?limit=3')).body.numbers).toEqual(['+5', '+4799', '+4722000000']);
      });

      it('searches: without wildcards anywhere; + anchors; the + may be left out with wildcards; ? is one digit', async () => {
        const search = async (s: string) => (await get(`/numbers/list?search=${s}`)).body.numbers as string[];
        expect(await search('1123456')).toEqual(['+4761123456']);
        expect(await search('555020')).toEqual(['+12025550200', '+12025550201']);
        expect(await search('%2B47220000*')).toEqual(Array.from({ length: 15 }, (_, i) => `+47220000${String(i).padStart(2, '0')}`));
        expect(await search('47220000*')).toEqual(await search('%2B47220000*'));
        expect(await search('+47220000*')).toEqual(await search('%2B47220000*')); // unencoded plus
        expect(await search('%2B4799')).toEqual(['+4799']);
        expect(await search('%2B47*9&limit=2')).toEqual(['+4799', '+4722000009']);
        expect(await search('*99999')).toEqual(['+999999999999999']);
        expect(await search('4722000?1?')).toEqual(['+4722000010', '+4722000011', '+4722000012', '+4722000013', '+4722000014']);
        expect(await search('%2B4722000?1')).toEqual([]); // ? is exactly one digit: +4722000X1 is not in the pool
        expect(await search('%2B5')).toEqual(['+5']);
        expect(await search('%2B0*')).toEqual([]);
        expect(await search('%2B1234567890123456*')).toEqual([]);
        expect(await search('31415926')).toEqual([]);
      });

      it('random=true: one number of the pool by default', async () => {
        const res = await get('/numbers/list?random=true');
        expect(res.status).toBe(200);
        expect(res.body.numbers).toHaveLength(1);
        expect(await poolOf(ctx())).toContain(res.body.numbers[0]);
      });

      it('random=true&limit=n: n distinct numbers of the pool, not in numeric order', async () => {
        const pool = new Set(await poolOf(ctx()));
        const res = await get('/numbers/list?random=true&limit=50');
        const numbers = res.body.numbers as string[];
        expect(numbers).toHaveLength(50);
        expect(new Set(numbers).size).toBe(50);
        for (const n of numbers) expect(pool.has(n)).toBe(true);
        const numeric = [...numbers].sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));
        expect(numbers).not.toEqual(numeric); // 1 in 50! to fail by chance
      });

      it('random=true with search picks among the matches only', async () => {
        const res = await get('/numbers/list?random=true&search=%2B47220000*&limit=5');
        const numbers = res.body.numbers as string[];
        expect(numbers).toHaveLength(5);
        expect(new Set(numbers).size).toBe(5);
        for (const n of numbers) expect(n).toMatch(/^\+47220000\d\d$/);
        const all = await get('/numbers/list?random=true&search=%2B47220000*&limit=100');
        expect([...all.body.numbers].sort()).toEqual((await get('/numbers/list?search=%2B47220000*')).body.numbers);
      });

      it('random=false is the ordered list', async () => {
        expect((await get('/numbers/list?random=false&limit=2')).body.numbers).toEqual(['+5', '+4799']);
      });

      it.each([
        ['search=', 'search'],
        ['search=abc', 'search'],
        ['search=47%2B1', 'search'],
        ['search=47%25', 'search'],
        ['search=4_7', 'search'],
        ['random=yes', 'random'],
        ['random=true&random=true', 'random'],
        ['limit=0', 'limit'],
        ['limit=1e3', 'limit'],
        ['number=%2B5', 'number'],
      ])('?%s is invalid (%s)', async (query, cause) => {
        const res = await get(`/numbers/list?${query}`);
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({ response: 'invalid', cause });
      });
    });
  },
  { NUMBERS_MAX_RANGE: String(MAX_RANGE) },
);

onEveryDatabase(
  'numbers: random picks',
  (ctx) => {
    const get = (path: string) => ctx().app.get(path);
    const FIRST = 4730000000;

    it('are uniform over the pool, holes in the ids included, and never repeat within an answer', async () => {
      expect((await get(`/numbers/add_range?start=%2B${FIRST}&end=%2B${FIRST + 59}`)).body.added).toBe(60);
      // Every third number gone: the id span has holes that the picks must step over.
      for (let i = 0; i < 60; i += 3) expect((await get(`/numbers/remove?number=%2B${FIRST + i}`)).status).toBe(200);
      const pool = await poolOf(ctx());
      expect(pool).toHaveLength(40);

      const counts = new Map(pool.map((n) => [n, 0]));
      const requests = 400;
      const limit = 5;
      for (let i = 0; i < requests; i++) {
        const numbers = (await get(`/numbers/list?random=true&limit=${limit}`)).body.numbers as string[];
        expect(new Set(numbers).size).toBe(limit);
        for (const n of numbers) {
          expect(counts.has(n)).toBe(true);
          counts.set(n, counts.get(n)! + 1);
        }
      }
      // Chi-square against the uniform distribution, 39 degrees of freedom: the 1-in-a-million
      // critical value is about 96; a pick biased towards low ids or hole neighbours exceeds it
      // (e.g. taking the next id after a hole would double the count of 20 numbers: chi2 ~ 600).
      const expected = (requests * limit) / pool.length;
      const chi2 = [...counts.values()].reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
      expect(chi2).toBeLessThan(96);
      expect(Math.min(...counts.values())).toBeGreaterThan(0);
    });

    it('still answers every number asked for when the id span is nearly all holes', async () => {
      const base = FIRST + 1000;
      expect((await get(`/numbers/add_range?start=%2B${base}&end=%2B${base + 2999}`)).body.added).toBe(3000);
      const keep = new Set([base + 7, base + 1500, base + 2990]);
      // Everything else goes (behind the app's back, for speed): ~3000 ids now hold 3 numbers.
      await ctx().db.exec(`DELETE FROM kamprov_numbers WHERE number NOT IN (${[...keep].join(', ')})`);
      expect(await poolOf(ctx())).toHaveLength(3);
      const expected = [...keep].map((n) => `+${n}`).sort();
      for (let i = 0; i < 5; i++) {
        const two = (await get('/numbers/list?random=true&limit=2')).body.numbers as string[];
        expect(two).toHaveLength(2);
        expect(new Set(two).size).toBe(2);
        for (const n of two) expect(expected).toContain(n);
      }
      const all = (await get('/numbers/list?random=true&limit=10')).body.numbers as string[];
      expect([...all].sort()).toEqual(expected);
    });

    it('answers an empty list for an empty pool', async () => {
      for (const n of await poolOf(ctx())) expect((await get(`/numbers/remove?number=${encodeURIComponent(n)}`)).status).toBe(200);
      expect((await get('/numbers/list?random=true&limit=3')).body).toEqual({ response: 'ok', numbers: [] });
      expect((await get('/numbers/list')).body).toEqual({ response: 'ok', numbers: [] });
    });
  },
  // Hundreds of requests from one client: keep a rate limit, where one is configured, out of the way.
  { RATE_LIMIT_MAX: '0' },
);
