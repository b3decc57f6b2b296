import { MigrationInterface, QueryRunner } from 'typeorm';

/** Placeholder, to be filled by the issue that owns it. */
export class Phones1764140000002 implements MigrationInterface {
  name = 'Phones1764140000002';

  public async up(_queryRunner: QueryRunner): Promise<void> {}

  public async down(_queryRunner: QueryRunner): Promise<void> {}
}
