import { TypeOrmModule } from '@nestjs/typeorm';
import pino from 'pino';
import { Transactor } from '../../src/database/transactor';
import { NumberEntity } from '../../src/numbers/entities/number.entity';
import { onEveryDatabase, rejection, sleep } from './support/medium';

/** A number of this test's own (kamprov_numbers is a handy table with a unique key). */
const fresh = () => 4794000000 + Math.floor(Math.random() * 5_000_000);

onEveryDatabase('Transactor', { imports: [TypeOrmModule.forFeature([NumberEntity])] }, (ctx) => {
  const transactor = () => ctx().get<Transactor>(Transactor);
  const present = async (n: number) => (await ctx().db.query('SELECT id FROM kamprov_numbers WHERE number = ?', [n])).length > 0;

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

  /** An error as this database's driver reports an aborted transaction (deadlock / busy). */
  const aborted = () =>
    Object.assign(
      new Error('aborted by the database'),
      { sqlite: { code: 'SQLITE_BUSY' }, mysql: { code: 'ER_LOCK_DEADLOCK' }, postgres: { code: '40P01', severity: 'ERROR' } }[ctx().kind],
    );

  it('re-runs the whole work when the database aborts it (deadlock, busy), rolling back each try', async () => {
    const [kept, discarded] = [fresh(), fresh() + 4];
    let tries = 0;
    const value = await transactor().run(async (em) => {
      tries++;
      if (tries < 3) {
        await em.query('INSERT INTO kamprov_numbers (number) VALUES (?)', [discarded + tries]);
        throw aborted();
      }
      await em.query('INSERT INTO kamprov_numbers (number) VALUES (?)', [kept]);
      return tries;
    });
    expect(value).toBe(3);
    expect(await present(kept)).toBe(true);
    expect(await present(discarded + 1)).toBe(false);
    expect(await present(discarded + 2)).toBe(false);
  });

  it('retries a bounded number of times, then throws the abort; never retries other errors', async () => {
    let tries = 0;
    const err = await rejection(
      transactor().run(() => {
        tries++;
        return Promise.reject(aborted());
      }),
    );
    expect((err as Error).message).toBe('aborted by the database');
    expect(tries).toBeGreaterThan(1);
    expect(tries).toBeLessThanOrEqual(10);
    let once = 0;
    await rejection(
      transactor().run(() => {
        once++;
        return Promise.reject(new Error('not the database'));
      }),
    );
    expect(once).toBe(1);
  });

  it("logs each retry through the caller's scope, so the line carries its request's reqId", async () => {
    const lines: Record<string, unknown>[] = [];
    const log = pino({ level: 'debug', base: undefined, timestamp: false }, { write: (s: string) => lines.push(JSON.parse(s)) });
    const scope = { log: log.child({ reqId: 'tx-retry-1' }) };
    let tries = 0;
    await transactor().run(() => (++tries < 2 ? Promise.reject(aborted()) : Promise.resolve()), scope);
    await transactor().serialized(() => (++tries < 4 ? Promise.reject(aborted()) : Promise.resolve()), scope);
    expect(tries).toBe(4);
    expect(lines).toEqual([
      {
        level: 20,
        reqId: 'tx-retry-1',
        context: 'Transactor',
        msg: expect.stringMatching(/^transaction aborted \(aborted by the database\); retry 1 in \d+ ms$/),
      },
      {
        level: 20,
        reqId: 'tx-retry-1',
        context: 'Transactor',
        msg: expect.stringMatching(/^transaction aborted \(aborted by the database\); retry 1 in \d+ ms$/),
      },
    ]);
  });

  it('serialized() statements are retried too', async () => {
    let tries = 0;
    await transactor().serialized(() => (++tries < 2 ? Promise.reject(aborted()) : Promise.resolve()));
    expect(tries).toBe(2);
  });
});
