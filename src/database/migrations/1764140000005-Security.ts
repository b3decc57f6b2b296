import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { datetimeType } from './column-types';

/** API keys (only their hashes) and the audit trail of writes. */
export class Security1764140000005 implements MigrationInterface {
  name = 'Security1764140000005';

  public async up(queryRunner: QueryRunner): Promise<void> {
    const datetime = datetimeType(queryRunner);
    const varchar = (name: string, length: number, isNullable = false) => ({
      name,
      type: 'varchar',
      length: String(length),
      isNullable,
    });
    const id = { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' as const };
    await queryRunner.createTable(
      new Table({
        name: 'kamprov_api_keys',
        columns: [
          id,
          varchar('name', 64),
          varchar('role', 16),
          varchar('key_id', 16),
          varchar('key_hash', 64),
          { name: 'created_at', type: datetime, default: 'CURRENT_TIMESTAMP' },
          { name: 'last_used_at', type: datetime, isNullable: true },
          { name: 'revoked_at', type: datetime, isNullable: true },
        ],
        uniques: [
          { name: 'kamprov_api_keys_name_uq', columnNames: ['name'] },
          { name: 'kamprov_api_keys_key_id_uq', columnNames: ['key_id'] },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'kamprov_audit',
        columns: [
          id,
          { name: 'at', type: datetime },
          varchar('node', 64),
          varchar('target', 255),
          varchar('key_name', 64, true),
          varchar('outcome', 32),
          { name: 'status', type: 'integer' },
        ],
        indices: [
          { name: 'kamprov_audit_target_idx', columnNames: ['target'] },
          { name: 'kamprov_audit_key_idx', columnNames: ['key_name'] },
        ],
      }),
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('kamprov_audit');
    await queryRunner.dropTable('kamprov_api_keys');
  }
}
