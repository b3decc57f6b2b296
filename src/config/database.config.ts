import { registerAs } from '@nestjs/config';
import { parseDatabaseUrl, type DatabaseConfig } from '../database/dialects';
import { loadEnv } from './env.validation';

// Which database a URL names, and its config, is each SQL dialect's business (src/database/).
export { parseDatabaseUrl, type DatabaseConfig };

export const databaseConfig = registerAs('database', (): DatabaseConfig => {
  const env = loadEnv();
  return parseDatabaseUrl(env.DATABASE_URL, env.DB_POOL_SIZE, env.MIGRATIONS_RUN);
});
