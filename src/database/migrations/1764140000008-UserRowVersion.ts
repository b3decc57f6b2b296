import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `kamprov_users.row_version`, bumped by every alias/add to a local user in its transaction.
 * On a Galera cluster row locks do not reach other nodes and reads are not certified: an
 * alias/add on one node and a user/remove of its destination on another each read the
 * other's rows as absent and both committed, leaving an alias to a removed user. Writing
 * the user's row puts it in both write sets, so Galera certifies one and aborts the other
 * (retried by the Transactor, which then reads the winner's rows). On one server it is one
 * more write under the row lock alias/add already takes.
 */
export class UserRowVersion1764140000008 implements MigrationInterface {
  name = 'UserRowVersion1764140000008';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // Plain ALTER TABLE ... ADD COLUMN: the same statement on SQLite, MariaDB and PostgreSQL, and
    // on SQLite no table rebuild (TypeORM's addColumn would copy kamprov_users).
    await queryRunner.query('ALTER TABLE kamprov_users ADD COLUMN row_version INTEGER NOT NULL DEFAULT 0');
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE kamprov_users DROP COLUMN row_version');
  }
}
