import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DataSourceOptions, EntityManager } from 'typeorm';
import { driverCode, errorMessage, SqlDialect, type DbFailure, type PoolStats, type RowLock } from './sql-dialect';
import { DB_QUERY_TIMEOUT_MS, SQLITE_BUSY_SLICE_MS } from './timeouts';

export interface SqliteConfig {
  type: 'sqlite';
  path: string;
  migrationsRun: boolean;
}

/** A unique key as SQLite's schema declares it. */
interface UniqueKey {
  name: string;
  columns: string[];
}

const ident = String.raw`["\x60\[]?(\w+)["\x60\]]?`;
const columnList = (list: string): string[] =>
  list
    .split(',')
    .map((c) =>
      c
        .trim()
        .replace(/^["`[]|["`\]]$/g, '')
        .toLowerCase(),
    )
    .filter((c) => c.length > 0);
const sameColumns = (a: string[], b: string[]): boolean => a.length === b.length && [...a].sort().join() === [...b].sort().join();

/**
 * SQLite through better-sqlite3. One connection: transactions are queued in this process
 * (see Transactor) and need no row locks. SQLite names the columns of a violated unique
 * key, not the key: the key's name is looked up in the table's schema.
 */
export class SqliteDialect extends SqlDialect {
  static readonly type = 'sqlite';
  static readonly urlPattern = /sqlite:.+/;
  static readonly urlForm = 'sqlite:PATH';
  static readonly driverTypes = ['better-sqlite3'] as const;

  readonly name = 'sqlite';
  readonly serialisesTransactions = true;
  private readonly keys = new Map<string, UniqueKey[]>();

  /** `sqlite:PATH`; `sqlite:///abs/path` too. */
  static parseUrl(url: string, _poolSize: number, migrationsRun: boolean): SqliteConfig | undefined {
    if (!url.startsWith('sqlite:')) return undefined;
    let path = url.slice('sqlite:'.length);
    if (path.startsWith('//')) path = path.slice(2); // sqlite:///abs -> /abs
    return { type: 'sqlite', path, migrationsRun };
  }

  static dataSourceOptions(config: SqliteConfig): DataSourceOptions {
    if (config.path !== ':memory:') mkdirSync(dirname(config.path), { recursive: true });
    return {
      type: 'better-sqlite3',
      database: config.path,
      // WAL lets Kamailio's db_sqlite read the file while we write it. better-sqlite3 is
      // synchronous: its busy wait would freeze the event loop (and /health/live) for the
      // whole busy timeout. So it waits a slice only; transactions wait for another
      // process's write lock asynchronously (see transaction()).
      enableWAL: true,
      timeout: SQLITE_BUSY_SLICE_MS,
    };
  }

  concat(...parts: string[]): string {
    return parts.join(' || ');
  }

  insertIgnore(table: string, columns: string[], rows: string): string {
    return `INSERT OR IGNORE INTO ${table} (${columns.join(', ')}) VALUES ${rows}`;
  }

  ciEquals(left: string, right: string): string {
    // `=` is case-sensitive (BINARY collation) in SQLite; LOWER() folds ASCII, all a domain holds.
    return `LOWER(${left}) = LOWER(${right})`;
  }

  lockClause(_mode: RowLock | undefined): string {
    // Transactions are queued and start with BEGIN IMMEDIATE: one writer at a time already.
    return '';
  }

  poolStats(): PoolStats {
    return { driver: this.name, total: this.source().isInitialized ? 1 : 0, idle: 0, queued: 0, max: 1 };
  }

  /** BEGIN IMMEDIATE: take the write lock at the start, not at the first write (no upgrade deadlock with Kamailio). */
  override async transaction<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    // SQLite's drivers hand out one shared query runner: patch it for this transaction only.
    const runner = this.source().createQueryRunner();
    // eslint-disable-next-line @typescript-eslint/unbound-method -- restored onto the same object below
    const original = runner.query;
    const query = original.bind(runner);
    // TypeORM's SQLite query runner opens transactions with exactly this statement.
    const run = query as (sql: string, ...rest: unknown[]) => Promise<unknown>;
    runner.query = ((sql: string, ...rest: unknown[]) =>
      sql === 'BEGIN TRANSACTION'
        ? this.beginImmediate(() => run('BEGIN IMMEDIATE TRANSACTION', ...rest))
        : run(sql, ...rest)) as typeof runner.query;
    try {
      return await runner.manager.transaction(work);
    } finally {
      runner.query = original;
      await runner.release();
    }
  }

  /**
   * BEGIN IMMEDIATE, waiting for another process's write lock without blocking the event
   * loop: each try waits SQLITE_BUSY_SLICE_MS at most (better-sqlite3's busy timeout), and
   * a busy one is tried again after a setTimeout backoff, until DB_QUERY_TIMEOUT_MS in all;
   * then the busy error stands (answered error/timeout). Once begun, the transaction holds
   * the write lock: its statements meet no busy database.
   */
  private async beginImmediate<T>(begin: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + DB_QUERY_TIMEOUT_MS;
    for (let wait = 5; ; wait = Math.min(wait * 2, 100)) {
      try {
        return await begin();
      } catch (err) {
        if (!this.isTransient(err) || Date.now() + wait >= deadline) throw err;
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  }

  classify(err: unknown): DbFailure | undefined {
    const code = driverCode(err);
    const name = (err as { name?: unknown } | null)?.name;
    if (!code?.startsWith('SQLITE_')) return name === 'SqliteError' ? { kind: 'other' } : undefined;
    if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
      return { kind: 'unique', key: this.keyOf(errorMessage(err), code === 'SQLITE_CONSTRAINT_PRIMARYKEY') };
    }
    if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return { kind: 'foreign-key' };
    // The busy timeout ran out waiting for another process's lock.
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return { kind: 'transient', lockWait: true };
    return { kind: 'other' };
  }

  /** "UNIQUE constraint failed: t.a, t.b" -> the name of t's unique key on (a, b). */
  private keyOf(message: string, primary: boolean): string | undefined {
    if (primary) return 'PRIMARY';
    const m = /constraint failed: (.+)$/.exec(message);
    if (!m) return undefined;
    const qualified = m[1].split(',').map((c) => c.trim());
    const table = qualified[0]?.split('.')[0];
    const columns = qualified.map((c) => c.slice(c.indexOf('.') + 1).toLowerCase());
    if (!table) return undefined;
    const key = this.uniqueKeys(table).find((k) => sameColumns(k.columns, columns));
    return key?.name;
  }

  /** The table's named unique keys (constraints and unique indexes), read from sqlite_master once. */
  private uniqueKeys(table: string): UniqueKey[] {
    const cached = this.keys.get(table);
    if (cached) return cached;
    const db = (
      this.dataSource?.driver as { databaseConnection?: { prepare(sql: string): { all(...p: unknown[]): unknown[] } } } | undefined
    )?.databaseConnection;
    if (!db) return [];
    const rows = db.prepare('SELECT sql FROM sqlite_master WHERE tbl_name = ? AND sql IS NOT NULL').all(table) as { sql: string }[];
    const keys: UniqueKey[] = [];
    const constraint = new RegExp(String.raw`CONSTRAINT\s+${ident}\s+UNIQUE\s*\(([^)]*)\)`, 'gi');
    const index = new RegExp(String.raw`^\s*CREATE\s+UNIQUE\s+INDEX\s+(?:IF\s+NOT\s+EXISTS\s+)?${ident}\s+ON\s+\S+\s*\(([^)]*)\)`, 'i');
    for (const { sql } of rows) {
      for (const m of sql.matchAll(constraint)) keys.push({ name: m[1], columns: columnList(m[2]) });
      const i = index.exec(sql);
      if (i) keys.push({ name: i[1], columns: columnList(i[2]) });
    }
    this.keys.set(table, keys);
    return keys;
  }
}
