import Database from 'better-sqlite3';
import { createConnection } from 'mysql2/promise';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AddressClaim } from '../../src/claims/entities/address-claim.entity';
import { isDatabaseError, isForeignKeyViolation, isUniqueViolation } from '../../src/database/db-errors';
import { guardedMysql2 } from '../../src/database/guarded-mysql';
import { takeClusterLock } from '../../src/database/mysql-dialect';
import { SqlDialect } from '../../src/database/sql-dialect';
import { Transactor } from '../../src/database/transactor';
import { NumberEntity } from '../../src/numbers/entities/number.entity';
import { MEDIUM_POOL_SIZE, onEveryDatabase, rejection, sleep, tag } from './support/medium';

/** Each method of the SQL dialect object, against the database it speaks for. */
onEveryDatabase('SqlDialect', { imports: [TypeOrmModule.forFeature([NumberEntity, AddressClaim])] }, (ctx) => {
  const dialect = () => ctx().get<SqlDialect>(SqlDialect);

  it('is the dialect of the database it runs on', () => {
    expect(dialect().name).toBe(ctx().kind);
  });

  it('concat joins expressions into one string', async () => {
    const d = dialect();
    const [row] = await ctx().dataSource.query<{ v: string }[]>(`SELECT ${d.concat("'+'", "'47'", 'CAST(? AS CHAR(8))')} AS v`, ['61']);
    expect(row.v).toBe('+4761');
  });

  it('insertIgnore skips rows a unique key holds and inserts the others', async () => {
    const d = dialect();
    const base = 4790000000 + Math.floor(Math.random() * 1_000_000) * 10;
    const insert = (ns: number[]) =>
      ctx().dataSource.query(d.insertIgnore('kamprov_numbers', ['number'], ns.map((n) => `(${n})`).join(',')));
    await insert([base, base + 1]);
    await expect(insert([base + 1, base + 2])).resolves.toBeDefined();
    const rows = await ctx().db.query<{ number: number | string }>(
      'SELECT number FROM kamprov_numbers WHERE number BETWEEN ? AND ? ORDER BY number',
      [base, base + 9],
    );
    expect(rows.map((r) => Number(r.number))).toEqual([base, base + 1, base + 2]);
  });

  it('lockClause says how to lock by mode, and nothing where transactions are serialised', () => {
    const d = dialect();
    expect(d.lockClause(undefined)).toBe('');
    if (ctx().kind === 'mysql') {
      expect(d.lockClause('share')).toBe(' LOCK IN SHARE MODE');
      expect(d.lockClause('update')).toBe(' FOR UPDATE');
    } else if (ctx().kind === 'postgres') {
      expect(d.lockClause('share')).toBe(' FOR SHARE');
      expect(d.lockClause('update')).toBe(' FOR UPDATE');
      // PostgreSQL cannot lock the nullable side of an outer join: the locked table is named.
      expect(d.lockClause('update', 'u')).toBe(' FOR UPDATE OF u');
    } else {
      expect(d.lockClause('share')).toBe('');
      expect(d.lockClause('update')).toBe('');
    }
  });

  it('a row read with lockClause("update") keeps a second locker waiting until the first commits', async () => {
    const d = dialect();
    const t = ctx().get<Transactor>(Transactor);
    const n = 4791000000 + Math.floor(Math.random() * 1_000_000);
    await ctx().db.exec('INSERT INTO kamprov_numbers (number) VALUES (?)', [n]);
    const events: string[] = [];
    const lockRow = `SELECT id FROM kamprov_numbers WHERE number = ?${d.lockClause('update')}`;
    const first = t.run(async (em) => {
      await em.query(lockRow, [n]);
      events.push('first locked');
      await sleep(300);
      events.push('first commits');
    });
    await sleep(50);
    const second = t.run(async (em) => {
      await em.query(lockRow, [n]);
      events.push('second locked');
    });
    await Promise.all([first, second]);
    expect(events).toEqual(['first locked', 'first commits', 'second locked']);
  });

  it('serialisesTransactions only on SQLite', () => {
    expect(dialect().serialisesTransactions).toBe(ctx().kind === 'sqlite');
  });

  it('poolStats reports the pool under the dialect name', async () => {
    await ctx().dataSource.query('SELECT 1');
    const stats = dialect().poolStats();
    expect(stats.driver).toBe(ctx().kind);
    expect(stats.max).toBe(ctx().kind === 'sqlite' ? 1 : MEDIUM_POOL_SIZE);
    expect(stats.total).toBeGreaterThanOrEqual(1);
    expect(stats.total).toBeLessThanOrEqual(stats.max);
    expect(stats.idle).toBeLessThanOrEqual(stats.total);
    expect(stats.queued).toBe(0);
  });

  describe('which unique key a violation hit, by constraint name', () => {
    const violation = async (sql: string, params: unknown[]) => {
      await ctx().dataSource.query(sql, params);
      return rejection(ctx().dataSource.query(sql, params));
    };

    it('names both keys of the address claims (the E.164 one decides alias/add)', async () => {
      const d = dialect();
      const u = tag();
      const claim = 'INSERT INTO kamprov_address_claims (username, domain, kind, e164_destination) VALUES (?, ?, ?, ?)';
      const address = await violation(claim, [u, 'claims.test', 'user', null]);
      expect(d.isUniqueViolation(address)).toBe(true);
      expect(d.uniqueKey(address)).toBe('kamprov_address_claims_address_uq');
      expect(d.isUniqueViolation(address, 'kamprov_address_claims_e164_uq')).toBe(false);

      await ctx().dataSource.query(claim, [`+4712${Date.now() % 1e6}`, 'claims.test', 'alias', `${u}@claims.test`]);
      const e164 = await rejection(ctx().dataSource.query(claim, [`+4713${Date.now() % 1e6}`, 'claims.test', 'alias', `${u}@claims.test`]));
      expect(d.uniqueKey(e164)).toBe('kamprov_address_claims_e164_uq');
      expect(d.isUniqueViolation(e164, 'kamprov_address_claims_e164_uq')).toBe(true);
    });

    it('names a unique index, a two-column constraint, a Kamailio key and the primary key', async () => {
      const d = dialect();
      const u = tag();
      const n = 4792000000 + Math.floor(Math.random() * 1_000_000);
      expect(d.uniqueKey(await violation('INSERT INTO kamprov_numbers (number) VALUES (?)', [n]))).toBe('kamprov_numbers_number_uq');
      expect(
        d.uniqueKey(await violation("INSERT INTO kamprov_users (username, domain, type) VALUES (?, 'keys.test', 'remote')", [u])),
      ).toBe('kamprov_users_address_uq');
      // Kamailio's own scripts name the key differently per database.
      expect(
        d.uniqueKey(await violation('INSERT INTO domain (domain, did, last_modified) VALUES (?, ?, CURRENT_TIMESTAMP)', [`${u}.test`, u])),
      ).toBe(ctx().kind === 'mysql' ? 'domain_idx' : 'domain_domain_idx');
      const [row] = await ctx().db.query<{ id: number }>('SELECT MIN(id) AS id FROM kamprov_numbers');
      const pk = await rejection(ctx().dataSource.query('INSERT INTO kamprov_numbers (id, number) VALUES (?, ?)', [row.id, n + 1]));
      expect(d.uniqueKey(pk)).toBe('PRIMARY');
    });
  });

  it('classifies a foreign-key violation, on insert and on delete', async () => {
    const d = dialect();
    const u = tag();
    const orphan = await rejection(ctx().dataSource.query("INSERT INTO kamprov_phones (mac, user_id) VALUES ('00aa00aa00aa', 999999999)"));
    expect(d.isForeignKeyViolation(orphan)).toBe(true);
    expect(d.isUniqueViolation(orphan)).toBe(false);
    await ctx().db.exec("INSERT INTO kamprov_users (username, domain, type) VALUES (?, 'fk.test', 'remote')", [u]);
    const [user] = await ctx().db.query<{ id: number }>("SELECT id FROM kamprov_users WHERE username = ? AND domain = 'fk.test'", [u]);
    await ctx().db.exec("INSERT INTO kamprov_phones (mac, user_id) VALUES ('00bb00bb00bb', ?)", [user.id]);
    const referenced = await rejection(ctx().dataSource.query('DELETE FROM kamprov_users WHERE id = ?', [user.id]));
    expect(d.isForeignKeyViolation(referenced)).toBe(true);
    expect(d.classify(referenced)).toEqual({ kind: 'foreign-key' });
    // The dialect-free checks (global filter, API keys) agree.
    expect(isForeignKeyViolation(referenced)).toBe(true);
    expect(isUniqueViolation(referenced)).toBe(false);
  });

  it('classifies a lock wait / busy database as transient (worth retrying)', async () => {
    const d = dialect();
    if (ctx().kind === 'mysql') {
      const n = 4793000000 + Math.floor(Math.random() * 1_000_000);
      await ctx().db.exec('INSERT INTO kamprov_numbers (number) VALUES (?)', [n]);
      const holder = ctx().dataSource.createQueryRunner();
      const waiter = ctx().dataSource.createQueryRunner();
      try {
        await holder.startTransaction();
        await holder.query('SELECT id FROM kamprov_numbers WHERE number = ? FOR UPDATE', [n]);
        await waiter.query('SET SESSION innodb_lock_wait_timeout = 1');
        await waiter.startTransaction();
        const err = await rejection(waiter.query('SELECT id FROM kamprov_numbers WHERE number = ? FOR UPDATE', [n]));
        expect(d.classify(err)).toEqual({ kind: 'transient', lockWait: true });
        expect(d.isTimeout(err)).toBe(true);
        expect(d.isTransient(err)).toBe(true);
        expect(d.isDatabaseError(err)).toBe(true);
        await waiter.rollbackTransaction();
        await holder.rollbackTransaction();
      } finally {
        await waiter.release();
        await holder.release();
      }
      return;
    }
    if (ctx().kind === 'postgres') {
      const n = 4793000000 + Math.floor(Math.random() * 1_000_000);
      await ctx().db.exec('INSERT INTO kamprov_numbers (number) VALUES (?)', [n]);
      const holder = ctx().dataSource.createQueryRunner();
      const waiter = ctx().dataSource.createQueryRunner();
      try {
        await holder.startTransaction();
        await holder.query('SELECT id FROM kamprov_numbers WHERE number = ? FOR UPDATE', [n]);
        await waiter.startTransaction();
        await waiter.query("SET LOCAL lock_timeout = '200ms'");
        // 55P03 lock_not_available
        const err = await rejection(waiter.query('SELECT id FROM kamprov_numbers WHERE number = ? FOR UPDATE', [n]));
        expect(d.classify(err)).toEqual({ kind: 'transient', lockWait: true });
        expect(d.isDatabaseError(err)).toBe(true);
        await waiter.rollbackTransaction();
        await holder.rollbackTransaction();
      } finally {
        await waiter.release();
        await holder.release();
      }
      return;
    }
    // SQLite: kamprov holds the write lock; another connection that will not wait is busy.
    const t = ctx().get<Transactor>(Transactor);
    const path = ctx().db.url.slice('sqlite:'.length);
    let busy: unknown;
    await t.run(async (em) => {
      await em.query('SELECT 1');
      const other = new Database(path, { timeout: 10 });
      try {
        busy = (() => {
          try {
            other.exec('BEGIN IMMEDIATE');
            other.exec('ROLLBACK');
            return undefined;
          } catch (err) {
            return err;
          }
        })();
      } finally {
        other.close();
      }
    });
    expect(d.classify(busy)).toEqual({ kind: 'transient', lockWait: true });
    expect(d.isTransient(busy)).toBe(true);
  });

  it('tells database errors from others', async () => {
    const d = dialect();
    const missing = await rejection(ctx().dataSource.query('SELECT * FROM no_such_table'));
    expect(d.isDatabaseError(missing)).toBe(true);
    expect(d.classify(missing)).toEqual({ kind: 'other' });
    expect(isDatabaseError(missing)).toBe(true);
    const plain = new Error('not the database');
    expect(d.isDatabaseError(plain)).toBe(false);
    expect(d.classify(plain)).toBeUndefined();
    expect(isDatabaseError(plain)).toBe(false);
  });
});

