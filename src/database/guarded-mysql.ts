import type * as Mysql2 from 'mysql2';
import type { DataSource } from 'typeorm';

/**
 * mysql2 as TypeORM's MySQL driver (`driver` option), with the two bounds mysql2's pool
 * lacks, so that no request can wait on the database forever:
 *
 * - **acquire deadline**: `pool.getConnection` (waiting in the pool's queue plus connecting)
 *   fails with code `POOL_ACQUIRE_TIMEOUT` after `acquireTimeoutMs`. mysql2 has no
 *   `acquireTimeout`, and `queueLimit` bounds the queue's length, not the wait: ten requests
 *   queued behind ten hung connections would still wait for ever. A connection that arrives
 *   after its caller gave up goes straight back to the pool.
 * - **statement timeout**: every query on a pooled connection gets mysql2's `timeout`
 *   (`queryTimeoutMs`) unless it has one, and a connection whose query timed out is
 *   destroyed (mysql2 would otherwise hand it back to the pool with the late answer still
 *   on the wire). The server then drops the session, which rolls back an open transaction:
 *   a write either commits whole or not at all. Statement timeouts are off until
 *   `armStatementTimeouts` is called once the app has started: migrations (DDL, adopting
 *   a big subscriber table) may legitimately run longer.
 *
 * - **session setup**: a new connection runs `setup` (session variables) before its first
 *   caller gets it, within the acquire deadline; a connection whose setup fails is destroyed
 *   and the caller gets the error. `review` sees every failed statement's error first, with
 *   the connection, and may answer another in its place (mysql-dialect.ts: a causal read on
 *   a Galera node outside the primary component).
 *
 * Connect timeouts are mysql2's own `connectTimeout`, set by mysql-dialect.ts.
 */
export interface GuardOptions {
  acquireTimeoutMs: number;
  queryTimeoutMs: number;
  /** Run once on every new connection before it is used; `done` with an error drops it. */
  setup?: (conn: SetupConnection, done: (err?: Error | null) => void) => void;
  /** Sees every failed statement's error first, and passes it on (or another in its place) to `done`. */
  review?: (conn: SetupConnection, err: Error & { code?: string }, done: (err: Error & { code?: string }) => void) => void;
}

/** What a session setup may do with a new connection: plain queries, each with a timeout. */
export interface SetupConnection {
  query(options: { sql: string; timeout: number }, cb: (err: Error | null, rows: unknown) => void): unknown;
}

export const POOL_ACQUIRE_TIMEOUT = 'POOL_ACQUIRE_TIMEOUT';
const ARM = Symbol('kamprov.armStatementTimeouts');

interface Armable {
  [ARM]?: () => void;
}

/** Turns statement timeouts on for a data source built with guardedMysql2 (no-op otherwise). */
export function armStatementTimeouts(dataSource: DataSource): void {
  const driver = (dataSource.options as { driver?: Armable }).driver;
  driver?.[ARM]?.();
}

type Callback = (err: (Error & { code?: string }) | null, ...rest: unknown[]) => void;
type AnyFn = (...args: unknown[]) => unknown;
const GUARDED = Symbol('kamprov.guarded');

interface GuardableConnection {
  query: AnyFn;
  execute: AnyFn;
  destroy(): void;
  release(): void;
  [GUARDED]?: true;
}

interface GuardablePool {
  getConnection(cb: Callback): void;
}

const PLAIN = Symbol('kamprov.plain');

/**
 * The connection's own (unguarded) query, one object per connection: what setup and review
 * get, so that they see the same connection, and a statement of review's is never reviewed.
 */
function plainOf(conn: GuardableConnection & { [PLAIN]?: SetupConnection }): SetupConnection {
  conn[PLAIN] ??= { query: conn.query.bind(conn) };
  return conn[PLAIN];
}

