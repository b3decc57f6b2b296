import { MigrationInterface, QueryRunner, Table } from 'typeorm';

/**
 * The number pool. `number` is the E.164 number's digits (no plus) as an unsigned BIGINT
 * under a unique index: one index serves inpool, remove, numeric ordering and prefix
 * searches (as ranges). `id` is a dense integer key (the clustered primary key on
 * InnoDB, the rowid on SQLite) that random picks draw from; see NumbersService.random.
 */
export class NumberPool1764140000003 implements MigrationInterface {
  name = 'NumberPool1764140000003';

  public async up(queryRunner: QueryRunner): Promise<void> {
    const sqlite = queryRunner.connection.options.type === 'better-sqlite3';
    await queryRunner.createTable(
      new Table({
        name: 'kamprov_numbers',
        columns: [
          {
            name: 'id',
            // SQLite: exactly INTEGER PRIMARY KEY makes the column the rowid.
            type: sqlite ? 'integer' : 'int',
            unsigned: true,
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          { name: 'number', type: 'bigint', unsigned: true, isNullable: false },
        ],
        indices: [{ name: 'kamprov_numbers_number_uq', columnNames: ['number'], isUnique: true }],
      }),
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('kamprov_numbers');
  }
}
