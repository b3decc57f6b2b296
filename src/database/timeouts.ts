/**
 * How long kamprov waits on the database before a request fails as dbfail.
 *
 * DB_QUERY_TIMEOUT_MS bounds one statement: on MySQL/MariaDB its run time (guarded-mysql.ts:
 * a 10,000-row batch of numbers/add_range takes well under a second, the margin is for lock
 * waits under load; then its connection is dropped and its transaction rolled back by the
 * server); on SQLite the wait for the database lock (the busy timeout).
 * MySQL/MariaDB only: a request's first database call fails within DB_ACQUIRE_TIMEOUT_MS
 * when no connection can be had (server down, refused, unreachable, pool exhausted), and
 * connecting alone is cut at DB_CONNECT_TIMEOUT_MS.
 */
export const DB_QUERY_TIMEOUT_MS = 5000;
export const DB_ACQUIRE_TIMEOUT_MS = 4000;
export const DB_CONNECT_TIMEOUT_MS = 3000;

/**
 * A transaction the database aborted for a transient reason (deadlock, lock wait timeout,
 * Galera certification failure, busy SQLite) is run again, up to TX_RETRY_ATTEMPTS times in
 * all, after a random wait of up to TX_RETRY_BASE_MS·2^(n-1) (at most TX_RETRY_MAX_MS).
 */
export const TX_RETRY_ATTEMPTS = 6;
export const TX_RETRY_BASE_MS = 20;
export const TX_RETRY_MAX_MS = 400;

/**
 * A database that does not answer at start-up is tried again after DB_START_RETRY_MIN_MS,
 * doubling up to DB_START_RETRY_MAX_MS between tries, for as long as kamprov runs.
 */
export const DB_START_RETRY_MIN_MS = 500;
export const DB_START_RETRY_MAX_MS = 10_000;

/** How long an instance waits for another's migrations (the migration lock) before it tries again. */
export const MIGRATION_LOCK_WAIT_S = 120;

/** SQLite: better-sqlite3's (synchronous, event-loop blocking) busy wait per try; longer waits are asynchronous. */
export const SQLITE_BUSY_SLICE_MS = 20;
