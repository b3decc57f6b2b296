import type { DataSource, EntityManager } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import type { Statement } from '../database/sql-dialect';
import type { AuditQuery } from '../common/api-node.decorator';
import { AuditEntryEntity } from './entities/audit-entry.entity';

/** One write attempt as recorded (kamprov_audit without its id and time). */
export interface AuditRecord {
  node: string;
  target: string;
  keyName: string | null;
  outcome: string;
  status: number;
}

const str = (v: unknown): string | undefined =>
  v === undefined ? undefined : Array.isArray(v) ? v.map((x) => String(x)).join(',') : typeof v === 'string' ? v : JSON.stringify(v);

/** The query as the node's audit target function sees it: every value a string. */
export function auditQueryOf(query: Record<string, unknown>): AuditQuery {
  return Object.fromEntries(Object.entries(query).map(([k, v]) => [k, str(v)]));
}

/** The row as stored: `at` now, target and outcome cut to their columns. */
export function auditRow(entry: AuditRecord): Omit<AuditEntryEntity, 'id'> {
  return { ...entry, at: new Date(), target: entry.target.slice(0, 255), outcome: entry.outcome.slice(0, 32) };
}

const INSERT_SQL = 'INSERT INTO kamprov_audit (at, node, target, key_name, outcome, status) VALUES (?, ?, ?, ?, ?, ?)';

/**
 * One plain INSERT with `em` (no read-back, no query builder): the time is converted as
 * TypeORM converts the entity's `at` column for this database, so the row is the one
 * em.insert(AuditEntryEntity) wrote.
 */
export async function insertAuditRow(em: EntityManager, row: Omit<AuditEntryEntity, 'id'>): Promise<void> {
  const { sql, params } = auditInsert(em, row);
  await em.query(sql, params);
}

/** kamprov_audit's `at` column, by data source (looked up once, not on every write). */
const atColumns = new WeakMap<DataSource, ColumnMetadata>();

/** The INSERT of insertAuditRow, for a batch (SqlDialect.batch). */
export function auditInsert(em: EntityManager, row: Omit<AuditEntryEntity, 'id'>): Statement {
  let at = atColumns.get(em.connection);
  if (!at) {
    at = em.connection.getMetadata(AuditEntryEntity).findColumnWithPropertyName('at')!;
    atColumns.set(em.connection, at);
  }
  return {
    sql: INSERT_SQL,
    params: [em.connection.driver.preparePersistentValue(row.at, at), row.node, row.target, row.keyName, row.outcome, row.status],
  };
}
