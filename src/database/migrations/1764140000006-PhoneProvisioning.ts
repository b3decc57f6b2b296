import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { datetimeType } from './column-types';

/**
 * Automatic phone provisioning (issue 13):
 * - `kamprov_phone_devices`: a phone's device record (vendor, model) and its provisioning
 *   credentials, stored only as what verification needs: the Digest HA1 for realm
 *   `kamprov` (MD5 and SHA-256) and the SHA-256 of the token. Never the secret itself.
 * - `kamprov_phones.line`: the line (1-based) a user takes on the phone, unique per phone.
 *   Existing associations are numbered in the order phone/get answered them until now
 *   (username, domain), so nothing an existing phone answers changes.
 * - `kamprov_prov_nonces`: Digest nonces already used (until they expire), so that a nonce
 *   cannot be replayed, whichever kamprov instance sees it again.
 * - `kamprov_prov_keys`: the key that signs Digest nonces, made once here so that every
 *   instance on this database signs and checks with the same key.
 */
export class PhoneProvisioning1764140000006 implements MigrationInterface {
  name = 'PhoneProvisioning1764140000006';

  public async up(queryRunner: QueryRunner): Promise<void> {
    const datetime = datetimeType(queryRunner);
    const varchar = (name: string, length: number, isNullable = false) => ({ name, type: 'varchar', length: String(length), isNullable });
    await queryRunner.createTable(
      new Table({
        name: 'kamprov_phone_devices',
        columns: [
          { ...varchar('mac', 12), isPrimary: true },
          varchar('vendor', 16),
          varchar('model', 64, true),
          varchar('ha1_md5', 32, true),
          varchar('ha1_sha256', 64, true),
          varchar('token_hash', 64, true),
          { name: 'secret_at', type: datetime, isNullable: true },
          { name: 'created_at', type: datetime, default: 'CURRENT_TIMESTAMP' },
          { name: 'updated_at', type: datetime, default: 'CURRENT_TIMESTAMP' },
        ],
      }),
    );
    await queryRunner.query('ALTER TABLE kamprov_phones ADD COLUMN line INTEGER NOT NULL DEFAULT 0');
    const rows = (await queryRunner.query(
      `SELECT p.id, p.mac FROM kamprov_phones p INNER JOIN kamprov_users u ON u.id = p.user_id ORDER BY p.mac, u.username, u.domain`,
    )) as { id: number; mac: string }[];
    let mac: string | undefined;
    let line = 0;
    for (const row of rows) {
      line = row.mac === mac ? line + 1 : 1;
      mac = row.mac;
      await queryRunner.query('UPDATE kamprov_phones SET line = ? WHERE id = ?', [line, row.id]);
    }
    await queryRunner.createIndex(
      'kamprov_phones',
      new TableIndex({ name: 'kamprov_phones_mac_line_uq', columnNames: ['mac', 'line'], isUnique: true }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'kamprov_prov_nonces',
        columns: [
          { ...varchar('nonce', 96), isPrimary: true },
          { name: 'expires_at', type: 'bigint' },
        ],
        indices: [{ name: 'kamprov_prov_nonces_expires_idx', columnNames: ['expires_at'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'kamprov_prov_keys',
        columns: [{ ...varchar('name', 32), isPrimary: true }, varchar('secret', 128)],
      }),
    );
    const { randomBytes } = await import('node:crypto');
    await queryRunner.query('INSERT INTO kamprov_prov_keys (name, secret) VALUES (?, ?)', ['nonce', randomBytes(32).toString('base64url')]);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('kamprov_prov_keys');
    await queryRunner.dropTable('kamprov_prov_nonces');
    await queryRunner.dropIndex('kamprov_phones', 'kamprov_phones_mac_line_uq');
    await queryRunner.dropColumn('kamprov_phones', 'line');
    await queryRunner.dropTable('kamprov_phone_devices');
  }
}
