import type { ExecuteValues, Pool } from 'mysql2';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { QueryFailedError, type DataSourceOptions, type EntityManager } from 'typeorm';
import { armStatementTimeouts, guardedMysql2, POOL_ACQUIRE_TIMEOUT, type SetupConnection } from './guarded-mysql';
import { driverCode, errorMessage, SqlDialect, type DbFailure, type PoolStats, type RowLock, type Statement } from './sql-dialect';
import { DB_ACQUIRE_TIMEOUT_MS, DB_CONNECT_TIMEOUT_MS, DB_QUERY_TIMEOUT_MS, MIGRATION_LOCK_WAIT_S } from './timeouts';

export interface MysqlConfig {
  type: 'mysql';
  host: string;
  port: number;
  username: string;
  password: string;
  database: string;
  poolSize: number;
  migrationsRun: boolean;
}

/** The bits of mysql2's pool the gauges read (its queues are Denques or arrays). */
interface Mysql2PoolInternals {
  _allConnections?: { length: number };
  _freeConnections?: { length: number };
  _connectionQueue?: { length: number };
  config?: { connectionLimit?: number };
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  POOL_ACQUIRE_TIMEOUT,
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'POOL_CLOSED',
]);
/** mysql2's pool says these in words only (a closed pool during shutdown, a full queue). */
const POOL_MESSAGES = /^(Pool is closed|Queue limit reached|No connections available)\.$/;

/**
 * MySQL/MariaDB through mysql2 (guarded: see guarded-mysql.ts). InnoDB does the locking:
 * every transaction gets a pooled connection of its own. Galera reports a failed
 * certification as a deadlock (1213), so it is transient too.
 */
export class MysqlDialect extends SqlDialect {
  static readonly type = 'mysql';
  static readonly urlPattern = /(mysql|mariadb):\/\/[^/]+\/[A-Za-z0-9_$-]+(\?.*)?/;
  static readonly urlForm = 'mysql://user:pass@host:port/database';
  static readonly driverTypes = ['mysql', 'mariadb'] as const;

  readonly name = 'mysql';
  readonly serialisesTransactions = false;

