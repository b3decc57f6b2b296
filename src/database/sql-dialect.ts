import type { DataSource, DataSourceOptions, EntityManager } from 'typeorm';
import { QueryFailedError } from 'typeorm';

/**
 * Row locks for raw reads inside a transaction. `share` reads the latest committed rows
 * and keeps them from changing until commit; `update` also keeps other lockers out.
 */
export type RowLock = 'share' | 'update';

/** One SQL statement with its parameters (`?` placeholders), for SqlDialect.batch. */
export interface Statement {
  sql: string;
  params: unknown[];
}

/** The database pool as the metrics report it. */
export interface PoolStats {
  /** The dialect's name (the `driver` label of the pool gauges). */
  driver: string;
  /** Open connections. */
  total: number;
  /** Open connections that are idle in the pool. */
  idle: number;
  /** Callers waiting for a connection. */
  queued: number;
  /** The pool's bound. */
  max: number;
}

/** What went wrong, in words every dialect speaks. */
export type DbFailure =
  /** A unique key (or the primary key, `PRIMARY`) was violated; `key` is the constraint's name when known. */
  | { kind: 'unique'; key: string | undefined }
  /** A foreign key: the parent row is gone (insert) or children remain (delete). */
  | { kind: 'foreign-key' }
  /**
   * Deadlock, lock wait timeout, serialization or certification failure, busy database: the
   * same transaction may succeed if retried (the Transactor does). `lockWait`: it waited for
   * a lock until a timeout (should retries run out, the answer is error/timeout, not dbfail).
   */
  | { kind: 'transient'; lockWait?: boolean }
  /**
   * A text value the column cannot hold (a character outside the column's character set,
   * e.g. latin1 in an older Kamailio database); `column` is the column's name when known.
   * Retrying cannot help: the request is invalid for this database. The driver's message
   * quotes the value's bytes: never log it.
   */
  | { kind: 'unrepresentable'; column: string | undefined }
  /** A statement ran out of time (kamprov's statement timeout, the server's max statement time): error/timeout. */
  | { kind: 'timeout' }
  /** The database could not do its job in another way (unreachable, failed). */
  | { kind: 'other' };

/** The error code a driver put on an error (mysql2 and better-sqlite3 both use `code`). */
export function driverCode(err: unknown): string | undefined {
  if (err instanceof QueryFailedError) {
    const d = err.driverError as { code?: unknown } | undefined;
    return typeof d?.code === 'string' ? d.code : undefined;
  }
  const c = (err as { code?: unknown } | null)?.code;
  return typeof c === 'string' ? c : undefined;
}

/** The message of an error, or of the driver error TypeORM wrapped. */
export function errorMessage(err: unknown): string {
  if (err instanceof QueryFailedError) {
    const d = err.driverError as { message?: unknown } | undefined;
    if (typeof d?.message === 'string') return d.message;
  }
  const m = (err as { message?: unknown } | null)?.message;
  return typeof m === 'string' ? m : '';
}

/**
 * Every difference between the databases kamprov runs on, behind one object. The app
 * gets the one for its data source by injecting `SqlDialect` (provided by the global
 * DatabaseModule); nothing outside src/database/ asks which database it is. A new
 * database is one new subclass, listed in dialects.ts.
 *
 * Instances made without a data source (db-errors.ts) classify errors only.
 */
export abstract class SqlDialect {
  /** Short name: the `driver` label of the pool metrics, the `type` of DatabaseConfig. */
  abstract readonly name: string;

  /**
   * Whether transactions must be queued in this process (the Transactor does): SQLite's
   * TypeORM drivers share one connection, so concurrent transactions would interleave on it.
   */
  abstract readonly serialisesTransactions: boolean;

  constructor(protected readonly dataSource?: DataSource) {}

  /** String concatenation of SQL expressions. */
  abstract concat(...parts: string[]): string;

  /**
   * An INSERT of `rows` (SQL value tuples, e.g. `(1),(2)`) into `table (columns)` that
   * skips rows a unique key already holds instead of failing.
   */
  abstract insertIgnore(table: string, columns: string[], rows: string): string;

  /**
   * An SQL condition: the expressions `left` and `right` (columns or `?`) are equal
   * ignoring case. For domain names, which are ASCII (host names and IP literals) and
   * compared case-insensitively on every database, including rows other tools wrote in
   * mixed case. A database whose collation already ignores case compares plainly here, so
   * that an index on the column still serves; others compare LOWER() of both sides (keep
   * another indexed column, such as the username, in the same WHERE clause).
   */
  abstract ciEquals(left: string, right: string): string;

  /**
   * The clause appended to a SELECT to lock the rows it reads ('' when no lock or none needed).
   * `of`: the alias of the table whose rows to lock when the SELECT outer-joins others
   * (PostgreSQL cannot lock the nullable side of an outer join; the others lock every row read).
   */
  abstract lockClause(mode: RowLock | undefined, of?: string): string;

  /** The pool's state now. */
  abstract poolStats(): PoolStats;

  /** How a failed statement failed; undefined when `err` is not a database error at all. */
  abstract classify(err: unknown): DbFailure | undefined;

