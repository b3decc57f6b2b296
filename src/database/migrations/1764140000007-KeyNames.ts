import { MigrationInterface, QueryRunner } from 'typeorm';

const TABLE = 'kamprov_api_keys';
/** The name BOOTSTRAP_API_KEY's caller has in the audit trail; no stored key may take it. */
const RESERVED = 'bootstrap';

/**
 * Key names are unique regardless of case, and `bootstrap` is reserved (issue 14 item 14).
 * The Security migration already made `name` UNIQUE as compared by the database; names that
 * differ only in case (possible on SQLite and PostgreSQL) and keys named `bootstrap` (any
 * case) are renamed `<name>-<id>`, the lowest id keeping a duplicated name. Then a UNIQUE
 * index compares names case-insensitively where the column's collation does not already
 * (MySQL/MariaDB's default collations are case-insensitive).
 */
export class KeyNames1764140000007 implements MigrationInterface {
  name = 'KeyNames1764140000007';

  public async up(queryRunner: QueryRunner): Promise<void> {
    const rows = (await queryRunner.query(`SELECT id, name FROM ${TABLE} ORDER BY id`)) as { id: number; name: string }[];
    const taken = new Set(rows.map((r) => r.name.toLowerCase()));
    const kept = new Set<string>();
    for (const row of rows) {
      const lower = row.name.toLowerCase();
      if (lower !== RESERVED && !kept.has(lower)) {
        kept.add(lower);
        continue;
      }
      let renamed = `${row.name.slice(0, 40)}-${row.id}`;
      for (let n = 2; taken.has(renamed.toLowerCase()); n++) renamed = `${row.name.slice(0, 40)}-${row.id}-${n}`;
      taken.add(renamed.toLowerCase());
      kept.add(renamed.toLowerCase());
      await queryRunner.query(`UPDATE ${TABLE} SET name = ? WHERE id = ?`, [renamed, row.id]);
    }
    const type = queryRunner.connection.options.type;
    if (type === 'better-sqlite3' || type === 'sqlite') {
      await queryRunner.query(`CREATE UNIQUE INDEX kamprov_api_keys_name_ci_uq ON ${TABLE} (name COLLATE NOCASE)`);
    } else if (type === 'postgres') {
      await queryRunner.query(`CREATE UNIQUE INDEX kamprov_api_keys_name_ci_uq ON ${TABLE} (lower(name))`);
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    const type = queryRunner.connection.options.type;
    if (type === 'better-sqlite3' || type === 'sqlite' || type === 'postgres') {
      await queryRunner.query('DROP INDEX kamprov_api_keys_name_ci_uq');
    }
  }
}