  /** `mysql://user:pass@host:port/db` (credentials percent-encoded). */
  static parseUrl(url: string, poolSize: number, migrationsRun: boolean): MysqlConfig | undefined {
    if (!/^(mysql|mariadb):\/\//.test(url)) return undefined;
    const u = new URL(url);
    return {
      type: 'mysql',
      host: u.hostname,
      port: u.port ? Number(u.port) : 3306,
      username: decodeURIComponent(u.username),
      password: decodeURIComponent(u.password),
      database: decodeURIComponent(u.pathname.replace(/^\//, '')),
      poolSize,
      migrationsRun,
    };
  }

  static dataSourceOptions(config: MysqlConfig): DataSourceOptions {
    return {
      type: 'mysql',
      connectorPackage: 'mysql2',
      driver: guardedMysql2({
        acquireTimeoutMs: DB_ACQUIRE_TIMEOUT_MS,
        queryTimeoutMs: DB_QUERY_TIMEOUT_MS,
        setup: causalReadsOnGalera,
        review: unavailableNotTimedOut,
      }),
      host: config.host,
      port: config.port,
      username: config.username,
      password: config.password,
      database: config.database,
      charset: 'utf8mb4',
      poolSize: config.poolSize,
      connectTimeout: DB_CONNECT_TIMEOUT_MS,
      // keepAliveInitialDelay: notice a silently dead peer in ~10 s instead of the OS's 2 h.
      extra: { connectionLimit: config.poolSize, maxIdle: config.poolSize, enableKeepAlive: true, keepAliveInitialDelay: 10_000 },
    };
  }

  concat(...parts: string[]): string {
    return `CONCAT(${parts.join(', ')})`;
  }

  insertIgnore(table: string, columns: string[], rows: string): string {
    return `INSERT IGNORE INTO ${table} (${columns.join(', ')}) VALUES ${rows}`;
  }

  ciEquals(left: string, right: string): string {
    // Kamailio's and kamprov's columns use the database's default collation, which ignores
    // case (`*_ci`): a plain `=` does, and keeps the column's index usable (LOWER() would not).
    return `${left} = ${right}`;
  }

  lockClause(mode: RowLock | undefined): string {
    if (!mode) return '';
    // MariaDB has no FOR SHARE; MySQL 8 still accepts LOCK IN SHARE MODE.
    return mode === 'share' ? ' LOCK IN SHARE MODE' : ' FOR UPDATE';
  }

  poolStats(): PoolStats {
    const source = this.source();
    const open = source.isInitialized;
    const p = (source.driver as unknown as { pool?: Mysql2PoolInternals }).pool;
    return {
      driver: this.name,
      total: open ? (p?._allConnections?.length ?? 0) : 0,
      idle: open ? (p?._freeConnections?.length ?? 0) : 0,
      queued: open ? (p?._connectionQueue?.length ?? 0) : 0,
      max: p?.config?.connectionLimit ?? 0,
    };
  }

  /** mysql2's `execute` on TypeORM's (guarded) pool: a prepared statement, cached per connection. */
  override hotRead<T>(sql: string, params: unknown[]): Promise<T[]> {
    const source = this.source();
    const pool = source.isInitialized ? (source.driver as unknown as { pool?: Pool }).pool : undefined;
    if (!pool) return super.hotRead<T>(sql, params);
    return new Promise<T[]>((resolve, reject) => {
      pool.execute(sql, params as ExecuteValues[], (err, rows) => (err ? reject(err) : resolve(rows as T[])));
    });
  }

  /** The open transactions, by the entity manager their work was given (see batch). */
  private readonly transactions = new WeakMap<EntityManager, MysqlTransaction>();

  /**
   * A transaction whose raw statements, START TRANSACTION and COMMIT go straight to mysql2
   * (SqlDialect.rawTransaction). Errors are wrapped as TypeORM wraps them (QueryFailedError),
   * so that they are classified alike; a failed COMMIT is rolled back as TypeORM does.
   *
   * On MariaDB the transaction starts in the same round trip as its first statement when
   * that is a SELECT (`BEGIN NOT ATOMIC START TRANSACTION; SELECT ...; END`: an anonymous
   * compound statement, one statement to the protocol, so no multi-statement flag on the
   * connection), and batch() can send its last statements with the COMMIT. Elsewhere (MySQL)
   * START TRANSACTION goes alone, before the first statement, as before.
   */
  override transaction<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.rawTransaction(work, (connection, em) => {
      const conn = connection as RawConnection;
      const tx: MysqlTransaction = { conn, compound: isMariaDb(conn), begun: false, committed: false };
      this.transactions.set(em, tx);
      const begin = async (): Promise<void> => {
        if (tx.begun) return;
        tx.begun = true;
        await rawQuery(conn, 'START TRANSACTION');
      };
      return {
        begin,
        query: async (sql, params) => {
          if (!tx.begun && tx.compound && /^\s*SELECT\b/i.test(sql)) {
            tx.begun = true;
            // Two results: the SELECT's rows, then the compound statement's own OK.
            const [rows] = await rawQuery<[unknown, unknown]>(conn, `BEGIN NOT ATOMIC START TRANSACTION; ${sql}; END`, params);
            return rows;
          }
          await begin();
          return rawQuery(conn, sql, params);
        },
        commit: async () => {
          if (tx.begun && !tx.committed) await rawQuery(conn, 'COMMIT');
        },
        // (After a COMMIT sent by batch there is no transaction left: ROLLBACK does nothing.)
        rollback: async () => {
          if (tx.begun) await rawQuery(conn, 'ROLLBACK');
        },
      };
    });
  }

  /**
   * On MariaDB, the statements in one round trip: `BEGIN NOT ATOMIC s1; s2; ...; END`, a
   * compound statement that stops at the first statement that fails and returns its error
   * (code and message as if it had been sent alone); with `last`, COMMIT is its last
   * statement, so the transaction commits in the same round trip (a failed certification
   * on Galera fails the COMMIT, and so the compound statement: the Transactor retries as
   * ever). Parameters are bound by mysql2 (escaped into the text, as for every em.query).
   */
  override async batch(em: EntityManager, statements: Statement[], last = false): Promise<void> {
    const tx = this.transactions.get(em);
    if (!tx?.compound) return super.batch(em, statements, last);
    const parts = statements.map((s) => s.sql);
    if (!tx.begun) parts.unshift('START TRANSACTION');
    if (last) parts.push('COMMIT');
    tx.begun = true;
    await rawQuery(
      tx.conn,
      `BEGIN NOT ATOMIC ${parts.join('; ')}; END`,
      statements.flatMap((s) => s.params),
    );
    if (last) tx.committed = true;
  }

  /**
   * A named lock (`GET_LOCK`), held on a connection of its own for the whole migration.
   * On a Galera node that is not enough: named locks are local to a node, so instances on
   * different nodes would migrate at once. There a row of `kamprov_migration_lock` is the
   * lock as well: its primary key is certified cluster-wide, so one INSERT wins and the
   * others wait until it is deleted (or older than the wait bound: its holder died).
   */
  override async withMigrationLock<T>(work: () => Promise<T>): Promise<T> {
    const runner = this.source().createQueryRunner();
    try {
      const [row] = (await runner.query(`SELECT GET_LOCK('kamprov_migrations', ${MIGRATION_LOCK_WAIT_S}) AS got`)) as {
        got: number | string | null;
      }[];
      if (Number(row?.got) !== 1) throw new Error(`another instance held the migration lock for ${MIGRATION_LOCK_WAIT_S} s`);
      try {
        const clusterLock = (await isGaleraNode(runner)) ? await takeClusterLock(runner, this) : undefined;
        try {
          return await work();
        } finally {
          await clusterLock?.release().catch(() => undefined);
        }
      } finally {
        await runner.query("SELECT RELEASE_LOCK('kamprov_migrations')").catch(() => undefined);
      }
    } finally {
      await runner.release();
    }
  }

  /**
   * A Galera node outside the primary component (cut off from the others, or still
   * joining) answers `SELECT 1` but refuses every read and write of a table (1047): it is
   * not ready, so that a load balancer sends requests to the nodes that are.
   */
  override async unavailability(): Promise<string | undefined> {
    // A plain MariaDB says wsrep_ready=OFF too: only a node with wsrep on is asked.
    if (!(await isGaleraNode(this.source()))) return undefined;
    const ready = shownValue(await this.source().query(WSREP_READY));
    return ready === undefined || ready === 'ON' ? undefined : `the Galera node is not in the primary component (wsrep_ready=${ready})`;
  }

  override armStatementTimeouts(): void {
    armStatementTimeouts(this.source());
  }

  classify(err: unknown): DbFailure | undefined {
    const code = driverCode(err);
    if (!code) return POOL_MESSAGES.test(errorMessage(err)) ? { kind: 'other' } : undefined;
    switch (code) {
      case 'ER_DUP_ENTRY':
        return { kind: 'unique', key: keyOf(errorMessage(err)) };
      case 'ER_NO_REFERENCED_ROW':
      case 'ER_NO_REFERENCED_ROW_2':
      case 'ER_ROW_IS_REFERENCED':
      case 'ER_ROW_IS_REFERENCED_2':
        return { kind: 'foreign-key' };
      case 'ER_LOCK_DEADLOCK': // 1213, and Galera's failed certification
        return { kind: 'transient' };
      case 'ER_TRUNCATED_WRONG_VALUE_FOR_FIELD': {
        // 1366 also reports bad numbers; "Incorrect string value" is a character the column's set lacks.
        const column = unrepresentableColumnOf(errorMessage(err));
        if (column !== null) return { kind: 'unrepresentable', column };
        break;
      }
      case 'ER_LOCK_WAIT_TIMEOUT': // 1205
        return { kind: 'transient', lockWait: true };
      case 'ER_UNKNOWN_COM_ERROR': // 1047: a Galera node outside the primary component ("WSREP has not yet prepared node for application use")
        return { kind: 'other' }; // unavailable (dbfail), not worth a retry here: a load balancer moves on to a node that is ready
      case 'PROTOCOL_SEQUENCE_TIMEOUT': // mysql2's query timeout: kamprov's statement timeout (guarded-mysql.ts)
      case 'ER_STATEMENT_TIMEOUT': // MariaDB max_statement_time (1969)
      case 'ER_QUERY_TIMEOUT': // MySQL max_execution_time (3024)
        return { kind: 'timeout' };
    }
    if (code.startsWith('ER_') || code.startsWith('PROTOCOL_') || NETWORK_CODES.has(code)) return { kind: 'other' };
    return undefined;
  }
}

/** A pooled mysql2 connection (guarded: statement timeout) as the transaction uses it. */
interface RawConnection {
  query(sql: string, params: unknown[] | undefined, cb: (err: Error | null, result: unknown) => void): unknown;
  /** Set by mysql2 from the server's handshake. */
  _isMariaDB?: boolean;
}

/** One transaction of MysqlDialect.transaction. */
interface MysqlTransaction {
  conn: RawConnection;
  /** The server runs anonymous compound statements (MariaDB). */
  compound: boolean;
  /** START TRANSACTION has been sent. */
  begun: boolean;
  /** batch() sent the COMMIT. */
  committed: boolean;
}

/** Whether the connection's server is MariaDB (mysql2 reads it from the handshake). */
const isMariaDb = (conn: RawConnection): boolean => conn._isMariaDB === true;

/** One statement on `conn`; a failure as TypeORM reports it (QueryFailedError around mysql2's error). */
function rawQuery<T>(conn: RawConnection, sql: string, params?: unknown[]): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    conn.query(sql, params, (err, result) => (err ? reject(new QueryFailedError(sql, params, err)) : resolve(result as T)));
  });
}

