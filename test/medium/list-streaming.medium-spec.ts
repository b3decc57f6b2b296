import { TypeOrmModule } from '@nestjs/typeorm';
import { NumberEntity } from '../../src/numbers/entities/number.entity';
import { NumbersService } from '../../src/numbers/numbers.service';
import { onEveryDatabase } from './support/medium';

/*
 * Issue 14 item 7: numbers/list streams the pool in chunks (keyset pagination), so the
 * service never holds more than one chunk of a million-number pool.
 */
onEveryDatabase('streamed lists', { imports: [TypeOrmModule.forFeature([NumberEntity])], providers: [NumbersService] }, (ctx) => {
  const numbers = () => ctx().get<NumbersService>(NumbersService);
  const POOL = 2345;
  const base = 4790000000;

  beforeAll(async () => {
    await ctx().db.exec('DELETE FROM kamprov_numbers');
    // Inserted out of order: the stream must still be numeric order.
    const digits = Array.from({ length: POOL }, (_, i) => base + ((i * 7919) % POOL));
    for (let i = 0; i < digits.length; i += 500) {
      const batch = digits.slice(i, i + 500);
      await ctx().db.exec(`INSERT INTO kamprov_numbers (number) VALUES ${batch.map(() => '(?)').join(',')}`, batch);
    }
  });

  const expected = (from = 0, to = POOL) => Array.from({ length: to - from }, (_, i) => `+${base + from + i}`);

  it('yields the whole pool in numeric order, never more than a chunk at a time', async () => {
    const sizes: number[] = [];
    const all: string[] = [];
    for await (const chunk of numbers().listChunks(undefined, undefined, 500)) {
      sizes.push(chunk.length);
      all.push(...chunk);
    }
    expect(sizes).toEqual([500, 500, 500, 500, 345]);
    expect(all).toEqual(expected());
  });

  it('honours limit across chunks, and a search', async () => {
    const all: string[] = [];
    for await (const chunk of numbers().listChunks(undefined, 1200, 500)) all.push(...chunk);
    expect(all).toEqual(expected(0, 1200));
    const found: string[] = [];
    for await (const chunk of numbers().listChunks(`+47900010*`, undefined, 3)) {
      expect(chunk.length).toBeLessThanOrEqual(3);
      found.push(...chunk);
    }
    expect(found).toEqual(expected(1000, 1100));
  });

  it('is lazy: the next chunk is read only when asked for', async () => {
    const it = numbers().listChunks(undefined, undefined, 1000);
    const first = await it.next();
    expect(first.value).toHaveLength(1000);
    await ctx().db.exec('INSERT INTO kamprov_numbers (number) VALUES (?)', [base + POOL]);
    const rest: string[] = [];
    for await (const chunk of { [Symbol.asyncIterator]: () => it }) rest.push(...chunk);
    // Read after the insert: the new number is in the stream.
    expect(rest[rest.length - 1]).toBe(`+${base + POOL}`);
    await ctx().db.exec('DELETE FROM kamprov_numbers WHERE number = ?', [base + POOL]);
  });
});
