import type { EntityManager } from 'typeorm';

/**
 * Row locks for raw reads inside a transaction. `share` reads the latest committed rows
 * and keeps them from changing until commit; `update` also keeps other lockers out.
 * MariaDB has no `FOR SHARE`, so `LOCK IN SHARE MODE` (MySQL 8 still accepts it).
 * SQLite needs none: the Transactor queues every transaction, one writer at a time.
 */
export type RowLock = 'share' | 'update';

export function lockClause(em: EntityManager, lock: RowLock | undefined): string {
  if (!lock || em.connection.options.type === 'better-sqlite3') return '';
  return lock === 'share' ? ' LOCK IN SHARE MODE' : ' FOR UPDATE';
}
