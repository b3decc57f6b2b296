import type { AppConfig } from './app.config';
import type { DatabaseConfig } from './database.config';

/** The shape behind ConfigService<AllConfig, true>: read with `get('app', { infer: true })`. */
export interface AllConfig {
  app: AppConfig;
  database: DatabaseConfig;
}