function guardConnection(conn: GuardableConnection, queryTimeoutMs: () => number | undefined, review?: GuardOptions['review']): void {
  if (conn[GUARDED]) return;
  conn[GUARDED] = true;
  const plain = plainOf(conn);
  /** The caller's callback, with a failure shown to `review` first. */
  const reviewed =
    (cb: Callback): Callback =>
    (err, ...rest) => {
      if (!err || !review) return cb(err, ...rest);
      review(plain, err, (final) => cb(final, ...rest));
    };
  // query (the text protocol); execute (prepared statements: SqlDialect.hotRead) below.
  const guard = (run: AnyFn): AnyFn => {
    return (...args: unknown[]) => {
      const timeout = queryTimeoutMs();
      const cbIndex = args.findIndex((a) => typeof a === 'function');
      if (cbIndex >= 0) args[cbIndex] = reviewed(args[cbIndex] as Callback);
      if (timeout === undefined) return run(...args);
      const first = args[0];
      if (typeof first === 'string') args[0] = { sql: first, timeout };
      else if (first && typeof first === 'object' && (first as { timeout?: number }).timeout === undefined) {
        args[0] = { ...first, timeout };
      }
      if (cbIndex >= 0) {
        const cb = args[cbIndex] as Callback;
        args[cbIndex] = (err: (Error & { code?: string }) | null, ...rest: unknown[]) => {
          if (err?.code === 'PROTOCOL_SEQUENCE_TIMEOUT') conn.destroy();
          cb(err, ...rest);
        };
      }
      return run(...args);
    };
  };
  // execute first PREPAREs a statement new to the connection, and mysql2 times only the
  // EXECUTE that follows: a PREPARE waiting on a table's metadata lock would wait unbounded.
  // One timer over the whole call bounds both; when it fires, the connection is destroyed
  // (leaving the pool) and the caller gets mysql2's own timeout error, classified `timeout`.
  const execute = conn.execute.bind(conn);
  conn.execute = (...args: unknown[]) => {
    const timeout = queryTimeoutMs();
    const cbIndex = args.findIndex((a) => typeof a === 'function');
    if (cbIndex < 0) return execute(...args);
    const cb = reviewed(args[cbIndex] as Callback);
    if (timeout === undefined) {
      args[cbIndex] = cb;
      return execute(...args);
    }
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      const err = new Error(`Query inactivity timeout (${timeout} ms)`) as Error & { code: string };
      err.code = 'PROTOCOL_SEQUENCE_TIMEOUT';
      conn.destroy();
      cb(err);
    }, timeout);
    args[cbIndex] = (err: (Error & { code?: string }) | null, ...rest: unknown[]) => {
      clearTimeout(timer);
      if (settled) return;
      settled = true;
      cb(err, ...rest);
    };
    return execute(...args);
  };
  conn.query = guard(conn.query.bind(conn));
}

function guardPool<P extends GuardablePool>(pool: P, options: GuardOptions, armed: () => boolean): P {
  const getConnection = pool.getConnection.bind(pool);
  pool.getConnection = (cb: Callback) => {
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      const err = new Error(`no database connection within ${options.acquireTimeoutMs} ms`) as Error & { code: string };
      err.code = POOL_ACQUIRE_TIMEOUT;
      cb(err);
    }, options.acquireTimeoutMs);
    const fail = (err: (Error & { code?: string }) | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      cb(err);
    };
    getConnection((err, conn) => {
      const connection = conn as GuardableConnection | undefined;
      if (err || !connection) return fail(err);
      const ready = (setupErr?: Error | null) => {
        if (setupErr) {
          connection.destroy();
          return fail(setupErr);
        }
        guardConnection(connection, () => (armed() ? options.queryTimeoutMs : undefined), options.review);
        if (settled) {
          // The caller has given up; hand the connection back.
          connection.release();
          return;
        }
        settled = true;
        clearTimeout(timer);
        cb(null, connection);
      };
      // A connection is guarded once, after its setup: an unguarded one is new.
      if (connection[GUARDED] || !options.setup) ready();
      else options.setup(plainOf(connection), ready);
    });
  };
  return pool;
}

/**
 * The mysql2 module, with createPool wrapped; pass it as TypeORM's `driver`. mysql2 is
 * loaded here, when a MySQL database is configured, not by every process that imports this.
 */
export function guardedMysql2(options: GuardOptions): typeof Mysql2 {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mysql2 = require('mysql2') as typeof Mysql2;
  let armed = false;
  const driver = {
    ...mysql2,
    createPool: ((config: Mysql2.PoolOptions) =>
      guardPool(mysql2.createPool(config) as unknown as GuardablePool, options, () => armed)) as unknown as typeof mysql2.createPool,
  };
  Object.defineProperty(driver, ARM, { value: () => (armed = true), enumerable: false });
  return driver;
}
