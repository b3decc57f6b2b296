import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Kamailio's own tables, exactly as Kamailio 5.6+ creates them (the statements below are
 * copied from /usr/share/kamailio/{mysql,db_sqlite,postgres}/*-create.sql). Each table is created
 * only where it is absent, together with its `version` row, so an existing Kamailio
 * database is used as it is and never altered. `down` drops nothing: these tables are
 * Kamailio's, not ours.
 */
interface KamailioTable {
  name: string;
  version: number;
  mysql: string[];
  sqlite: string[];
  /** Kamailio's postgres scripts are its SQLite ones with `id SERIAL` for the key. */
  postgres?: string[];
}

const TABLES: KamailioTable[] = [
  {
    name: 'version',
    version: 1,
    mysql: [
      `CREATE TABLE \`version\` (
    \`id\` INT(10) UNSIGNED AUTO_INCREMENT PRIMARY KEY NOT NULL,
    \`table_name\` VARCHAR(32) NOT NULL,
    \`table_version\` INT UNSIGNED DEFAULT 0 NOT NULL,
    CONSTRAINT table_name_idx UNIQUE (\`table_name\`)
)`,
    ],
    sqlite: [
      `CREATE TABLE version (
    id INTEGER PRIMARY KEY NOT NULL,
    table_name VARCHAR(32) NOT NULL,
    table_version INTEGER DEFAULT 0 NOT NULL,
    CONSTRAINT version_table_name_idx UNIQUE (table_name)
)`,
    ],
  },
  {
    name: 'subscriber',
    version: 7,
    mysql: [
      `CREATE TABLE \`subscriber\` (
    \`id\` INT(10) UNSIGNED AUTO_INCREMENT PRIMARY KEY NOT NULL,
    \`username\` VARCHAR(64) DEFAULT '' NOT NULL,
    \`domain\` VARCHAR(64) DEFAULT '' NOT NULL,
    \`password\` VARCHAR(64) DEFAULT '' NOT NULL,
    \`ha1\` VARCHAR(128) DEFAULT '' NOT NULL,
    \`ha1b\` VARCHAR(128) DEFAULT '' NOT NULL,
    CONSTRAINT account_idx UNIQUE (\`username\`, \`domain\`)
)`,
      'CREATE INDEX username_idx ON subscriber (`username`)',
    ],
    sqlite: [
      `CREATE TABLE subscriber (
    id INTEGER PRIMARY KEY NOT NULL,
    username VARCHAR(64) DEFAULT '' NOT NULL,
    domain VARCHAR(64) DEFAULT '' NOT NULL,
    password VARCHAR(64) DEFAULT '' NOT NULL,
    ha1 VARCHAR(128) DEFAULT '' NOT NULL,
    ha1b VARCHAR(128) DEFAULT '' NOT NULL,
    CONSTRAINT subscriber_account_idx UNIQUE (username, domain)
)`,
      'CREATE INDEX subscriber_username_idx ON subscriber (username)',
    ],
  },
  {
    name: 'domain',
    version: 2,
    mysql: [
      `CREATE TABLE \`domain\` (
    \`id\` INT(10) UNSIGNED AUTO_INCREMENT PRIMARY KEY NOT NULL,
    \`domain\` VARCHAR(64) NOT NULL,
    \`did\` VARCHAR(64) DEFAULT NULL,
    \`last_modified\` DATETIME DEFAULT '2000-01-01 00:00:01' NOT NULL,
    CONSTRAINT domain_idx UNIQUE (\`domain\`)
)`,
    ],
    sqlite: [
      `CREATE TABLE domain (
    id INTEGER PRIMARY KEY NOT NULL,
    domain VARCHAR(64) NOT NULL,
    did VARCHAR(64) DEFAULT NULL,
    last_modified TIMESTAMP WITHOUT TIME ZONE DEFAULT '2000-01-01 00:00:01' NOT NULL,
    CONSTRAINT domain_domain_idx UNIQUE (domain)
)`,
    ],
  },
  {
    name: 'domain_attrs',
    version: 1,
    mysql: [
      `CREATE TABLE \`domain_attrs\` (
    \`id\` INT(10) UNSIGNED AUTO_INCREMENT PRIMARY KEY NOT NULL,
    \`did\` VARCHAR(64) NOT NULL,
    \`name\` VARCHAR(32) NOT NULL,
    \`type\` INT UNSIGNED NOT NULL,
    \`value\` VARCHAR(255) NOT NULL,
    \`last_modified\` DATETIME DEFAULT '2000-01-01 00:00:01' NOT NULL
)`,
      'CREATE INDEX domain_attrs_idx ON domain_attrs (`did`, `name`)',
    ],
    sqlite: [
      `CREATE TABLE domain_attrs (
    id INTEGER PRIMARY KEY NOT NULL,
    did VARCHAR(64) NOT NULL,
    name VARCHAR(32) NOT NULL,
    type INTEGER NOT NULL,
    value VARCHAR(255) NOT NULL,
    last_modified TIMESTAMP WITHOUT TIME ZONE DEFAULT '2000-01-01 00:00:01' NOT NULL
)`,
      'CREATE INDEX domain_attrs_domain_attrs_idx ON domain_attrs (did, name)',
    ],
  },
  {
    name: 'dbaliases',
    version: 1,
    mysql: [
      `CREATE TABLE \`dbaliases\` (
    \`id\` INT(10) UNSIGNED AUTO_INCREMENT PRIMARY KEY NOT NULL,
    \`alias_username\` VARCHAR(64) DEFAULT '' NOT NULL,
    \`alias_domain\` VARCHAR(64) DEFAULT '' NOT NULL,
    \`username\` VARCHAR(64) DEFAULT '' NOT NULL,
    \`domain\` VARCHAR(64) DEFAULT '' NOT NULL
)`,
      'CREATE INDEX alias_user_idx ON dbaliases (`alias_username`)',
      'CREATE INDEX alias_idx ON dbaliases (`alias_username`, `alias_domain`)',
      'CREATE INDEX target_idx ON dbaliases (`username`, `domain`)',
    ],
    sqlite: [
      `CREATE TABLE dbaliases (
    id INTEGER PRIMARY KEY NOT NULL,
    alias_username VARCHAR(64) DEFAULT '' NOT NULL,
    alias_domain VARCHAR(64) DEFAULT '' NOT NULL,
    username VARCHAR(64) DEFAULT '' NOT NULL,
    domain VARCHAR(64) DEFAULT '' NOT NULL
)`,
      'CREATE INDEX dbaliases_alias_user_idx ON dbaliases (alias_username)',
      'CREATE INDEX dbaliases_alias_idx ON dbaliases (alias_username, alias_domain)',
      'CREATE INDEX dbaliases_target_idx ON dbaliases (username, domain)',
    ],
  },
];

