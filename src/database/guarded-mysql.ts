import * as mysql2 from 'mysql2';
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
 * Connect timeouts are mysql2's own `connectTimeout`, set by mysql-dialect.ts.
 */
export interface GuardOptions {
  acquireTimeoutMs: number;
  queryTimeoutMs: number;
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

function guardConnection(conn: GuardableConnection, queryTimeoutMs: () => number | undefined): void {
  if (conn[GUARDED]) return;
  conn[GUARDED] = true;
  // query (the text protocol); execute (prepared statements: SqlDialect.hotRead) below.
  const guard = (run: AnyFn): AnyFn => {
    return (...args: unknown[]) => {
      const timeout = queryTimeoutMs();
      if (timeout === undefined) return run(...args);
      const first = args[0];
      if (typeof first === 'string') args[0] = { sql: first, timeout };
      else if (first && typeof first === 'object' && (first as { timeout?: number }).timeout === undefined) {
        args[0] = { ...first, timeout };
      }
      const cbIndex = args.findIndex((a) => typeof a === 'function');
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
    if (timeout === undefined || cbIndex < 0) return execute(...args);
    const cb = args[cbIndex] as Callback;
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
    getConnection((err, conn) => {
      clearTimeout(timer);
      const connection = conn as GuardableConnection | undefined;
      if (settled) {
        // The caller has given up; hand the connection back.
        connection?.release();
        return;
      }
      settled = true;
      if (err || !connection) return cb(err);
      guardConnection(connection, () => (armed() ? options.queryTimeoutMs : undefined));
      cb(null, connection);
    });
  };
  return pool;
}

/** The mysql2 module, with createPool wrapped; pass it as TypeORM's `driver`. */
export function guardedMysql2(options: GuardOptions): typeof mysql2 {
  let armed = false;
  const driver = {
    ...mysql2,
    createPool: ((config: mysql2.PoolOptions) =>
      guardPool(mysql2.createPool(config) as unknown as GuardablePool, options, () => armed)) as unknown as typeof mysql2.createPool,
  };
  Object.defineProperty(driver, ARM, { value: () => (armed = true), enumerable: false });
  return driver;
}
