import type { DataSourceOptions } from 'typeorm';
import { dialectDataSourceOptions, type DatabaseConfig } from './dialects';
import { migrations } from './migrations';

/**
 * The one place that turns our database config into TypeORM options; the app module
 * and the migration CLI's data source both use it. `synchronize` is never on.
 */
export function buildDataSourceOptions(db: DatabaseConfig, entities: DataSourceOptions['entities'] = []): DataSourceOptions {
  return {
    ...dialectDataSourceOptions(db),
    entities,
    migrations,
    migrationsRun: false,
    synchronize: false,
    logging: false,
  };
}
