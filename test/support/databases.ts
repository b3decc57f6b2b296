import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection, Connection } from 'mysql2/promise';
import { Client } from 'pg';
import { toNumberedPlaceholders } from '../../src/database/postgres-placeholders';

/** A database of the test's own, with a side connection for seeding and checking rows. */
export type DatabaseKind = 'sqlite' | 'mysql' | 'postgres';

export interface TestDatabase {
  kind: DatabaseKind;
  url: string;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs a statement and returns nothing (DDL, inserts). */
  exec(sql: string, params?: unknown[]): Promise<void>;
  drop(): Promise<void>;
}

export interface DatabaseTarget {
  kind: DatabaseKind;
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
      query: <T>(sql: string, params: unknown[] = []) =>
        Promise.resolve(
          handle()
            .prepare(sql)
            .all(...params) as T[],
        ),
      exec: (sql: string, params: unknown[] = []) => {
        handle()
          .prepare(sql)
          .run(...params);
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
 * A fresh PostgreSQL database per suite on the server of `baseUrl` (its database name is
 * the prefix). Seeding SQL may use `?` placeholders, as on the other targets.
 */
function postgresTarget(baseUrl: string): DatabaseTarget {
  return {
    kind: 'postgres',
    create: async () => {
      const base = new URL(baseUrl);
      const name = `${base.pathname.replace(/^\//, '') || 'kamprov_test'}_${unique()}`.toLowerCase();
      const server = new URL(baseUrl);
      server.pathname = '/postgres';
      const admin = new Client({ connectionString: server.toString() });
      await admin.connect();
      await admin.query(`CREATE DATABASE "${name}"`);
      await admin.end();
      const url = new URL(baseUrl);
      url.pathname = `/${name}`;
      let conn: Client | undefined;
      const handle = async () => {
        if (!conn) {
          const c = new Client({ connectionString: url.toString() });
          await c.connect();
          conn = c;
        }
        return conn;
      };
      const run = async (sql: string, params: unknown[]) =>
        (await handle()).query(params.length > 0 ? toNumberedPlaceholders(sql) : sql, params);
      return {
        kind: 'postgres' as const,
        url: url.toString(),
        query: async <T>(sql: string, params: unknown[] = []) => (await run(sql, params)).rows as T[],
        exec: async (sql: string, params: unknown[] = []) => {
          await run(sql, params);
        },
        drop: async () => {
          await conn?.end();
          const dropper = new Client({ connectionString: server.toString() });
          await dropper.connect();
          await dropper.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
          await dropper.end();
        },
      };
    },
  };
}

/**
 * SQLite always; MySQL/MariaDB when TEST_DATABASE_URL is set; PostgreSQL when TEST_PG_URL
 * is set. With REQUIRE_MYSQL=1 / REQUIRE_PG=1 a missing URL is an error, so CI cannot skip
 * the MariaDB or PostgreSQL run silently.
 */
export function databaseTargets(): DatabaseTarget[] {
  const targets = [sqliteTarget];
  const url = process.env.TEST_DATABASE_URL;
  if (url) targets.push(mysqlTarget(url));
  else if (process.env.REQUIRE_MYSQL === '1') {
    throw new Error('REQUIRE_MYSQL=1 but TEST_DATABASE_URL is not set: the MariaDB suite cannot run');
  }
  const pgUrl = process.env.TEST_PG_URL;
  if (pgUrl) targets.push(postgresTarget(pgUrl));
  else if (process.env.REQUIRE_PG === '1') {
    throw new Error('REQUIRE_PG=1 but TEST_PG_URL is not set: the PostgreSQL suite cannot run');
  }
  return targets;
}

export const mysqlSkipped = (): boolean => !process.env.TEST_DATABASE_URL;
export const postgresSkipped = (): boolean => !process.env.TEST_PG_URL;

/** The loud skip of the targets this run leaves out (for suites that loop over databaseTargets). */
export function describeSkippedTargets(title: string): void {
  if (mysqlSkipped()) {
    describe(`${title} [mysql]`, () => {
      it.skip('SKIPPED: set TEST_DATABASE_URL=mysql://root@127.0.0.1:3306/kamprov_test to run on MariaDB', () => undefined);
    });
  }
  if (postgresSkipped()) {
    describe(`${title} [postgres]`, () => {
      it.skip('SKIPPED: set TEST_PG_URL=postgres://postgres@127.0.0.1:5432/kamprov_test to run on PostgreSQL', () => undefined);
    });
  }
}