export type Runner = { query(sql: string, params?: unknown[]): Promise<unknown> };

/** Whether wsrep is on (a Galera node), and whether the node is in the primary component. */
const WSREP_ON = "SHOW VARIABLES LIKE 'wsrep_on'";
const WSREP_READY = "SHOW STATUS LIKE 'wsrep_ready'";
/** The `Value` of a one-row SHOW VARIABLES/STATUS answer (undefined without the variable: MySQL). */
const shownValue = (rows: unknown): string | undefined => (rows as { Value?: string }[])[0]?.Value;

/** Whether the server is a node of a Galera cluster (wsrep on); MySQL without the variable is not. */
async function isGaleraNode(runner: Runner): Promise<boolean> {
  return shownValue(await runner.query(WSREP_ON)) === 'ON';
}

/** Connections whose reads wait for the cluster (causalReadsOnGalera turned it on). */
const causalConnections = new WeakSet<SetupConnection>();

/**
 * Every new connection to a Galera node reads causally: `wsrep_sync_wait` gets the READ bit
 * (SELECT, SHOW, START TRANSACTION; prepared statements and compound statements alike), so
 * before it reads, the node applies every write set the cluster committed before the read
 * began. Without it a node may lag its peers by a few write sets: behind a load balancer,
 * a user answered `ok` by one instance could be `nonexistant` to the next request on
 * another (phone/add, alias/add, user/get). The bits the server's own setting has are kept.
 * A plain MariaDB or MySQL (wsrep off or absent) is left alone: one SHOW per connection.
 */
