import { TypeOrmModule } from '@nestjs/typeorm';
import { Transactor } from '../../src/database/transactor';
import { NumberEntity } from '../../src/numbers/entities/number.entity';
import { onEveryDatabase, rejection, sleep } from './support/medium';

/** A number of this test's own (kamprov_numbers is a handy table with a unique key). */
const fresh = () => 4794000000 + Math.floor(Math.random() * 5_000_000);

onEveryDatabase('Transactor', { imports: [TypeOrmModule.forFeature([NumberEntity])] }, (ctx) => {
  const transactor = () => ctx().get<Transactor>(Transactor);
  const present = async (n: number) =>
    (await ctx().db.query('SELECT id FROM kamprov_numbers WHERE number = ?', [n])).length > 0;

  it('commits the work when it resolves, and answers its value', async () => {
    const n = fresh();
    const value = await transactor().run(async (em) => {
      await em.query('INSERT INTO kamprov_numbers (number) VALUES (?)', [n]);
      return 'done';
    });
    expect(value).toBe('done');
    expect(await present(n)).toBe(true);
  });

  it('rolls back every statement of the work when it throws, and rethrows', async () => {
    const [a, b] = [fresh(), fresh() + 1];
    const boom = new Error('boom');
    const err = await rejection(
      transactor().run(async (em) => {
        await em.query('INSERT INTO kamprov_numbers (number) VALUES (?)', [a]);
        await em.query('INSERT INTO kamprov_numbers (number) VALUES (?)', [b]);
        throw boom;
      }),
    );
    expect(err).toBe(boom);
    expect(await present(a)).toBe(false);
    expect(await present(b)).toBe(false);
  });

  it('rolls back on a failed statement (a unique violation midway)', async () => {
    const n = fresh();
    await ctx().db.exec('INSERT INTO kamprov_numbers (number) VALUES (?)', [n]);
    const before = fresh() + 2;
    await rejection(
      transactor().run(async (em) => {
        await em.query('INSERT INTO kamprov_numbers (number) VALUES (?)', [before]);
        await em.query('INSERT INTO kamprov_numbers (number) VALUES (?)', [n]);
      }),
    );
    expect(await present(before)).toBe(false);
  });

  it('serialises concurrent transactions on SQLite only; elsewhere they overlap', async () => {
    const events: string[] = [];
    const work = (name: string) =>
      transactor().run(async (em) => {
        events.push(`${name} begins`);
        await em.query('SELECT 1');
        await sleep(150);
        events.push(`${name} ends`);
      });
    await Promise.all([work('a'), work('b'), work('c')]);
    if (ctx().kind === 'sqlite') {
      expect(events).toEqual(['a begins', 'a ends', 'b begins', 'b ends', 'c begins', 'c ends']);
    } else {
      // Each on its own pooled connection: all begin before any ends.
      expect(events.slice(0, 3).sort()).toEqual(['a begins', 'b begins', 'c begins']);
    }
  });

  it('keeps serving after a failed transaction (the queue does not stall)', async () => {
    await rejection(transactor().run(() => Promise.reject(new Error('first fails'))));
    const n = fresh();
    await transactor().run((em) => em.query('INSERT INTO kamprov_numbers (number) VALUES (?)', [n]));
    expect(await present(n)).toBe(true);
  });

  it('serialized() statements never join an open transaction: a rollback leaves them', async () => {
    const [inTx, outside] = [fresh(), fresh() + 3];
    const failing = transactor().run(async (em) => {
      await em.query('INSERT INTO kamprov_numbers (number) VALUES (?)', [inTx]);
      await sleep(200);
      throw new Error('rolled back');
    });
    await sleep(50);
    const single = transactor().serialized((em) => em.query('INSERT INTO kamprov_numbers (number) VALUES (?)', [outside]));
    await rejection(failing);
    await single;
    expect(await present(inTx)).toBe(false);
    expect(await present(outside)).toBe(true);
  });
});
