// The data source for the TypeORM CLI (`npm run migration:run`); the app builds its own
// from the same options in database.module.ts, with the entities each module registers.
import 'reflect-metadata';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { loadEnv } from '../config/env.validation';
import { buildDataSourceOptions } from './database-options';
import { parseDatabaseUrl } from './dialects';

const env = loadEnv();
export default new DataSource(
  buildDataSourceOptions(parseDatabaseUrl(env.DATABASE_URL, env.DB_POOL_SIZE), [join(__dirname, '..', '**', '*.entity.{ts,js}')]),
);