export function causalReadsOnGalera(conn: SetupConnection, done: (err?: Error | null) => void): void {
  const timeout = DB_ACQUIRE_TIMEOUT_MS;
  conn.query({ sql: WSREP_ON, timeout }, (err, rows) => {
    if (err) return done(err);
    if (shownValue(rows) !== 'ON') return done();
    conn.query({ sql: 'SET SESSION wsrep_sync_wait = @@GLOBAL.wsrep_sync_wait | 1', timeout }, (setErr) => {
      if (!setErr) causalConnections.add(conn);
      done(setErr);
    });
  });
}

/**
 * On a node outside the primary component a causal read cannot wait for the cluster, and
 * fails as a lock wait timeout (1205) where a plain read is refused with 1047 (a prepared
 * statement, a SELECT without a table). A 1205 on a causal connection whose node is not
 * ready (`wsrep_ready`) is reported as the 1047 it stands for: unavailable (503 dbfail),
 * not a timeout (504) worth retrying.
 */
export function unavailableNotTimedOut(
  conn: SetupConnection,
  err: Error & { code?: string; errno?: number },
  done: (err: Error & { code?: string }) => void,
): void {
  if (err.errno !== 1205 || !causalConnections.has(conn)) return done(err);
  conn.query({ sql: WSREP_READY, timeout: DB_ACQUIRE_TIMEOUT_MS }, (statusErr, rows) => {
    if (statusErr || shownValue(rows) === 'ON') return done(err);
    done(
      Object.assign(new Error('WSREP has not yet prepared node for application use (a causal read outside the primary component)'), {
        code: 'ER_UNKNOWN_COM_ERROR',
        errno: 1047,
        sqlState: '08S01',
      }),
    );
  });
}

