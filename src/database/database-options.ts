import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import type { DatabaseConfig } from '../config/database.config';
import { guardedMysql2 } from './guarded-mysql';
import { migrations } from './migrations';

/** How long a query may wait for a connection or a lock before it fails as dbfail. */
export const DB_TIMEOUT_MS = 5000;

/**
 * MySQL/MariaDB bounds (see guarded-mysql.ts). A request's first database call fails as
 * dbfail within DB_ACQUIRE_TIMEOUT_MS when no connection can be had (server down, refused,
 * unreachable, pool exhausted); connecting alone is cut at DB_CONNECT_TIMEOUT_MS. One
 * statement may run DB_QUERY_TIMEOUT_MS (a 10,000-row batch of numbers/add_range takes well
 * under a second: the margin is for lock waits under load); then its connection is dropped
 * and its transaction rolled back by the server.
 */
export const DB_CONNECT_TIMEOUT_MS = 3000;
export const DB_ACQUIRE_TIMEOUT_MS = 4000;
export const DB_QUERY_TIMEOUT_MS = 5000;

/**
 * The one place that turns our database config into TypeORM options; the app module
 * and the migration CLI's data source both use it. `synchronize` is never on.
 */
export function buildDataSourceOptions(db: DatabaseConfig, entities: DataSourceOptions['entities']): DataSourceOptions {
  const common = { entities, migrations, migrationsRun: false, synchronize: false, logging: false } as const;
  if (db.type === 'sqlite') {
    if (db.path !== ':memory:') mkdirSync(dirname(db.path), { recursive: true });
    return {
      ...common,
      type: 'better-sqlite3',
      database: db.path,
      // WAL and a busy timeout let Kamailio's db_sqlite read the file while we write it.
      enableWAL: true,
      timeout: DB_TIMEOUT_MS,
    };
  }
  return {
    ...common,
    type: 'mysql',
    connectorPackage: 'mysql2',
    driver: guardedMysql2({ acquireTimeoutMs: DB_ACQUIRE_TIMEOUT_MS, queryTimeoutMs: DB_QUERY_TIMEOUT_MS }),
    host: db.host,
    port: db.port,
    username: db.username,
    password: db.password,
    database: db.database,
    charset: 'utf8mb4',
    poolSize: db.poolSize,
    connectTimeout: DB_CONNECT_TIMEOUT_MS,
    // keepAliveInitialDelay: notice a silently dead peer in ~10 s instead of the OS's 2 h.
    extra: { connectionLimit: db.poolSize, maxIdle: db.poolSize, enableKeepAlive: true, keepAliveInitialDelay: 10_000 },
  };
}
