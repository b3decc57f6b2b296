import { TypeOrmModule } from '@nestjs/typeorm';
import { NumberEntity } from '../../src/numbers/entities/number.entity';
import { INSERT_BATCH, NumbersService, SERIES_BATCH } from '../../src/numbers/numbers.service';
import { chiSquare, onEveryDatabase } from './support/medium';

/*
 * numbers/list?random=true and the range splitting of searches and add_range, on the
 * service itself. The spread checks draw many picks and compare the counts with a
 * uniform spread (Pearson's chi-square): each bound is well above the 99.9 % quantile
 * of its degrees of freedom, and far below what any biased pick gives (e.g. favouring
 * the rows after gaps in `id`, or the first rows read), so a fair sampler does not fail
 * by chance and a biased one cannot pass.
 */
onEveryDatabase('NumbersService', { imports: [TypeOrmModule.forFeature([NumberEntity])], providers: [NumbersService] }, (ctx) => {
  const numbers = () => ctx().get<NumbersService>(NumbersService);

  /** Empties the pool and seeds it with these digit strings, in this order (ids ascending). */
  async function seed(digits: (string | number)[]): Promise<string[]> {
    await ctx().db.exec('DELETE FROM kamprov_numbers');
    for (let i = 0; i < digits.length; i += 500) {
      const batch = digits.slice(i, i + 500);
      await ctx().db.exec(`INSERT INTO kamprov_numbers (number) VALUES ${batch.map(() => '(?)').join(',')}`, batch.map(Number));
    }
    return digits.map((d) => `+${d}`);
  }

  /** How often each of `pool` came first in `trials` picks of `limit` (and that picks are distinct members). */
  async function firstPicks(pool: string[], trials: number, limit: number, search?: string): Promise<number[]> {
    const index = new Map(pool.map((n, i) => [n, i]));
    const counts = pool.map(() => 0);
    for (let t = 0; t < trials; t++) {
      const picked = await numbers().random(limit, search);
      expect(picked).toHaveLength(Math.min(limit, pool.length));
      expect(new Set(picked).size).toBe(picked.length);
      for (const p of picked) expect(index.has(p)).toBe(true);
      counts[index.get(picked[0])!]++;
    }
    return counts;
  }

  const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

  it('random picks from a dense pool spread evenly (id draws)', async () => {
    const pool = await seed(range(4755500000, 20));
    const counts = await firstPicks(pool, 800, 1);
    expect(chiSquare(counts)).toBeLessThan(55); // df 19: 99.9 % at 43.8
  });

  it('the first of several picks spreads evenly too, with no repeats', async () => {
    const pool = await seed(range(4755510000, 20));
    const counts = await firstPicks(pool, 400, 5);
    expect(chiSquare(counts)).toBeLessThan(55);
  });

  it('random picks from a gappy pool do not favour numbers after the holes', async () => {
    // Ten rows side by side, then ten rows each after a hole of 19 removed rows.
    const all = range(4755520000, 210);
    const keep = new Set([...range(0, 10), ...range(1, 10).map((i) => 9 + i * 20)]);
    await seed(all);
    const removed = all.filter((_, i) => !keep.has(i));
    for (let i = 0; i < removed.length; i += 100) {
      const batch = removed.slice(i, i + 100);
      await ctx().db.exec(`DELETE FROM kamprov_numbers WHERE number IN (${batch.map(() => '?').join(',')})`, batch);
    }
    const pool = all.filter((_, i) => keep.has(i)).map((d) => `+${d}`);
    expect(pool).toHaveLength(20);
    const counts = await firstPicks(pool, 800, 1);
    expect(chiSquare(counts)).toBeLessThan(55);
    // Either half: the contiguous rows and the rows after holes are picked alike.
    const contiguous = counts.slice(0, 10).reduce((a, b) => a + b, 0);
    expect(contiguous / 800).toBeGreaterThan(0.4);
    expect(contiguous / 800).toBeLessThan(0.6);
  });

  it('picks of any size are distinct members, whether a round is a prepared lookup (<= 64 ids, padded) or not', async () => {
    const pool = await seed(range(4755560000, 1000));
    const members = new Set(pool);
    // First rounds of 9, 21, 58 (prepared: 16, 32, 64 slots) and 133, 633 ids (the query builder).
    for (const limit of [1, 10, 40, 100, 500]) {
      const picked = await numbers().random(limit);
      expect(picked).toHaveLength(limit);
      expect(new Set(picked).size).toBe(limit);
      for (const p of picked) expect(members.has(p)).toBe(true);
    }
  });

  it('a small pool (scan path) gives every ordered pair alike', async () => {
    const pool = await seed(range(4755530000, 3));
    const pairs = new Map<string, number>();
    for (let t = 0; t < 600; t++) {
      const picked = await numbers().random(2);
      expect(new Set(picked).size).toBe(2);
      pairs.set(picked.join(), (pairs.get(picked.join()) ?? 0) + 1);
    }
    expect(pairs.size).toBe(6);
    for (const key of pairs.keys()) for (const n of key.split(',')) expect(pool).toContain(n);
    expect(chiSquare([...pairs.values()])).toBeLessThan(30); // df 5: 99.9 % at 20.5
  });

  it('asking for more than the pool holds answers the whole pool, each once', async () => {
    const pool = await seed(range(4755540000, 12));
    const picked = await numbers().random(50);
    expect([...picked].sort()).toEqual([...pool].sort());
  });

  it('random picks with a search come from the matches only, evenly', async () => {
    const matches = await seed([...range(4761550000, 15), ...range(4762550000, 15), ...range(4861550000, 5)]);
    const pool = matches.slice(0, 15);
    const counts = await firstPicks(pool, 600, 1, '+4761*');
    expect(chiSquare(counts)).toBeLessThan(50); // df 14: 99.9 % at 36.1
    const three = await numbers().random(3, '4761*');
    expect(three).toHaveLength(3);
    for (const n of three) expect(pool).toContain(n);
    expect(await numbers().random(3, '+4763*')).toEqual([]);
  });

  it('a search anchored at the start finds matches of every length (one range per length)', async () => {
    const inside = ['4761', '47610', '476199', '4761234567', '47612345678901', '476199999999999'];
    const outside = ['476', '4762', '47600000', '1476100', '4760999999', '476200000000000'];
    await seed([...outside, ...inside]);
    const sorted = inside.map((d) => `+${d}`).sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));
    expect(await numbers().list('+4761*')).toEqual(sorted);
    expect(await numbers().list('4761*')).toEqual(sorted);
    expect(await numbers().list('+4761??')).toEqual(['+476199']);
    expect(await numbers().list('+0*')).toEqual([]);
    // Not anchored: no ranges, the pattern alone decides.
    expect(await numbers().list('*4761*')).toEqual([...sorted, '+1476100'].sort((a, b) => Number(a.slice(1)) - Number(b.slice(1))));
  });

  it('add_range splits into batches, leaves present numbers out and spends no ids on them', async () => {
    const first = 4720000000;
    const size = INSERT_BATCH * 2.5 + 1; // three batches where the values are sent (MariaDB, SQLite)
    const last = first + size - 1;
    const present = [first, first + INSERT_BATCH - 1, first + INSERT_BATCH, first + INSERT_BATCH + 1, last];
    await seed([first - 1, ...present, last + 1]);
    const result = await numbers().addRange(`+${first}`, `+${last}`);
    expect(result).toEqual({ added: size - present.length, skipped: present.length, start: `+${first}`, end: `+${last}` });
    const [inRange] = await ctx().db.query<{ n: number | string }>(
      'SELECT COUNT(*) AS n FROM kamprov_numbers WHERE number BETWEEN ? AND ?',
      [first, last],
    );
    expect(Number(inRange.n)).toBe(size);
    const [ids] = await ctx().db.query<{ lo: number | string; hi: number | string; n: number | string }>(
      `SELECT MIN(id) AS lo, MAX(id) AS hi, COUNT(*) AS n FROM kamprov_numbers WHERE number BETWEEN ? AND ? AND number NOT IN (${present.join(',')})`,
      [first, last],
    );
    expect(Number(ids.hi) - Number(ids.lo) + 1).toBe(Number(ids.n));
    const again = await numbers().addRange(`+${first}`, `+${last}`);
    expect(again).toMatchObject({ added: 0, skipped: size });
    const [total] = await ctx().db.query<{ n: number | string }>('SELECT COUNT(*) AS n FROM kamprov_numbers');
    expect(Number(total.n)).toBe(size + 2);
  });

  it('add_range beside a writer that adds one of its numbers meanwhile: that number skipped, the rest added', async () => {
    if (ctx().kind === 'sqlite') return; // one writer at a time: add_range would wait for the whole other transaction
    const first = 4740000000;
    const last = first + 999;
    const raced = first + 500;
    await seed([]);
    const holder = ctx().dataSource.createQueryRunner();
    try {
      await holder.startTransaction();
      await holder.query('INSERT INTO kamprov_numbers (number) VALUES (?)', [raced]);
      // add_range's snapshot cannot see the uncommitted row: its INSERT waits on the unique key...
      const adding = numbers().addRange(`+${first}`, `+${last}`);
      // (PostgreSQL: a lock not granted; MariaDB: its INSERT running, which takes milliseconds unless it waits.)
      const waits =
        ctx().kind === 'postgres'
          ? 'SELECT COUNT(*) AS n FROM pg_locks WHERE NOT granted'
          : "SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE info LIKE 'INSERT IGNORE INTO kamprov_numbers%'";
      const deadline = Date.now() + 10_000;
      while (Number((await ctx().db.query<{ n: number | string }>(waits))[0].n) === 0) {
        if (Date.now() > deadline) throw new Error('add_range never waited on the uncommitted number');
        await new Promise((r) => setTimeout(r, 20));
      }
      // ...and meets it once it commits (PostgreSQL: the fast INSERT fails, the one that skips runs).
      await holder.commitTransaction();
      expect(await adding).toEqual({ added: 999, skipped: 1, start: `+${first}`, end: `+${last}` });
    } finally {
      if (holder.isTransactionActive) await holder.rollbackTransaction();
      await holder.release();
    }
    const [inRange] = await ctx().db.query<{ n: number | string }>(
      'SELECT COUNT(*) AS n FROM kamprov_numbers WHERE number BETWEEN ? AND ?',
      [first, last],
    );
    expect(Number(inRange.n)).toBe(1000);
  });

  it('add_range across the generated batches of PostgreSQL (SERIES_BATCH each) too: present numbers at the seams left out, ids dense', async () => {
    const first = 4730000000;
    const size = SERIES_BATCH * 1.5; // within the medium suite's NUMBERS_MAX_RANGE
    const last = first + size - 1;
    const present = [first, first + SERIES_BATCH - 1, first + SERIES_BATCH, last];
    await seed(present);
    const result = await numbers().addRange(`+${first}`, `+${last}`);
    expect(result).toEqual({ added: size - present.length, skipped: present.length, start: `+${first}`, end: `+${last}` });
    const [ids] = await ctx().db.query<{ lo: number | string; hi: number | string; n: number | string }>(
      `SELECT MIN(id) AS lo, MAX(id) AS hi, COUNT(*) AS n FROM kamprov_numbers WHERE number BETWEEN ? AND ? AND number NOT IN (${present.join(',')})`,
      [first, last],
    );
    expect(Number(ids.n)).toBe(size - present.length);
    expect(Number(ids.hi) - Number(ids.lo) + 1).toBe(Number(ids.n));
  }, 60_000);
});
