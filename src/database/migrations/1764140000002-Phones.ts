import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { datetimeType } from './column-types';

/**
 * Phone-to-user associations. The pair (mac, user_id) is unique, and user_id references
 * kamprov_users(id) ON DELETE RESTRICT: a user cannot disappear from under a phone, and
 * a phone cannot be added for a user that is gone, whatever the race (SQLite enforces it
 * too: TypeORM opens every connection with PRAGMA foreign_keys = ON).
 *
 * On SQLite the action is NO ACTION, which refuses the delete just the same (nothing is
 * deferred here, so the check at the end of the statement is the same check): SQLite
 * reports a RESTRICT refusal as SQLITE_CONSTRAINT_TRIGGER rather than
 * SQLITE_CONSTRAINT_FOREIGNKEY, and only the latter is recognised as a foreign-key
 * violation (db-errors.ts), which user/remove turns into failed/inuse.
 */
export class Phones1764140000002 implements MigrationInterface {
  name = 'Phones1764140000002';

  public async up(queryRunner: QueryRunner): Promise<void> {
    const datetime = datetimeType(queryRunner);
    const onDelete = queryRunner.connection.options.type === 'better-sqlite3' ? 'NO ACTION' : 'RESTRICT';
    await queryRunner.createTable(
      new Table({
        name: 'kamprov_phones',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          // Stored normalized: 12 lower-case hex digits, no separators.
          { name: 'mac', type: 'varchar', length: '12', isNullable: false },
          // Same type as kamprov_users.id, as a foreign key requires on MariaDB.
          { name: 'user_id', type: 'integer', isNullable: false },
          { name: 'created_at', type: datetime, default: 'CURRENT_TIMESTAMP' },
        ],
        // Leading with mac, the unique key also serves phone/get?mac= and phone/list.
        uniques: [{ name: 'kamprov_phones_mac_user_uq', columnNames: ['mac', 'user_id'] }],
        // Serves phone/get?user= and the foreign key's own lookups (user/remove's check).
        indices: [{ name: 'kamprov_phones_user_idx', columnNames: ['user_id', 'mac'] }],
        foreignKeys: [
          {
            name: 'kamprov_phones_user_fk',
            columnNames: ['user_id'],
            referencedTableName: 'kamprov_users',
            referencedColumnNames: ['id'],
            onDelete,
            onUpdate: onDelete,
          },
        ],
      }),
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('kamprov_phones');
  }
}