  /**
   * A read that runs on most requests (the key check, user/get, phone/get?mac=,
   * numbers/inpool), on the pool and outside any transaction: a prepared statement where the
   * driver has them (parsed and planned once per connection, rows in the binary protocol),
   * with the same statement timeout as every other query. `sql` takes `?` placeholders;
   * pass integers as strings and keep LIMIT out (mysql2 binds numbers as DOUBLE). Keep the
   * SQL text to a few fixed statements: each is prepared once per pooled connection.
   * Default: an ordinary query.
   */
  hotRead<T>(sql: string, params: unknown[]): Promise<T[]> {
    return this.source().query<T[]>(sql, params);
  }

  /** Runs `work` in a transaction on a connection of its own (or the one, on SQLite). */
  transaction<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.source().transaction(work);
  }

  /**
   * Runs `statements` in order in the transaction of `em`, stopping at the first that fails
   * (its error is thrown; those before it may have run, so a failure is for the transaction
   * to roll back, not to carry on from). With `last`, they are the transaction's last
   * statements: a dialect that can send them in one round trip may commit with them (MariaDB,
   * see MysqlDialect), and `work` must return right after. Default: one statement after the
   * other (the transaction commits when `work` returns, as always).
   */
  async batch(em: EntityManager, statements: Statement[], _last = false): Promise<void> {
    for (const { sql, params } of statements) await em.query(sql, params);
  }

  /**
   * Runs `work` (the migrations) while holding a database-wide lock, so that instances
   * starting together on one database migrate one at a time. Default: no lock (SQLite:
   * migrations run in one BEGIN IMMEDIATE transaction, which is the lock already).
   */
  withMigrationLock<T>(work: () => Promise<T>): Promise<T> {
    return work();
  }

  /**
   * Runs `statement` so that the transaction of `em` survives its failure: code that
   * catches a failed statement (a unique violation) and carries on in the same transaction
   * wraps it in this. MySQL and SQLite fail the statement only; PostgreSQL aborts the
   * whole transaction at its first error unless the statement ran under a savepoint.
   */
  survivable<T>(_em: EntityManager, statement: () => Promise<T>): Promise<T> {
    return statement();
  }

  /**
   * Why a database that answers `SELECT 1` still cannot serve requests (for readiness), or
   * undefined when it can. Default: nothing more to ask.
   */
  unavailability(): Promise<string | undefined> {
    return Promise.resolve(undefined);
  }

  /** Bounds statements once the app serves requests (start-up, with its migrations, may take long). */
  armStatementTimeouts(): void {}

  isUniqueViolation(err: unknown, key?: string): boolean {
    const f = this.classify(err);
    return f?.kind === 'unique' && (key === undefined || f.key === key);
  }

  /** The name of the unique key a violation hit (`PRIMARY` for the primary key); undefined for other errors. */
  uniqueKey(err: unknown): string | undefined {
    const f = this.classify(err);
    return f?.kind === 'unique' ? f.key : undefined;
  }

  /** The column (its name, or '' when unknown) that cannot hold a value of the statement; undefined for other errors. */
  unrepresentableColumn(err: unknown): string | undefined {
    const f = this.classify(err);
    return f?.kind === 'unrepresentable' ? (f.column ?? '') : undefined;
  }

  isForeignKeyViolation(err: unknown): boolean {
    return this.classify(err)?.kind === 'foreign-key';
  }

  /** Deadlock, lock wait timeout, busy: worth retrying the whole transaction. */
  isTransient(err: unknown): boolean {
    return this.classify(err)?.kind === 'transient';
  }

  /** A statement or a lock wait ran out of time: answered error/timeout rather than dbfail. */
  isTimeout(err: unknown): boolean {
    const f = this.classify(err);
    return f?.kind === 'timeout' || (f?.kind === 'transient' && f.lockWait === true);
  }

  /** Errors that mean the database could not do its job (unreachable, locked, timed out, failed). */
  isDatabaseError(err: unknown): boolean {
    if (err instanceof QueryFailedError) return true;
    const name = (err as { name?: unknown } | null)?.name;
    if (typeof name === 'string' && /TypeORM|QueryFailed|ConnectionIsNotSet|CannotConnect/.test(name)) return true;
    return this.classify(err) !== undefined;
  }

  protected source(): DataSource {
    if (!this.dataSource) throw new Error(`this ${this.name} dialect has no data source (it classifies errors only)`);
    return this.dataSource;
  }
}

/** What a dialect class offers before there is a data source: reading its URL and building the options. */
export interface DialectClass<C extends { type: string } = { type: string }> {
  /** DatabaseConfig `type`. */
  readonly type: C['type'];
  /** What DATABASE_URL must look like for this database (checked at boot), and in words. */
  readonly urlPattern: RegExp;
  readonly urlForm: string;
  /** TypeORM's `type`s this dialect drives. */
  readonly driverTypes: readonly string[];
  /** The config for a DATABASE_URL of this database, or undefined if the URL is another's. */
  parseUrl(url: string, poolSize: number, migrationsRun: boolean): C | undefined;
  /** TypeORM's options for this database (without entities and migrations). */
  dataSourceOptions(config: C): DataSourceOptions;
  new (dataSource?: DataSource): SqlDialect;
}
