import type { DataSource, DataSourceOptions } from 'typeorm';
import { MysqlDialect, type MysqlConfig } from './mysql-dialect';
import { PostgresDialect, type PostgresConfig } from './postgres-dialect';
import type { DialectClass, SqlDialect } from './sql-dialect';
import { SqliteDialect, type SqliteConfig } from './sqlite-dialect';

/** The databases kamprov runs on: a new one is a new SqlDialect subclass added here (and its config to DatabaseConfig). */
const DIALECTS = [SqliteDialect, MysqlDialect, PostgresDialect] as const satisfies readonly DialectClass<DatabaseConfig>[];

export type DatabaseConfig = SqliteConfig | MysqlConfig | PostgresConfig;

/** What env validation accepts as DATABASE_URL: any dialect's form. */
export const DATABASE_URL_PATTERN = new RegExp(`^(${DIALECTS.map((d) => `(?:${d.urlPattern.source})`).join('|')})$`);
export const DATABASE_URL_FORMS = DIALECTS.map((d) => d.urlForm).join(' or ');

/** Reads DATABASE_URL: `sqlite:PATH` (`sqlite:///abs/path` too), `mysql://user:pass@host:port/db` or `postgres://user:pass@host:port/db`. */
export function parseDatabaseUrl(url: string, poolSize = 10, migrationsRun = true): DatabaseConfig {
  for (const dialect of DIALECTS) {
    const config = (dialect as DialectClass<DatabaseConfig>).parseUrl(url, poolSize, migrationsRun);
    if (config) return config;
  }
  throw new Error(`DATABASE_URL: no supported database for ${url.replace(/\/\/[^@/]*@/, '//***@')}`);
}

function classFor(type: string): DialectClass<DatabaseConfig> {
  const found = DIALECTS.find((d) => d.type === type);
  if (!found) throw new Error(`no SQL dialect for database type ${type}`);
  return found;
}

/** TypeORM's options for the config's database (without entities and migrations). */
export function dialectDataSourceOptions(config: DatabaseConfig): DataSourceOptions {
  return classFor(config.type).dataSourceOptions(config);
}

/** The dialect of a data source (what DatabaseModule provides as SqlDialect). */
export function dialectFor(dataSource: DataSource): SqlDialect {
  const type = dataSource.options.type;
  const found = DIALECTS.find((d) => (d.driverTypes as readonly string[]).includes(type));
  if (!found) throw new Error(`no SQL dialect for TypeORM driver ${type}`);
  return new found(dataSource);
}

/** One instance of every dialect, without a data source: for classifying errors whatever the database. */
export const errorDialects: readonly SqlDialect[] = DIALECTS.map((d) => new d());
