import { createHash } from 'node:crypto';
import type { TestDatabase } from '../../support/databases';

/**
 * Tables whose rows a refused request may add by design: the audit trail records every
 * call of a write node, refused ones too.
 */
export const VOLATILE_TABLES = ['kamprov_audit'];

export async function tableNames(db: TestDatabase): Promise<string[]> {
  const rows =
    db.kind === 'sqlite'
      ? await db.query<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      : await db.query<{ name: string }>(
          `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = ${db.kind === 'postgres' ? 'current_schema()' : 'DATABASE()'} ORDER BY table_name`,
        );
  return rows.map((r) => r.name);
}

/** A digest per table (every row, every column, order-independent), volatile tables left out. */
export async function tableDigests(db: TestDatabase): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const table of await tableNames(db)) {
    if (VOLATILE_TABLES.includes(table)) continue;
    const quoted = db.kind === 'mysql' ? `\`${table}\`` : `"${table}"`;
    let rows = await db.query(`SELECT * FROM ${quoted}`);
    // SQLite's autoincrement counters: the audit trail's moves with every audited call.
    if (table === 'sqlite_sequence') rows = rows.filter((r) => !VOLATILE_TABLES.includes(String(r.name)));
    const lines = rows.map((r) =>
      JSON.stringify(
        Object.entries(r).sort(([a], [b]) => a.localeCompare(b)),
        (_k, v: unknown) =>
          typeof v === 'bigint' ? v.toString() : v instanceof Date ? v.toISOString() : Buffer.isBuffer(v) ? v.toString('hex') : v,
      ),
    );
    lines.sort();
    out[table] = `${rows.length}:${createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 16)}`;
  }
  return out;
}
