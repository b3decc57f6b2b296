import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import type { DatabaseConfig } from '../config/database.config';
import { migrations } from './migrations';

/** How long a query may wait for a connection or a lock before it fails as dbfail. */
export const DB_TIMEOUT_MS = 5000;

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
    host: db.host,
    port: db.port,
    username: db.username,
    password: db.password,
    database: db.database,
    charset: 'utf8mb4',
    poolSize: db.poolSize,
    connectTimeout: DB_TIMEOUT_MS,
    extra: { connectionLimit: db.poolSize, maxIdle: db.poolSize, enableKeepAlive: true },
  };
}
