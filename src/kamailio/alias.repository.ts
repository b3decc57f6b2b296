import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { Address } from '../common/user-ref';
import { isE164 } from '../common/validators/patterns';
import { SqlDialect, type RowLock } from '../database/sql-dialect';
import { DbAlias } from './entities/dbalias.entity';

/** One `dbaliases` row as kamprov speaks of it: alias address -> destination address. */
export interface AliasRow {
  alias: Address;
  destination: Address;
}

export interface AliasFilter {
  destination?: Address;
  alias?: Address;
  /** Only aliases whose user part is an E.164 number. */
  e164Only?: boolean;
  limit?: number;
}

type RawAlias = { alias_username: string; alias_domain: string; username: string; domain: string };
/** A row as kamprov answers it: domains lower-case (rows other tools wrote may not be). */
const toRow = (r: RawAlias): AliasRow => ({
  alias: { username: r.alias_username, domain: r.alias_domain.toLowerCase() },
  destination: { username: r.username, domain: r.domain.toLowerCase() },
});

/**
 * Kamailio's `dbaliases` table (alias_db), its only writer. It has no unique key: the
 * address claims (src/claims/) decide races. Methods that take a `lock` read the latest
 * committed rows and lock them (where the dialect needs row locks).
 *
 * Domains are compared case-insensitively on every database (SqlDialect.ciEquals), rows
 * that kamctl wrote in mixed case included; usernames as the database compares them.
 */
@Injectable()
export class AliasRepository {
  /** The alias address is `?@?` (two parameters). */
  private readonly aliasIs: string;
  /** The destination is `?@?` (two parameters). */
  private readonly targetIs: string;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly dialect: SqlDialect,
  ) {
    this.aliasIs = `alias_username = ? AND ${dialect.ciEquals('alias_domain', '?')}`;
    this.targetIs = `username = ? AND ${dialect.ciEquals('domain', '?')}`;
  }

  /** Whether `username@domain` is an alias address. */
  async exists(em: EntityManager, username: string, domain: string, lock?: RowLock): Promise<boolean> {
    const rows = await em.query<unknown[]>(`SELECT id FROM dbaliases WHERE ${this.aliasIs}${this.dialect.lockClause(lock)}`, [
      username,
      domain,
    ]);
    return rows.length > 0;
  }

  /** An SQL expression, true when `username@domain` (two parameters) is an alias address. */
  existsExpression(): string {
    return `EXISTS(SELECT 1 FROM dbaliases WHERE ${this.aliasIs})`;
  }

  /** Whether the alias address points at `destination`, read with `lock`. */
  async pointsAt(em: EntityManager, alias: Address, destination: Address, lock?: RowLock): Promise<boolean> {
    const rows = await em.query<unknown[]>(
      `SELECT id FROM dbaliases WHERE ${this.aliasIs} AND ${this.targetIs}${this.dialect.lockClause(lock)}`,
      [alias.username, alias.domain, destination.username, destination.domain],
    );
    return rows.length > 0;
  }

  /**
   * How many aliases point at `username@domain`. With `lock`, it also waits for aliases
   * being added by transactions not yet committed, and keeps new ones out until commit.
   */
  async countTo(em: EntityManager, username: string, domain: string, lock?: RowLock): Promise<number> {
    const rows = await em.query<unknown[]>(`SELECT id FROM dbaliases WHERE ${this.targetIs}${this.dialect.lockClause(lock)}`, [
      username,
      domain,
    ]);
    return rows.length;
  }

  /** The E.164 aliases (alias user parts) that point at `destination`. */
  async e164To(em: EntityManager, destination: Address): Promise<string[]> {
    const rows = await em
      .createQueryBuilder(DbAlias, 'a')
      .select('a.alias_username', 'alias_username')
      .where(`a.username = :username AND ${this.dialect.ciEquals('a.domain', ':domain')}`, destination)
      .andWhere("a.alias_username LIKE '+%'")
      .getRawMany<{ alias_username: string }>();
    return rows.map((r) => r.alias_username).filter(isE164);
  }

  /** Aliases by destination and/or alias address, ordered by alias; duplicate rows once. */
  async list(filter: AliasFilter, em: EntityManager = this.dataSource.manager): Promise<AliasRow[]> {
    const qb = em
      .createQueryBuilder(DbAlias, 'a')
      .select(['a.alias_username AS alias_username', 'a.alias_domain AS alias_domain', 'a.username AS username', 'a.domain AS domain'])
      .distinct(true)
      .orderBy('a.alias_username')
      .addOrderBy('a.alias_domain')
      .addOrderBy('a.username')
      .addOrderBy('a.domain');
    if (filter.destination) {
      qb.andWhere(`a.username = :dUser AND ${this.dialect.ciEquals('a.domain', ':dDomain')}`, {
        dUser: filter.destination.username,
        dDomain: filter.destination.domain,
      });
    }
    if (filter.alias) {
      qb.andWhere(`a.alias_username = :aUser AND ${this.dialect.ciEquals('a.alias_domain', ':aDomain')}`, {
        aUser: filter.alias.username,
        aDomain: filter.alias.domain,
      });
    }
    // E.164 is a regular expression SQLite lacks: narrow with LIKE, filter here, then limit.
    if (filter.e164Only) qb.andWhere("a.alias_username LIKE '+%'");
    else if (filter.limit !== undefined) qb.limit(filter.limit);
    const rows = await qb.getRawMany<RawAlias>();
    const mapped = rows.filter((r) => !filter.e164Only || isE164(r.alias_username)).map(toRow);
    return filter.limit !== undefined ? mapped.slice(0, filter.limit) : mapped;
  }

  /** The rows of one alias address (an existing Kamailio DB may hold duplicates), oldest first. */
  async rowsOf(em: EntityManager, alias: Address, lock?: RowLock): Promise<AliasRow[]> {
    const rows = await em.query<RawAlias[]>(
      `SELECT alias_username, alias_domain, username, domain FROM dbaliases
       WHERE ${this.aliasIs} ORDER BY id${this.dialect.lockClause(lock)}`,
      [alias.username, alias.domain],
    );
    return rows.map(toRow);
  }

  async add(em: EntityManager, alias: Address, destination: Address): Promise<void> {
    await em.insert(DbAlias, {
      aliasUsername: alias.username,
      aliasDomain: alias.domain,
      username: destination.username,
      domain: destination.domain,
    });
  }

  /** Removes every row of the alias address (its domain in any case); answers how many there were. */
  async remove(em: EntityManager, alias: Address): Promise<number> {
    const result = await em
      .createQueryBuilder()
      .delete()
      .from(DbAlias)
      .where(`alias_username = :username AND ${this.dialect.ciEquals('alias_domain', ':domain')}`, alias)
      .execute();
    return result.affected ?? 0;
  }

  /** How many alias addresses are in the domain (any case); with `lock`, a locking read. */
  async countInDomain(em: EntityManager, domain: string, lock?: RowLock): Promise<number> {
    if (lock) {
      const rows = await em.query<unknown[]>(
        `SELECT id FROM dbaliases WHERE ${this.dialect.ciEquals('alias_domain', '?')}${this.dialect.lockClause(lock)}`,
        [domain.toLowerCase()],
      );
      return rows.length;
    }
    return em.createQueryBuilder(DbAlias, 'a').where(this.dialect.ciEquals('a.alias_domain', ':d'), { d: domain.toLowerCase() }).getCount();
  }
}