/**
 * /usr/share/kamailio/postgres/*-create.sql: the SQLite statements above, byte for byte,
 * except that the key is `id SERIAL PRIMARY KEY NOT NULL` (checked against the package's
 * files by test/fixtures/kamailio-5.6-postgres.sql and the migration's e2e test).
 */
function postgresStatements(table: KamailioTable): string[] {
  return table.postgres ?? table.sqlite.map((s) => s.replace('id INTEGER PRIMARY KEY NOT NULL', 'id SERIAL PRIMARY KEY NOT NULL'));
}

export class KamailioTables1764140000000 implements MigrationInterface {
  name = 'KamailioTables1764140000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    const type = queryRunner.connection.options.type;
    for (const table of TABLES) {
      if (await queryRunner.hasTable(table.name)) continue;
      const statements = type === 'better-sqlite3' ? table.sqlite : type === 'postgres' ? postgresStatements(table) : table.mysql;
      for (const statement of statements) {
        await queryRunner.query(statement);
      }
      const present = (await queryRunner.query('SELECT table_version FROM version WHERE table_name = ?', [table.name])) as unknown[];
      if (present.length === 0) {
        await queryRunner.query('INSERT INTO version (table_name, table_version) VALUES (?, ?)', [table.name, table.version]);
      }
    }
  }

  public async down(): Promise<void> {
    // Kamailio's tables are never dropped by kamprov.
  }
}