const CLUSTER_LOCK_TABLE = 'kamprov_migration_lock';
/** How often a holder refreshes its lock row, and after how long without a refresh the row is a dead holder's. */
const CLUSTER_LOCK_REFRESH_S = 5;
const CLUSTER_LOCK_STALE_S = 30;

/**
 * Takes the cluster-wide migration lock: an autocommitted INSERT of the one row. A
 * duplicate key (the row is there) or a failed certification (another node inserted it at
 * the same moment: 1213) means another instance holds it; then it waits. The holder
 * refreshes its row every CLUSTER_LOCK_REFRESH_S while it migrates, however long that
 * takes; a row not refreshed for CLUSTER_LOCK_STALE_S (by the database's clock) was left
 * by a holder that died, and is taken over.
 * Once the INSERT succeeds here, this node has applied everything the holder committed
 * before it released the lock (Galera applies in commit order), migrations included.
 */
export async function takeClusterLock(
  runner: Runner,
  dialect: SqlDialect,
  timing = { refreshS: CLUSTER_LOCK_REFRESH_S, staleS: CLUSTER_LOCK_STALE_S, waitS: MIGRATION_LOCK_WAIT_S },
): Promise<{ release(): Promise<void> }> {
  await runner.query(
    `CREATE TABLE IF NOT EXISTS ${CLUSTER_LOCK_TABLE} (name VARCHAR(32) NOT NULL PRIMARY KEY, holder VARCHAR(64) NOT NULL, taken_at BIGINT NOT NULL) ENGINE=InnoDB`,
  );
  const holder = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  const deadline = Date.now() + timing.waitS * 1000;
  for (;;) {
    try {
      await runner.query(`INSERT INTO ${CLUSTER_LOCK_TABLE} (name, holder, taken_at) VALUES ('migrations', ?, UNIX_TIMESTAMP())`, [holder]);
      const refresh = setInterval(() => {
        runner
          .query(`UPDATE ${CLUSTER_LOCK_TABLE} SET taken_at = UNIX_TIMESTAMP() WHERE name = 'migrations' AND holder = ?`, [holder])
          .catch(() => undefined); // a missed refresh is retried at the next tick; the stale bound allows several
      }, timing.refreshS * 1000);
      return {
        release: async () => {
          clearInterval(refresh);
          await runner.query(`DELETE FROM ${CLUSTER_LOCK_TABLE} WHERE name = 'migrations' AND holder = ?`, [holder]);
        },
      };
    } catch (err) {
      if (!dialect.isUniqueViolation(err) && !dialect.isTransient(err)) throw err;
    }
    if (Date.now() > deadline) throw new Error(`another instance held the cluster's migration lock for ${timing.waitS} s`);
    // A holder that died (its row not refreshed within the bound) left the lock behind: it is removed, and the INSERT tried again.
    await runner
      .query(`DELETE FROM ${CLUSTER_LOCK_TABLE} WHERE name = 'migrations' AND taken_at < UNIX_TIMESTAMP() - ${timing.staleS}`)
      .catch((err: unknown) => {
        if (!dialect.isTransient(err)) throw err;
      });
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * "Incorrect string value: '\xD0\x9F...' for column `db`.`table`.`col` at row 1" (MariaDB) or
 * "... for column 'col' at row 1" (MySQL 8) -> `col` (undefined if unnamed); null for
 * another 1366 (an incorrect number).
 */
function unrepresentableColumnOf(message: string): string | undefined | null {
  if (!/^Incorrect string value/.test(message)) return null;
  const m = /for column ((?:`[^`]*`\.)*`([^`]+)`|'([^']+)')/.exec(message);
  return m ? (m[2] ?? m[3]) : undefined;
}

/** "Duplicate entry 'x' for key 'name'" (MariaDB) or "... for key 'table.name'" (MySQL 8). */
function keyOf(message: string): string | undefined {
  const m = /for key '([^']+)'/.exec(message);
  if (!m) return undefined;
  const key = m[1];
  return key.slice(key.lastIndexOf('.') + 1);
}
