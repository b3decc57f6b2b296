// The data source for the TypeORM CLI (`npm run migration:run`); the app builds its own
// from the same options in database.module.ts.
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadEnv } from '../config/env.validation';
import { parseDatabaseUrl } from '../config/database.config';
import { buildDataSourceOptions } from './database-options';
import { entities } from './entities';

const env = loadEnv();
export default new DataSource(buildDataSourceOptions(parseDatabaseUrl(env.DATABASE_URL, env.DB_POOL_SIZE), entities));
