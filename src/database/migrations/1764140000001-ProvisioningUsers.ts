import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { datetimeType } from './column-types';

/**
 * kamprov's own user table: every user kamprov serves, local (the SIP account itself is
 * Kamailio's `subscriber` row) or remote (an account at another registrar). Subscribers
 * already present in an existing Kamailio database are adopted as local users.
 */
export class ProvisioningUsers1764140000001 implements MigrationInterface {
  name = 'ProvisioningUsers1764140000001';

  public async up(queryRunner: QueryRunner): Promise<void> {
    const datetime = datetimeType(queryRunner);
    const varchar = (name: string, length: number, isNullable = true) => ({
      name,
      type: 'varchar',
      length: String(length),
      isNullable,
    });
    await queryRunner.createTable(
      new Table({
        name: 'kamprov_users',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          varchar('username', 64, false),
          varchar('domain', 64, false),
          varchar('type', 8, false),
          varchar('displayname', 128),
          varchar('email', 128),
          varchar('password', 64),
          varchar('registrar', 128),
          { name: 'r_port', type: 'integer', isNullable: true },
          varchar('proxy', 128),
          { name: 'p_port', type: 'integer', isNullable: true },
          varchar('authid', 64),
          varchar('dialplan', 255),
          varchar('linetext', 64),
          { name: 'created_at', type: datetime, default: 'CURRENT_TIMESTAMP' },
          { name: 'updated_at', type: datetime, default: 'CURRENT_TIMESTAMP' },
        ],
        uniques: [{ name: 'kamprov_users_address_uq', columnNames: ['username', 'domain'] }],
        indices: [{ name: 'kamprov_users_domain_idx', columnNames: ['domain', 'username'] }],
      }),
    );
    await queryRunner.query(
      `INSERT INTO kamprov_users (username, domain, type)
       SELECT s.username, s.domain, 'local' FROM subscriber s
       WHERE NOT EXISTS (SELECT 1 FROM kamprov_users u WHERE u.username = s.username AND u.domain = s.domain)`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('kamprov_users');
  }
}
