import type { QueryRunner } from 'typeorm';

/**
 * A date and time column as each database names it: `datetime` on MySQL/MariaDB and
 * SQLite, `timestamp` (without time zone) on PostgreSQL, which has no `datetime`.
 */
export function datetimeType(queryRunner: QueryRunner): string {
  return queryRunner.connection.options.type === 'postgres' ? 'timestamp' : 'datetime';
}
