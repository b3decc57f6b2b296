import { MigrationInterface, QueryRunner } from 'typeorm';

/** Placeholder, to be filled by the issue that owns it. */
export class AliasClaims1764140000004 implements MigrationInterface {
  name = 'AliasClaims1764140000004';

  public async up(_queryRunner: QueryRunner): Promise<void> {}

  public async down(_queryRunner: QueryRunner): Promise<void> {}
}
