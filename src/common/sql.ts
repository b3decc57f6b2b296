import type { DataSource } from 'typeorm';

/** String concatenation in the dialect of the data source (MySQL CONCAT, SQLite ||). */
export function sqlConcat(dataSource: DataSource, ...parts: string[]): string {
  return dataSource.options.type === 'better-sqlite3' ? parts.join(' || ') : `CONCAT(${parts.join(', ')})`;
}