/** What only the PostgreSQL dialect has to do: survive failed statements, deadlock codes, statement timeouts. */
onEveryDatabase(
  'SqlDialect: failures inside a transaction',
  { imports: [TypeOrmModule.forFeature([NumberEntity, AddressClaim])] },
  (ctx) => {
    const dialect = () => ctx().get<SqlDialect>(SqlDialect);

    it('survivable: a transaction goes on after a unique violation, and commits what it did', async () => {
      const d = dialect();
      const n = 4794000000 + Math.floor(Math.random() * 1_000_000);
      await ctx().db.exec('INSERT INTO kamprov_numbers (number) VALUES (?)', [n]);
      await ctx()
        .get<Transactor>(Transactor)
        .run(async (em) => {
          const err = await rejection(d.survivable(em, () => em.query('INSERT INTO kamprov_numbers (number) VALUES (?)', [n])));
          expect(d.isUniqueViolation(err, 'kamprov_numbers_number_uq')).toBe(true);
          // Without the savepoint PostgreSQL would answer 25P02 (transaction aborted) here.
          await em.query('INSERT INTO kamprov_numbers (number) VALUES (?)', [n + 1]);
        });
      const rows = await ctx().db.query<{ number: string | number }>('SELECT number FROM kamprov_numbers WHERE number IN (?, ?)', [
        n,
        n + 1,
      ]);
      expect(rows).toHaveLength(2);
    });

    const numbersIn = async (ns: number[]) =>
      (
        await ctx().db.query<{ number: string | number }>(
          `SELECT number FROM kamprov_numbers WHERE number IN (${ns.map(() => '?').join(', ')}) ORDER BY number`,
          ns,
        )
      ).map((r) => Number(r.number));

    it('batch: the statements run in order in the transaction, the last ones commit with it', async () => {
      const d = dialect();
      const n = 4795000000 + Math.floor(Math.random() * 1_000_000) * 4;
      const seen = await ctx()
        .get<Transactor>(Transactor)
        .run(async (em) => {
          // A SELECT first (on MariaDB it carries the START TRANSACTION), then the batch.
          const before = await em.query<unknown[]>('SELECT number FROM kamprov_numbers WHERE number = ?', [n]);
          await d.batch(
            em,
            [
              { sql: 'INSERT INTO kamprov_numbers (number) VALUES (?)', params: [n] },
              { sql: 'INSERT INTO kamprov_numbers (number) VALUES (?)', params: [n + 1] },
            ],
            true,
          );
          return before.length;
        });
      expect(seen).toBe(0);
      expect(await numbersIn([n, n + 1])).toEqual([n, n + 1]);
    });

    it('batch: stops at the first statement that fails, with its error; the transaction rolls back whole', async () => {
      const d = dialect();
      const n = 4796000000 + Math.floor(Math.random() * 1_000_000) * 4;
      await ctx().db.exec('INSERT INTO kamprov_numbers (number) VALUES (?)', [n + 1]);
      const err = await rejection(
        ctx()
          .get<Transactor>(Transactor)
          .run(async (em) => {
            await em.query('SELECT number FROM kamprov_numbers WHERE number = ?', [n]);
            await d.batch(
              em,
              [
                { sql: 'INSERT INTO kamprov_numbers (number) VALUES (?)', params: [n] },
                { sql: 'INSERT INTO kamprov_numbers (number) VALUES (?)', params: [n + 1] },
                { sql: 'INSERT INTO kamprov_numbers (number) VALUES (?)', params: [n + 2] },
              ],
              true,
            );
          }),
      );
      expect(d.isUniqueViolation(err, 'kamprov_numbers_number_uq')).toBe(true);
      expect(await numbersIn([n, n + 1, n + 2])).toEqual([n + 1]);
    });

    it('batch on PostgreSQL: the first write alone, the rest as one statement (two round trips); a row may reference one inserted beside it; anything else one by one', async () => {
      if (ctx().kind !== 'postgres') return;
      const d = dialect();
      const domain = `${tag()}.batch.example.com`;
      const n = 4798500000 + Math.floor(Math.random() * 1_000_000) * 4;
      const sent = await ctx()
        .get<Transactor>(Transactor)
        .run(async (em) => {
          const query = jest.spyOn(em, 'query');
          await d.batch(
            em,
            [
              { sql: 'INSERT INTO kamprov_numbers (number) VALUES (?)', params: [n] },
              // The claim references the domain's row, inserted in the same statement (checked at its end).
              {
                sql: "INSERT INTO kamprov_address_claims (username, domain, kind, local_domain) VALUES (?, ?, 'user', ?)",
                params: ['b', domain, domain],
              },
              { sql: 'INSERT INTO kamprov_claim_domains (domain) VALUES (?)', params: [domain] },
            ],
            true,
          );
          return query.mock.calls.map((c) => c[0]);
        });
      // The first statement goes first and alone: it is the one whose key competing writers take first.
      expect(sent).toEqual([
        'INSERT INTO kamprov_numbers (number) VALUES (?)',
        expect.stringMatching(/^WITH kamprov_b0 AS \(INSERT INTO kamprov_address_claims /),
      ]);
      const rows = await ctx().db.query<{ n: number | string }>('SELECT COUNT(*) AS n FROM kamprov_address_claims WHERE local_domain = ?', [
        domain,
      ]);
      expect(Number(rows[0].n)).toBe(1);
      expect(await numbersIn([n])).toEqual([n]);
      // A statement that is not a plain write (here one with RETURNING) is never combined: one round trip each.
      const separate = await ctx()
        .get<Transactor>(Transactor)
        .run(async (em) => {
          const query = jest.spyOn(em, 'query');
          await d.batch(em, [
            { sql: 'INSERT INTO kamprov_numbers (number) VALUES (?)', params: [n + 1] },
            { sql: 'INSERT INTO kamprov_numbers (number) VALUES (?)', params: [n + 2] },
            { sql: 'INSERT INTO kamprov_numbers (number) VALUES (?) RETURNING id', params: [n + 3] },
          ]);
          return query.mock.calls.length;
        });
      expect(separate).toBe(3);
      expect(await numbersIn([n + 1, n + 2, n + 3])).toEqual([n + 1, n + 2, n + 3]);
    });

    it('a transaction whose first statement is a write (or a locking read) still runs whole or not at all', async () => {
      const d = dialect();
      const n = 4797000000 + Math.floor(Math.random() * 1_000_000) * 4;
      const err = await rejection(
        ctx()
          .get<Transactor>(Transactor)
          .run(async (em) => {
            await em.query('INSERT INTO kamprov_numbers (number) VALUES (?)', [n]);
            await em.query(`SELECT number FROM kamprov_numbers WHERE number = ?${d.lockClause('update')}`, [n]);
            throw new Error('changed my mind');
          }),
      );
      expect((err as Error).message).toBe('changed my mind');
      expect(await numbersIn([n])).toEqual([]);
    });

    if (process.env.TEST_DATABASE_URL) {
      it('mysql: a prepared hot read waiting on a metadata lock (its PREPARE) ends at the statement timeout, classified timeout', async () => {
        if (ctx().kind !== 'mysql') return;
        const d = dialect();
        const holder = ctx().dataSource.createQueryRunner();
        // The ALTER runs on a connection of its own, outside the pool's statement timeout.
        const alter = await createConnection({ uri: ctx().db.url });
        try {
          // An open transaction holds the table's shared metadata lock; an ALTER queues for the
          // exclusive one, and every new statement on the table (a PREPARE too) waits behind it.
          await holder.startTransaction();
          await holder.query('SELECT id FROM kamprov_numbers LIMIT 1');
          await alter.query('SET SESSION lock_wait_timeout = 20');
          const altering = alter.query(`ALTER TABLE kamprov_numbers COMMENT = '${tag()}'`);
          altering.catch(() => undefined);
          await sleep(300);
          const started = Date.now();
          // A statement text new to every connection, so that it must be prepared.
          const err = await rejection(d.hotRead(`SELECT id FROM kamprov_numbers WHERE number = ? /* ${tag()} */`, [1]));
          const waited = Date.now() - started;
          expect((err as { code?: string }).code).toBe('PROTOCOL_SEQUENCE_TIMEOUT');
          expect(d.classify(err)).toEqual({ kind: 'timeout' });
          expect(waited).toBeGreaterThanOrEqual(4_500);
          expect(waited).toBeLessThan(9_000);
          await holder.rollbackTransaction();
          await altering;
          // The pool still answers (the timed-out connection was destroyed, not handed back).
          await expect(d.hotRead('SELECT 1 AS one', [])).resolves.toEqual([{ one: 1 }]);
        } finally {
          if (holder.isTransactionActive) await holder.rollbackTransaction().catch(() => undefined);
          await holder.release();
          await alter.end();
        }
      }, 30_000);
    }

    if (process.env.TEST_DATABASE_URL) {
      it('mysql: a new pooled connection runs the session setup once, before its first caller; a failed setup drops it and fails the caller', async () => {
        if (ctx().kind !== 'mysql') return;
        let setups = 0;
        const driver = guardedMysql2({
          acquireTimeoutMs: 3000,
          queryTimeoutMs: 5000,
          setup: (conn, done) => {
            setups++;
            if (setups === 1) return done(new Error('setup refused'));
            conn.query({ sql: "SET SESSION sql_mode = CONCAT(@@SESSION.sql_mode, ',ANSI_QUOTES')", timeout: 3000 }, (err) => done(err));
          },
        });
        const pool = driver.createPool({ uri: ctx().db.url, connectionLimit: 1 });
        type Conn = { threadId: number; query(sql: string, cb: (err: Error | null, rows: unknown) => void): void; release(): void };
        const acquire = () =>
          new Promise<Conn>((resolve, reject) =>
            (pool as unknown as { getConnection(cb: (err: Error | null, c: Conn) => void): void }).getConnection((err, c) =>
              err ? reject(err) : resolve(c),
            ),
          );
        const ansiQuotes = (c: Conn) =>
          new Promise<boolean>((resolve, reject) =>
            c.query("SELECT @@SESSION.sql_mode LIKE '%ANSI_QUOTES%' AS on_", (err, rows) =>
              err ? reject(err) : resolve(Number((rows as { on_: number }[])[0].on_) === 1),
            ),
          );
        try {
          expect(((await rejection(acquire())) as Error).message).toBe('setup refused');
          // The refused connection was dropped (the pool has one slot): the next one is new and set up.
          const first = await acquire();
          expect(await ansiQuotes(first)).toBe(true);
          const thread = first.threadId;
          first.release();
          const again = await acquire();
          expect(again.threadId).toBe(thread);
          expect(await ansiQuotes(again)).toBe(true);
          again.release();
          expect(setups).toBe(2);
        } finally {
          await new Promise((resolve) => pool.end(resolve));
        }
      });

      it('mysql: a failed statement (text or prepared) is shown to review first, on its own connection, and the caller gets what review answers', async () => {
        if (ctx().kind !== 'mysql') return;
        const seen: string[] = [];
        const driver = guardedMysql2({
          acquireTimeoutMs: 3000,
          queryTimeoutMs: 5000,
          review: (conn, err, done) => {
            seen.push(err.code ?? '');
            // A statement of review's own, on the failed statement's connection (never reviewed itself).
            conn.query({ sql: 'SELECT CONNECTION_ID() AS id, * FROM no_such_table', timeout: 3000 }, () =>
              conn.query({ sql: 'SELECT CONNECTION_ID() AS id', timeout: 3000 }, (e, rows) =>
                done(Object.assign(new Error(`reviewed on ${(rows as { id: number }[])[0].id}`), { code: 'REVIEWED' })),
              ),
            );
          },
        });
        const pool = driver.createPool({ uri: ctx().db.url, connectionLimit: 1 });
        type Conn = {
          threadId: number;
          query(sql: string, cb: (err: (Error & { code?: string }) | null) => void): void;
          execute(sql: string, params: unknown[], cb: (err: (Error & { code?: string }) | null) => void): void;
          release(): void;
        };
        try {
          const conn = await new Promise<Conn>((resolve, reject) =>
            (pool as unknown as { getConnection(cb: (err: Error | null, c: Conn) => void): void }).getConnection((err, c) =>
              err ? reject(err) : resolve(c),
            ),
          );
          const viaQuery = await new Promise<Error | null>((resolve) => conn.query('SELECT * FROM no_such_table', resolve));
          const viaExecute = await new Promise<Error | null>((resolve) =>
            conn.execute('SELECT * FROM no_such_table WHERE 1 = ?', [1], resolve),
          );
          const fine = await new Promise<Error | null>((resolve) => conn.query('SELECT 1', resolve));
          conn.release();
          expect([viaQuery?.message, viaExecute?.message, fine]).toEqual([
            `reviewed on ${conn.threadId}`,
            `reviewed on ${conn.threadId}`,
            null,
          ]);
          expect(seen).toEqual(['ER_NO_SUCH_TABLE', 'ER_NO_SUCH_TABLE']);
        } finally {
          await new Promise((resolve) => pool.end(resolve));
        }
      });

      it('mysql: on a server without Galera (wsrep off) the pool leaves causal reads alone', async () => {
        if (ctx().kind !== 'mysql') return;
        const [row] = await ctx().dataSource.query<{ w: number | string; on_: string }[]>(
          'SELECT @@SESSION.wsrep_sync_wait AS w, @@GLOBAL.wsrep_on AS on_',
        );
        expect([Number(row.w), Number(row.on_)]).toEqual([0, 0]);
      });
    }

    if (process.env.TEST_DATABASE_URL) {
      it('mysql: the cluster migration lock row is refreshed while held, so a waiter never takes it from a live holder', async () => {
        if (ctx().kind !== 'mysql') return;
        const timing = { refreshS: 1, staleS: 3, waitS: 30 };
        const a = ctx().dataSource.createQueryRunner();
        const b = ctx().dataSource.createQueryRunner();
        try {
          const held = await takeClusterLock(a, dialect(), timing);
          let bGot = false;
          const waiting = takeClusterLock(b, dialect(), timing).then((lock) => {
            bGot = true;
            return lock;
          });
          // Twice the stale bound: without the refresh, b would have taken the row over.
          await sleep(6_500);
          expect(bGot).toBe(false);
          await held.release();
          const second = await waiting;
          expect(bGot).toBe(true);
          await second.release();
          expect(await ctx().db.query('SELECT name FROM kamprov_migration_lock')).toEqual([]);
          // A row its holder stopped refreshing (it died) is taken over once stale.
          await ctx().db.exec(
            "INSERT INTO kamprov_migration_lock (name, holder, taken_at) VALUES ('migrations', 'dead', UNIX_TIMESTAMP() - 10)",
          );
          const takeover = await takeClusterLock(b, dialect(), timing);
          expect(await ctx().db.query<{ holder: string }>('SELECT holder FROM kamprov_migration_lock')).not.toEqual([{ holder: 'dead' }]);
          await takeover.release();
        } finally {
          await a.release();
          await b.release();
        }
      }, 30_000);
    }

    if (process.env.TEST_PG_URL) {
      it('postgres: a deadlock (40P01) is transient, and so is a serialization failure (40001)', async () => {
        if (ctx().kind !== 'postgres') return;
        const d = dialect();
        const n = 4795000000 + Math.floor(Math.random() * 1_000_000);
        await ctx().db.exec('INSERT INTO kamprov_numbers (number) VALUES (?), (?)', [n, n + 1]);
        const a = ctx().dataSource.createQueryRunner();
        const b = ctx().dataSource.createQueryRunner();
        const lock = 'SELECT id FROM kamprov_numbers WHERE number = ? FOR UPDATE';
        try {
          await a.startTransaction();
          await b.startTransaction();
          await a.query(lock, [n]);
          await b.query(lock, [n + 1]);
          const results = await Promise.allSettled([a.query(lock, [n + 1]), b.query(lock, [n])]);
          const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
          expect(failed).toHaveLength(1);
          expect((failed[0].reason as { driverError?: { code?: string } }).driverError?.code).toBe('40P01');
          expect(d.isTransient(failed[0].reason)).toBe(true);
        } finally {
          await a.rollbackTransaction().catch(() => undefined);
          await b.rollbackTransaction().catch(() => undefined);
          await a.release();
          await b.release();
        }
        const serialization = Object.assign(new Error('could not serialize access'), { code: '40001', severity: 'ERROR' });
        expect(d.classify(serialization)).toEqual({ kind: 'transient' });
      });

      it("postgres: em.query in a transaction answers and fails as TypeORM's runner does, and the transaction commits or rolls back whole", async () => {
        if (ctx().kind !== 'postgres') return;
        const d = dialect();
        const n = 4796000000 + Math.floor(Math.random() * 1_000_000) * 4;
        const statements: [string, unknown[]][] = [
          ['INSERT INTO kamprov_numbers (number) VALUES (?), (?)', [n, n + 1]],
          ['SELECT number FROM kamprov_numbers WHERE number BETWEEN ? AND ? ORDER BY number', [n, n + 1]],
          ['UPDATE kamprov_numbers SET number = number + 2 WHERE number = ?', [n + 1]],
          ['DELETE FROM kamprov_numbers WHERE number = ?', [n + 3]],
        ];
        // TypeORM's own answers, in a transaction it runs and rolls back.
        const runner = ctx().dataSource.createQueryRunner();
        const expected: unknown[] = [];
        try {
          await runner.startTransaction();
          for (const [sql, params] of statements) expected.push(await runner.query(sql, params));
        } finally {
          await runner.rollbackTransaction();
          await runner.release();
        }
        const answers = await d.transaction(async (em) => {
          const out: unknown[] = [];
          for (const [sql, params] of statements) out.push(await em.query(sql, params));
          return out;
        });
        expect(answers).toEqual(expected);
        expect(answers[2]).toEqual([[], 1]); // UPDATE: [rows, rowCount]
        // Committed: n stays, n + 1 moved to n + 3 and was deleted there.
        const kept = await ctx().db.query<{ number: string | number }>('SELECT number FROM kamprov_numbers WHERE number BETWEEN ? AND ?', [
          n,
          n + 3,
        ]);
        expect(kept.map((r) => Number(r.number))).toEqual([n]);
        // A failure: TypeORM's error, classified alike, and nothing of the transaction kept.
        const err = await rejection(
          d.transaction(async (em) => {
            await em.query('INSERT INTO kamprov_numbers (number) VALUES (?)', [n + 1]);
            await em.query('INSERT INTO kamprov_numbers (number) VALUES (?)', [n + 1]);
          }),
        );
        expect((err as Error).constructor.name).toBe('QueryFailedError');
        expect((err as { driverError?: { code?: string } }).driverError?.code).toBe('23505');
        expect(d.isUniqueViolation(err)).toBe(true);
        expect(await ctx().db.query('SELECT number FROM kamprov_numbers WHERE number = ?', [n + 1])).toEqual([]);
        // A thrown error rolls back what ran; the connection goes back to the pool usable.
        await expect(
          d.transaction(async (em) => {
            await em.query('INSERT INTO kamprov_numbers (number) VALUES (?)', [n + 2]);
            throw new Error('work failed');
          }),
        ).rejects.toThrow('work failed');
        expect(await ctx().db.query('SELECT number FROM kamprov_numbers WHERE number = ?', [n + 2])).toEqual([]);
      });

      it('postgres: once armed, a statement running past statement_timeout fails (57014) as a database error', async () => {
        if (ctx().kind !== 'postgres') return;
        const d = dialect();
        // Armed at bootstrap (StatementTimeouts): DB_QUERY_TIMEOUT_MS is 5 s.
        const [row] = await ctx().dataSource.query<{ statement_timeout: string }[]>('SHOW statement_timeout');
        expect(row.statement_timeout).toBe('5s');
        const err = await rejection(ctx().dataSource.query('SELECT pg_sleep(6)'));
        expect((err as { driverError?: { code?: string } }).driverError?.code).toBe('57014');
        expect(d.isDatabaseError(err)).toBe(true);
        expect(d.isTransient(err)).toBe(false);
        // The connection is still good.
        await expect(ctx().dataSource.query('SELECT 1 AS one')).resolves.toEqual([{ one: 1 }]);
      }, 15_000);

      it('postgres: poolStats reads pg-pool counters (open, idle, waiting)', async () => {
        if (ctx().kind !== 'postgres') return;
        const d = dialect();
        const runners = Array.from({ length: MEDIUM_POOL_SIZE }, () => ctx().dataSource.createQueryRunner());
        try {
          for (const r of runners) await r.connect();
          const busy = d.poolStats();
          expect(busy).toMatchObject({ driver: 'postgres', total: MEDIUM_POOL_SIZE, idle: 0, queued: 0, max: MEDIUM_POOL_SIZE });
          const waiting = ctx().dataSource.query('SELECT 1');
          await sleep(50);
          expect(d.poolStats().queued).toBe(1);
          await runners[0].release();
          await waiting;
        } finally {
          for (const r of runners) await r.release();
        }
        expect(d.poolStats().idle).toBe(d.poolStats().total);
      });
    }
  },
);
