import { registerAs } from '@nestjs/config';
import { loadEnv } from './env.validation';

export type DatabaseConfig =
  | { type: 'sqlite'; path: string; migrationsRun: boolean }
  | {
      type: 'mysql';
      host: string;
      port: number;
      username: string;
      password: string;
      database: string;
      poolSize: number;
      migrationsRun: boolean;
    };

/** Reads DATABASE_URL: `sqlite:PATH` (`sqlite:///abs/path` too) or `mysql://user:pass@host:port/db`. */
export function parseDatabaseUrl(url: string, poolSize = 10, migrationsRun = true): DatabaseConfig {
  if (url.startsWith('sqlite:')) {
    let path = url.slice('sqlite:'.length);
    if (path.startsWith('//')) path = path.slice(2); // sqlite:///abs -> /abs
    return { type: 'sqlite', path, migrationsRun };
  }
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

export const databaseConfig = registerAs('database', (): DatabaseConfig => {
  const env = loadEnv();
  return parseDatabaseUrl(env.DATABASE_URL, env.DB_POOL_SIZE, env.MIGRATIONS_RUN);
});
