import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection, Connection } from 'mysql2/promise';

/** A database of the test's own, with a side connection for seeding and checking rows. */
export interface TestDatabase {
  kind: 'sqlite' | 'mysql';
  url: string;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs a statement and returns nothing (DDL, inserts). */
  exec(sql: string, params?: unknown[]): Promise<void>;
  drop(): Promise<void>;
}

export interface DatabaseTarget {
  kind: 'sqlite' | 'mysql';
  create(): Promise<TestDatabase>;
}

const unique = () => `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;

const sqliteTarget: DatabaseTarget = {
  kind: 'sqlite',
  create: () => {
    const dir = mkdtempSync(join(tmpdir(), 'kamprov-test-'));
    const path = join(dir, 'kamprov.sqlite');
    let db: Database.Database | undefined;
    const handle = () => (db ??= new Database(path, { timeout: 5000 }));
    return Promise.resolve({
      kind: 'sqlite' as const,
      url: `sqlite:${path}`,
      query: <T>(sql: string, params: unknown[] = []) => Promise.resolve(handle().prepare(sql).all(...params) as T[]),
      exec: (sql: string, params: unknown[] = []) => {
        handle().prepare(sql).run(...params);
        return Promise.resolve();
      },
      drop: () => {
        db?.close();
        rmSync(dir, { recursive: true, force: true });
        return Promise.resolve();
      },
    });
  },
};

function mysqlTarget(baseUrl: string): DatabaseTarget {
  return {
    kind: 'mysql',
    create: async () => {
      const base = new URL(baseUrl);
      const name = `${base.pathname.replace(/^\//, '') || 'kamprov_test'}_${unique()}`;
      const server = new URL(baseUrl);
      server.pathname = '/';
      const admin = await createConnection({ uri: server.toString() });
      await admin.query(`CREATE DATABASE \`${name}\``);
      await admin.end();
      const url = new URL(baseUrl);
      url.pathname = `/${name}`;
      let conn: Connection | undefined;
      const handle = async () => (conn ??= await createConnection({ uri: url.toString() }));
      return {
        kind: 'mysql' as const,
        url: url.toString(),
        query: async <T>(sql: string, params: unknown[] = []) => {
          const [rows] = await (await handle()).query(sql, params);
          return rows as T[];
        },
        exec: async (sql: string, params: unknown[] = []) => {
          await (await handle()).query(sql, params);
        },
        drop: async () => {
          await conn?.end();
          const dropper = await createConnection({ uri: server.toString() });
          await dropper.query(`DROP DATABASE IF EXISTS \`${name}\``);
          await dropper.end();
        },
      };
    },
  };
}

/**
 * SQLite always; MySQL/MariaDB when TEST_DATABASE_URL is set. With REQUIRE_MYSQL=1 a
 * missing TEST_DATABASE_URL is an error, so CI cannot skip the MariaDB run silently.
 */
export function databaseTargets(): DatabaseTarget[] {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) {
    if (process.env.REQUIRE_MYSQL === '1') {
      throw new Error('REQUIRE_MYSQL=1 but TEST_DATABASE_URL is not set: the MariaDB suite cannot run');
    }
    return [sqliteTarget];
  }
  return [sqliteTarget, mysqlTarget(url)];
}

export const mysqlSkipped = (): boolean => !process.env.TEST_DATABASE_URL;
