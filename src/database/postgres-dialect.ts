import type * as Pg from 'pg';
import { QueryFailedError, type DataSourceOptions, type EntityManager } from 'typeorm';
import { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { toNumberedPlaceholders } from './postgres-placeholders';
import {
  driverCode,
  errorMessage,
  SqlDialect,
  type DbFailure,
  type PoolStats,
  type RowLock,
  type SeriesInsert,
  type Statement,
} from './sql-dialect';
import { DB_ACQUIRE_TIMEOUT_MS, DB_CONNECT_TIMEOUT_MS, DB_QUERY_TIMEOUT_MS, MIGRATION_LOCK_WAIT_S } from './timeouts';

export interface PostgresConfig {
  type: 'postgres';
  host: string;
  port: number;
  username: string;
  password: string;
  database: string;
  /** The schema kamprov's and Kamailio's tables live in (`?schema=`; default: the server's search_path, usually public). */
  schema?: string;
  poolSize: number;
  migrationsRun: boolean;
}

/*
 * The entities declare their date columns as `datetime` (MySQL's and SQLite's name).
 * TypeORM's PostgreSQL driver converts `datetime` values exactly as `timestamp` ones but
 * its entity validator refuses the name: it is read as `timestamp without time zone`,
 * which is what the migrations create on PostgreSQL.
 */
const normalizeType = PostgresDriver.prototype.normalizeType; // eslint-disable-line @typescript-eslint/unbound-method
PostgresDriver.prototype.normalizeType = function (this: PostgresDriver, column) {
  return column.type === 'datetime' ? 'timestamp without time zone' : normalizeType.call(this, column);
};

/** How long past the server's statement_timeout the client gives up on a silent server. */
const CLIENT_TIMEOUT_SLACK_MS = 1000;
const ARM = Symbol('kamprov.pg.arm');

/** The bits of pg's pool the gauges read (all public in pg-pool). */
interface PgPoolCounts {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
  options: { max?: number };
}

type PgDriver = typeof Pg & { [ARM]?: () => void };

/** What pg's Query takes from a config object, set on a Query made from its text (KamprovClient.preparedQuery). */
interface PreparedFields<R extends Pg.QueryResultRow> {
  name: string;
  values: unknown[];
  query_timeout: number;
  callback: (err: Error | null, result: Pg.QueryResult<R>) => void;
}

const BROKEN = Symbol('kamprov.pg.broken');

/**
 * pg-pool takes its own error listener off a client it hands out: without one of ours, a
 * connection that ends under a checked-out client (the server killed) emits an unhandled
 * 'error' and ends the process. One listener per client, added the first time hotRead has it
 * (not added and removed on every statement), keeps the error on the client; a client with
 * one is not handed out again. (An error while the client is idle in the pool: pg-pool's own
 * listener removes it from the pool.)
 */
function watchForBreakage(client: Pg.PoolClient & { [BROKEN]?: Error }): void {
  if (BROKEN in client) return;
  client[BROKEN] = undefined;
  client.on('error', (err: Error) => (client[BROKEN] = err));
}

/** How KamprovClient.preparedQuery answers. */
type PreparedCallback<R extends Pg.QueryResultRow> = (err: Error | null, result: Pg.QueryResult<R>) => void;

/** A pooled client of guardedPg's pool. */
interface PreparedClient {
  preparedQuery?<R extends Pg.QueryResultRow>(name: string, text: string, values: unknown[], done: PreparedCallback<R>): void;
}

/** What PostgresDialect.batch combines: a plain write, no statement separator, no RETURNING. */
const COMBINABLE = /^\s*(INSERT|UPDATE|DELETE)\s(?![^]*(;|\bRETURNING\b))/i;

/**
 * `pg` as TypeORM's driver (`driver` option), with what kamprov needs of it:
 *
 * - `?` placeholders rewritten to `$n` (postgres-placeholders.ts), so raw SQL is written once.
 * - statement timeouts once armed (after the migrations): the server's `statement_timeout`
 *   (SET on each pooled session before its next statement, outside any transaction) fails
 *   a long statement with 57014 and rolls its transaction back; a server that does not
 *   answer at all (frozen, partitioned) is given up on by the client a second later, and
 *   that connection is destroyed rather than returned to the pool with a late answer on it.
 */
function guardedPg(): PgDriver {
  // Loaded here, when a PostgreSQL database is configured, not by every process that imports this.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pg = require('pg') as typeof Pg;
  let armed = false;
  const queryTimeoutMs = DB_QUERY_TIMEOUT_MS;

  class KamprovClient extends pg.Client {
    private timeoutSet = false;

    // pg's query() is overloaded; TypeORM calls query(text, values) and query(stream);
    // PostgresDialect.hotRead calls query({ name, text, values }): a named prepared statement.
    override query(...args: unknown[]): never {
      const [first] = args;
      const call = (super.query as (...a: unknown[]) => unknown).bind(this);
      const prepared = isPrepared(first) ? first : undefined;
      if (typeof first !== 'string' && !prepared) return call(...args) as never;
      const values = prepared ? prepared.values : args[1];
      const raw = prepared ? prepared.text : (first as string);
      const text = Array.isArray(values) && values.length > 0 ? toNumberedPlaceholders(raw) : raw;
      if (!armed || args.some((a) => typeof a === 'function')) {
        return (prepared ? call({ ...prepared, text }, ...args.slice(1)) : call(text, ...args.slice(1))) as never;
      }
      if (!this.timeoutSet) {
        this.timeoutSet = true;
        (call(`SET statement_timeout = ${queryTimeoutMs}`) as Promise<unknown>).catch(() => undefined);
      }
      const config = {
        ...(prepared ? { name: prepared.name } : {}),
        text,
        values: Array.isArray(values) ? values : undefined,
        query_timeout: queryTimeoutMs + CLIENT_TIMEOUT_SLACK_MS,
      };
      return (call(config) as Promise<unknown>).catch((err: unknown) => this.readTimedOut(err)) as never;
    }

    /**
     * A named prepared statement whose text already has `$n` placeholders (PostgresDialect.hotRead),
     * with query() 's timeouts, without its overload dispatch and without pg's copy of a config
     * object (Object.defineProperties: 3 % of a hot read's time): a Query made from its text alone
     * gets its name and values set, and goes to pg as a submittable. Answers through `done`,
     * without a promise of its own (hotRead makes the one promise of a hot read).
     */
    preparedQuery<R extends Pg.QueryResultRow>(name: string, text: string, values: unknown[], done: PreparedCallback<R>): void {
      if (!armed) {
        super.query<R>({ name, text, values }).then(
          (result) => done(null, result),
          (err: Error) => done(err, undefined as never),
        );
        return;
      }
      if (!this.timeoutSet) {
        this.timeoutSet = true;
        super.query(`SET statement_timeout = ${queryTimeoutMs}`).catch(() => undefined);
      }
      const query = new pg.Query<R>(text) as Pg.Query<R> & PreparedFields<R>;
      query.name = name;
      query.values = values;
      // pg's client reads the timeout off the submittable, as off a config object.
      query.query_timeout = queryTimeoutMs + CLIENT_TIMEOUT_SLACK_MS;
      query.callback = (err, result) => {
        if (err) this.dropIfTimedOut(err);
        done(err, result);
      };
      super.query(query);
    }

    private readTimedOut(err: unknown): never {
      this.dropIfTimedOut(err);
      throw err;
    }

    private dropIfTimedOut(err: unknown): void {
      // pg stops waiting but leaves the statement on the wire: the session is unusable.
      if (errorMessage(err) === 'Query read timeout')
        (this as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    }
  }

  class KamprovPool extends pg.Pool {
    constructor(options?: Pg.PoolConfig) {
      super({ ...options, Client: KamprovClient });
    }
  }

  const driver = Object.create(pg) as PgDriver;
  Object.defineProperty(driver, 'Pool', { value: KamprovPool, enumerable: true });
  Object.defineProperty(driver, 'Client', { value: KamprovClient, enumerable: true });
  driver[ARM] = () => {
    armed = true;
  };
  return driver;
}

/** A pooled pg client as PostgresDialect.transaction uses it (KamprovClient: placeholders, timeouts). */
interface PgConnection {
  query(text: string, values?: unknown[]): Promise<{ command: string; rows: unknown[]; rowCount: number | null }>;
}

/**
 * One statement on `client`, answered as TypeORM's PostgresQueryRunner.query answers it (the
 * rows; `[rows, rowCount]` for UPDATE and DELETE), a failure as TypeORM reports it.
 */
async function rawPgQuery(client: PgConnection, sql: string, params?: unknown[]): Promise<unknown> {
  let raw: Awaited<ReturnType<PgConnection['query']>>;
  try {
    raw = await client.query(sql, params);
  } catch (err) {
    throw new QueryFailedError(sql, params, err as Error);
  }
  return raw.command === 'UPDATE' || raw.command === 'DELETE' ? [raw.rows, raw.rowCount] : raw.rows;
}

/** A named prepared statement for pg: `{ name, text, values }`. */
interface PreparedQuery {
  name: string;
  text: string;
  values?: unknown[];
}

function isPrepared(q: unknown): q is PreparedQuery {
  return !!q && typeof q === 'object' && typeof (q as PreparedQuery).name === 'string' && typeof (q as PreparedQuery).text === 'string';
}

/** pg (and pg-pool) say these in words only. */
const CONNECTION_MESSAGES =
  /^(Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|Client was closed|Cannot use a pool after calling end|Client has already been connected)/;
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND']);

/** The driver error behind a TypeORM error (or the error itself). */
function driverErrorOf(err: unknown): { code?: unknown; constraint?: unknown; severity?: unknown } | undefined {
  const d = (err as { driverError?: unknown } | null)?.driverError ?? err;
  return d && typeof d === 'object' ? d : undefined;
}

/**
 * PostgreSQL through `pg`. Like InnoDB, every transaction gets a pooled connection of
 * its own and row locks do the rest (READ COMMITTED, `FOR SHARE` / `FOR UPDATE`).
 * Errors carry SQLSTATE codes and the violated constraint's name.
 */
export class PostgresDialect extends SqlDialect {
  static readonly type = 'postgres';
  static readonly urlPattern = /postgres(ql)?:\/\/[^/]+\/[A-Za-z0-9_$-]+(\?.*)?/;
  static readonly urlForm = 'postgres://user:pass@host:port/database';
  static readonly driverTypes = ['postgres'] as const;

  readonly name = 'postgres';
  readonly serialisesTransactions = false;
  private savepoints = 0;
  /**
   * Each hot read's prepared statement: its name (pg prepares a name once per connection) and
   * its text with `$n` placeholders, rewritten once rather than on every call.
   */
  private readonly statements = new Map<string, { name: string; text: string }>();

  /** `postgres://user:pass@host:port/db[?schema=name]` (credentials percent-encoded); `postgresql://` too. */
  static parseUrl(url: string, poolSize: number, migrationsRun: boolean): PostgresConfig | undefined {
    if (!/^postgres(ql)?:\/\//.test(url)) return undefined;
    const u = new URL(url);
    const schema = u.searchParams.get('schema') ?? undefined;
    return {
      type: 'postgres',
      host: u.hostname,
      port: u.port ? Number(u.port) : 5432,
      username: decodeURIComponent(u.username),
      password: decodeURIComponent(u.password),
      database: decodeURIComponent(u.pathname.replace(/^\//, '')),
      ...(schema ? { schema } : {}),
      poolSize,
      migrationsRun,
    };
  }

  static dataSourceOptions(config: PostgresConfig): DataSourceOptions {
    return {
      type: 'postgres',
      driver: guardedPg(),
      host: config.host,
      port: config.port,
      username: config.username,
      password: config.password,
      database: config.database,
      ...(config.schema ? { schema: config.schema } : {}),
      poolSize: config.poolSize,
      applicationName: 'kamprov',
      // pg-pool's connectionTimeoutMillis bounds the whole acquire: the wait in the queue and connecting.
      connectTimeoutMS: Math.max(DB_ACQUIRE_TIMEOUT_MS, DB_CONNECT_TIMEOUT_MS),
      // keepAlive: notice a silently dead peer in ~10 s instead of the OS's 2 h.
      extra: { keepAlive: true, keepAliveInitialDelayMillis: 10_000 },
    };
  }

  /**
   * A transaction on one pooled connection whose raw statements (`em.query`, what every
   * write path sends), BEGIN and COMMIT go straight to pg, as MysqlDialect does with mysql2:
   * TypeORM's QueryRunner adds, per statement, an await for the connection, a broadcast
   * before and after, a result object, and its transaction events around BEGIN and COMMIT;
   * add_local's five round trips paid that five times (kamprov's CPU per add_local was
   * 0.9 ms here against 0.6 ms on MariaDB, whose transaction is raw). `em.query` answers
   * what TypeORM's answers (the rows; `[rows, rowCount]` for UPDATE and DELETE) and fails
   * as it fails (QueryFailedError around pg's error, so failures are classified alike).
   * See SqlDialect.rawTransaction.
   */
  override transaction<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.rawTransaction(work, (connection) => {
      const client = connection as PgConnection;
      let begun = false;
      const begin = async (): Promise<void> => {
        if (begun) return;
        begun = true;
        await rawPgQuery(client, 'BEGIN');
      };
      return {
        begin,
        query: async (sql, params) => {
          await begin();
          return rawPgQuery(client, sql, params);
        },
        commit: async () => {
          if (begun) await rawPgQuery(client, 'COMMIT');
        },
        rollback: async () => {
          if (begun) await rawPgQuery(client, 'ROLLBACK');
        },
      };
    });
  }

  /** A named prepared statement on TypeORM's pool (its client applies the statement timeout). */
  override hotRead<T>(sql: string, params: unknown[]): Promise<T[]> {
    const source = this.source();
    const pool = source.isInitialized ? (source.driver as unknown as { master?: Pg.Pool }).master : undefined;
    if (!pool) return super.hotRead<T>(sql, params);
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = { name: `kamprov_hot_${this.statements.size + 1}`, text: toNumberedPlaceholders(sql) };
      this.statements.set(sql, statement);
    }
    // Callbacks, and one promise for the whole read (pool.connect() and an async body made six):
    // each promise is allocated, scheduled and collected per request.
    return new Promise<T[]>((resolve, reject) => {
      pool.connect((connectError, pooled) => {
        if (connectError || !pooled) return reject(connectError ?? new Error('pg-pool gave no client'));
        const client = pooled as Pg.PoolClient & PreparedClient & { [BROKEN]?: Error };
        watchForBreakage(client);
        const done = (failure: Error | null, result?: Pg.QueryResult<T & Pg.QueryResultRow>) => {
          // A client whose connection failed (no SQLSTATE: not the statement's own error) or whose
          // statement timed out on the client side is discarded, not handed out again.
          const connectionLevel =
            failure && ((failure as { severity?: string }).severity === undefined || errorMessage(failure) === 'Query read timeout');
          try {
            client.release(client[BROKEN] ?? (connectionLevel ? failure : undefined));
          } catch (err) {
            return reject(err instanceof Error ? err : new Error(String(err)));
          }
          if (failure) reject(failure);
          else resolve(result!.rows);
        };
        try {
          if (client.preparedQuery) client.preparedQuery<T & Pg.QueryResultRow>(statement.name, statement.text, params, done);
          else client.query<T & Pg.QueryResultRow>({ ...statement, values: params }).then((result) => done(null, result), done);
        } catch (err) {
          done(err as Error);
        }
      });
    });
  }

  concat(...parts: string[]): string {
    // || on text; the casts let a number column (numbers' E.164) join a string.
    return parts.map((p) => `CAST(${p} AS TEXT)`).join(' || ');
  }

  insertIgnore(table: string, columns: string[], rows: string): string {
    return `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${rows} ON CONFLICT DO NOTHING`;
  }

  /**
   * The first statement on its own, then the others in one round trip: `WITH kamprov_b0 AS
   * (s2), kamprov_b1 AS (s3) s4`, one statement whose data-modifying CTEs each run once and
   * to completion, in no order PostgreSQL sets (in practice the main statement first, then
   * the CTEs from the last). The first statement is the one that decides races (add_local's
   * address claim): every writer of an address takes its key first, so the order among the
   * rest cannot deadlock; all of them in one statement did (the concurrency suite caught the
   * claim going last). The combined statement fails whole at the first error, with that
   * error's SQLSTATE and constraint; foreign keys are checked at its end. pg sends no several
   * statements with parameters, so COMMIT stays a round trip of its own; add_local goes from
   * seven round trips to five. Only plain INSERT, UPDATE and DELETE statements are combined;
   * anything else runs one after the other.
   */
  override async batch(em: EntityManager, statements: Statement[], last = false): Promise<void> {
    if (statements.length < 3 || !statements.every((s) => COMBINABLE.test(s.sql))) return super.batch(em, statements, last);
    const [first, ...rest] = statements;
    await em.query(first.sql, first.params);
    const head = rest.slice(0, -1).map((s, i) => `kamprov_b${i} AS (${s.sql})`);
    await em.query(
      `WITH ${head.join(', ')} ${rest[rest.length - 1].sql}`,
      rest.flatMap((s) => s.params),
    );
  }

  /**
   * generate_series, less what the range of the unique index already holds (a million in 5.5 s
   * against 9 s as VALUES); `fast` without ON CONFLICT (measured alone, a million in 50,000s:
   * 4.3 s against 8 s with it; in 100,000s without it, 3.3 s).
   */
  override insertSeries(table: string, column: string, lo: number, hi: number): SeriesInsert {
    if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hi)) throw new Error(`insertSeries: ${lo}..${hi} are not integers`);
    const fast =
      `INSERT INTO ${table} (${column}) SELECT g FROM generate_series(${lo}::bigint, ${hi}::bigint) g ` +
      `LEFT JOIN ${table} t ON t.${column} = g AND t.${column} BETWEEN ${lo} AND ${hi} WHERE t.${column} IS NULL`;
    return { fast, safe: `${fast} ON CONFLICT DO NOTHING` };
  }

  ciEquals(left: string, right: string): string {
    // Text compares case-sensitively: fold both sides (keep the username in the same WHERE
    // clause so that the composite indexes still serve).
    return `LOWER(${left}) = LOWER(${right})`;
  }

  /** A session-level advisory lock, held on one connection across the migrations. */
  override async withMigrationLock<T>(work: () => Promise<T>): Promise<T> {
    const runner = this.source().createQueryRunner();
    try {
      const deadline = Date.now() + MIGRATION_LOCK_WAIT_S * 1000;
      for (;;) {
        const [row] = (await runner.query("SELECT pg_try_advisory_lock(hashtext('kamprov_migrations')) AS got")) as { got: boolean }[];
        if (row?.got) break;
        if (Date.now() > deadline) throw new Error(`another instance held the migration lock for ${MIGRATION_LOCK_WAIT_S} s`);
        await new Promise((r) => setTimeout(r, 200));
      }
      try {
        return await work();
      } finally {
        await runner.query("SELECT pg_advisory_unlock(hashtext('kamprov_migrations'))").catch(() => undefined);
      }
    } finally {
      await runner.release();
    }
  }

  lockClause(mode: RowLock | undefined, of?: string): string {
    if (!mode) return '';
    return `${mode === 'share' ? ' FOR SHARE' : ' FOR UPDATE'}${of ? ` OF ${of}` : ''}`;
  }

  poolStats(): PoolStats {
    const source = this.source();
    const open = source.isInitialized;
    const p = (source.driver as unknown as { master?: PgPoolCounts }).master;
    return {
      driver: this.name,
      total: open ? (p?.totalCount ?? 0) : 0,
      idle: open ? (p?.idleCount ?? 0) : 0,
      queued: open ? (p?.waitingCount ?? 0) : 0,
      max: p?.options.max ?? 0,
    };
  }

  /** A savepoint around the statement, rolled back to if it fails (then the transaction goes on). */
  override async survivable<T>(em: EntityManager, statement: () => Promise<T>): Promise<T> {
    const runner = em.queryRunner;
    if (!runner?.isTransactionActive) return statement();
    const name = `kamprov_sp_${++this.savepoints}`;
    await runner.query(`SAVEPOINT ${name}`);
    try {
      const result = await statement();
      await runner.query(`RELEASE SAVEPOINT ${name}`);
      return result;
    } catch (err) {
      await runner.query(`ROLLBACK TO SAVEPOINT ${name}`);
      throw err;
    }
  }

  override armStatementTimeouts(): void {
    (this.source().options as { driver?: PgDriver }).driver?.[ARM]?.();
  }

  classify(err: unknown): DbFailure | undefined {
    const d = driverErrorOf(err);
    const code = driverCode(err) ?? (typeof d?.code === 'string' ? d.code : undefined);
    const sqlstate = code !== undefined && /^[0-9A-Z]{5}$/.test(code) && typeof d?.severity === 'string';
    if (!sqlstate) {
      if (code && NETWORK_CODES.has(code)) return { kind: 'other' };
      return CONNECTION_MESSAGES.test(errorMessage(err)) ? { kind: 'other' } : undefined;
    }
    switch (code) {
      case '23505':
        return { kind: 'unique', key: typeof d?.constraint === 'string' ? primaryAsMysql(d.constraint) : undefined };
      case '23503':
        return { kind: 'foreign-key' };
      case '40001': // serialization failure
      case '40P01': // deadlock
        return { kind: 'transient' };
      case '55P03': // lock not available (lock_timeout)
        return { kind: 'transient', lockWait: true };
      case '57014': // query_canceled: kamprov's statement_timeout
        return { kind: 'timeout' };
      case '22P05': // untranslatable_character: the database's encoding cannot hold a value
      case '22021': // character_not_in_repertoire
        return { kind: 'unrepresentable', column: undefined };
    }
    return { kind: 'other' };
  }
}

/**
 * A primary key's constraint is `<table>_pkey` (Kamailio's tables) or TypeORM's `PK_<hash>`
 * (kamprov's) on PostgreSQL; the dialects call it `PRIMARY`.
 */
function primaryAsMysql(constraint: string): string {
  return constraint.endsWith('_pkey') || /^PK_[0-9a-f]+$/.test(constraint) ? 'PRIMARY' : constraint;
}
