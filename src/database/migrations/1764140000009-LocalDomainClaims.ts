import { MigrationInterface, QueryRunner } from 'typeorm';

const DOMAINS = 'kamprov_claim_domains';
const CLAIMS = 'kamprov_address_claims';
const FK = 'kamprov_address_claims_local_domain_fk';
const INDEX = 'kamprov_address_claims_local_domain_idx';

/**
 * `kamprov_claim_domains`: kamprov's copy of the local domains its claims are made in (one
 * row per domain, lower-case), and `kamprov_address_claims.local_domain`, a foreign key to
 * it, set on every claim (user or alias) in a local domain.
 *
 * Why: "no user or alias is left in a domain that domain/remove removes" rested on locking
 * reads, which a Galera cluster does not certify: a user/add_local on one node and a
 * domain/remove on another could both commit. A foreign key is certified: the child insert
 * carries a shared reference to the parent's key and domain/remove's delete of the parent
 * an exclusive one, so one of the two is aborted (and re-run by the Transactor). Concurrent
 * adds in one domain only share the parent's key, so they never conflict with each other.
 * On one server the foreign key check share-locks the parent row, which the delete waits
 * for. Kamailio's `domain` table is only read.
 */
export class LocalDomainClaims1764140000009 implements MigrationInterface {
  name = 'LocalDomainClaims1764140000009';

  public async up(queryRunner: QueryRunner): Promise<void> {
    const type = queryRunner.connection.options.type;
    await queryRunner.query(`CREATE TABLE ${DOMAINS} (domain VARCHAR(64) NOT NULL PRIMARY KEY)`);
    // Backfill: every local domain once (case variants fold into one lower-case row).
    const rows = (await queryRunner.query('SELECT DISTINCT LOWER(domain) AS domain FROM domain')) as { domain: string }[];
    const insert = type === 'better-sqlite3' ? 'INSERT OR IGNORE' : type === 'postgres' ? 'INSERT' : 'INSERT IGNORE';
    const onConflict = type === 'postgres' ? ' ON CONFLICT DO NOTHING' : '';
    for (const { domain } of rows) await queryRunner.query(`${insert} INTO ${DOMAINS} (domain) VALUES (?)${onConflict}`, [domain]);

    if (type === 'better-sqlite3') {
      // SQLite adds a column with a REFERENCES clause in place when its default is NULL. NO
      // ACTION, as for phones: the same refusal, reported as a foreign key failure (RESTRICT
      // is reported as a trigger's).
      await queryRunner.query(`ALTER TABLE ${CLAIMS} ADD COLUMN local_domain VARCHAR(64) NULL REFERENCES ${DOMAINS} (domain)`);
    } else {
      await queryRunner.query(
        `ALTER TABLE ${CLAIMS} ADD COLUMN local_domain VARCHAR(64) NULL, ADD CONSTRAINT ${FK} FOREIGN KEY (local_domain) REFERENCES ${DOMAINS} (domain) ON DELETE RESTRICT`,
      );
    }
    // MySQL indexes a foreign key itself; elsewhere the parent's delete would scan every claim.
    if (type !== 'mysql' && type !== 'mariadb') await queryRunner.query(`CREATE INDEX ${INDEX} ON ${CLAIMS} (local_domain)`);
    // Existing claims in local domains reference their domain (claims keep domains lower-case).
    await queryRunner.query(`UPDATE ${CLAIMS} SET local_domain = domain WHERE domain IN (SELECT domain FROM ${DOMAINS})`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    const type = queryRunner.connection.options.type;
    if (type === 'better-sqlite3') {
      // SQLite drops no column that a foreign key uses (only a table rebuild would): the
      // column stays, emptied, and its reference dangles unused.
      await queryRunner.query(`DROP INDEX ${INDEX}`);
      await queryRunner.query(`UPDATE ${CLAIMS} SET local_domain = NULL`);
    } else {
      await queryRunner.query(`ALTER TABLE ${CLAIMS} DROP ${type === 'postgres' ? 'CONSTRAINT' : 'FOREIGN KEY'} ${FK}`);
      if (type === 'postgres') await queryRunner.query(`DROP INDEX ${INDEX}`);
      await queryRunner.query(`ALTER TABLE ${CLAIMS} DROP COLUMN local_domain`);
    }
    await queryRunner.query(`DROP TABLE ${DOMAINS}`);
  }
}
