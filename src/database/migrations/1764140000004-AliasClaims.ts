import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { datetimeType } from './column-types';

const TABLE = 'kamprov_address_claims';
const BATCH = 200;
const E164 = /^\+[1-9][0-9]{0,14}$/;

/**
 * kamprov's register of claimed SIP addresses (see AddressClaim): a UNIQUE key per
 * address, shared by users and aliases, and a UNIQUE key per E.164 alias destination.
 * Kamailio's tables are only read. The backfill claims every kamprov user, then every
 * distinct alias address in `dbaliases`; an existing Kamailio database may hold
 * duplicate aliases, aliases over users, or several E.164 aliases for one destination:
 * the first (lowest id) wins the claim and the rest are left as they are.
 */
export class AliasClaims1764140000004 implements MigrationInterface {
  name = 'AliasClaims1764140000004';

  public async up(queryRunner: QueryRunner): Promise<void> {
    const datetime = datetimeType(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: TABLE,
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'username', type: 'varchar', length: '64', isNullable: false },
          { name: 'domain', type: 'varchar', length: '64', isNullable: false },
          { name: 'kind', type: 'varchar', length: '8', isNullable: false },
          { name: 'e164_destination', type: 'varchar', length: '129', isNullable: true },
          { name: 'created_at', type: datetime, default: 'CURRENT_TIMESTAMP' },
        ],
        uniques: [
          { name: 'kamprov_address_claims_address_uq', columnNames: ['username', 'domain'] },
          { name: 'kamprov_address_claims_e164_uq', columnNames: ['e164_destination'] },
        ],
      }),
    );

    const claims: [string, string, 'user' | 'alias', string | null][] = [];
    // Keys compared case-insensitively: never more permissive than the database's collation.
    const seen = new Set<string>();
    const e164Seen = new Set<string>();
    const users = (await queryRunner.query('SELECT username, domain FROM kamprov_users ORDER BY id')) as {
      username: string;
      domain: string;
    }[];
    for (const u of users) {
      const key = `${u.username}@${u.domain}`.toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      claims.push([u.username, u.domain.toLowerCase(), 'user', null]);
    }
    const aliases = (await queryRunner.query('SELECT alias_username, alias_domain, username, domain FROM dbaliases ORDER BY id')) as {
      alias_username: string;
      alias_domain: string;
      username: string;
      domain: string;
    }[];
    for (const a of aliases) {
      const key = `${a.alias_username}@${a.alias_domain}`.toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      let e164Destination: string | null = null;
      const destination = `${a.username}@${a.domain.toLowerCase()}`;
      if (E164.test(a.alias_username) && !e164Seen.has(destination.toLowerCase())) {
        e164Seen.add(destination.toLowerCase());
        e164Destination = destination;
      }
      claims.push([a.alias_username, a.alias_domain.toLowerCase(), 'alias', e164Destination]);
    }

    // IGNORE: a pair the database's collation still deems equal is skipped, not fatal.
    const type = queryRunner.connection.options.type;
    const [insert, onConflict] =
      type === 'better-sqlite3'
        ? ['INSERT OR IGNORE', '']
        : type === 'postgres'
          ? ['INSERT', ' ON CONFLICT DO NOTHING']
          : ['INSERT IGNORE', ''];
    for (let i = 0; i < claims.length; i += BATCH) {
      const batch = claims.slice(i, i + BATCH);
      await queryRunner.query(
        `${insert} INTO ${TABLE} (username, domain, kind, e164_destination) VALUES ${batch.map(() => '(?, ?, ?, ?)').join(', ')}${onConflict}`,
        batch.flat(),
      );
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable(TABLE);
  }
}
