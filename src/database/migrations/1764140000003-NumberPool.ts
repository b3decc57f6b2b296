import { MigrationInterface, QueryRunner } from 'typeorm';

/** Placeholder, to be filled by the issue that owns it. */
export class NumberPool1764140000003 implements MigrationInterface {
  name = 'NumberPool1764140000003';

  public async up(_queryRunner: QueryRunner): Promise<void> {}

  public async down(_queryRunner: QueryRunner): Promise<void> {}
}
