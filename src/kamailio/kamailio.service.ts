import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { Address } from '../common/user-ref';
import { isE164 } from '../common/validators/patterns';
import { DbAlias } from './entities/dbalias.entity';
import { KamailioDomain } from './entities/domain.entity';
import { Subscriber } from './entities/subscriber.entity';
import { computeHa1, computeHa1b } from './ha1';
import { lockClause, RowLock } from './row-locks';

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

/**
 * The only writer of Kamailio's tables. Methods that take an EntityManager run inside
 * the caller's transaction; those that take a `lock` read the latest committed rows and
 * lock them (MySQL/MariaDB; a no-op on SQLite, where transactions are queued).
 */
@Injectable()
export class KamailioService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Local = a row in Kamailio's `domain` table, read now (no cache another writer could
   * stale). With `lock`, the domain rows stay as read until the transaction ends, so a
   * concurrent domain/add or domain/remove cannot change the answer under the caller.
   */
  async isLocalDomain(domain: string, em: EntityManager = this.dataSource.manager, lock?: RowLock): Promise<boolean> {
    const rows = await em.query<unknown[]>(`SELECT id FROM domain WHERE LOWER(domain) = ?${lockClause(em, lock)}`, [
      domain.toLowerCase(),
    ]);
    return rows.length > 0;
  }

  async subscriberExists(em: EntityManager, username: string, domain: string, lock?: RowLock): Promise<boolean> {
    if (!lock) return em.exists(Subscriber, { where: { username, domain } });
    const rows = await em.query<unknown[]>(
      `SELECT id FROM subscriber WHERE username = ? AND domain = ?${lockClause(em, lock)}`,
      [username, domain],
    );
    return rows.length > 0;
  }

  /** Whether `username@domain` is an alias address in `dbaliases`. */
  async aliasExists(em: EntityManager, username: string, domain: string, lock?: RowLock): Promise<boolean> {
    if (!lock) return em.exists(DbAlias, { where: { aliasUsername: username, aliasDomain: domain } });
    const rows = await em.query<unknown[]>(
      `SELECT id FROM dbaliases WHERE alias_username = ? AND alias_domain = ?${lockClause(em, lock)}`,
      [username, domain],
    );
    return rows.length > 0;
  }

  /**
   * How many aliases point at `username@domain`. With `lock`, it also waits for aliases
   * being added by transactions not yet committed, and keeps new ones out until commit.
   */
  async aliasesTo(em: EntityManager, username: string, domain: string, lock?: RowLock): Promise<number> {
    if (!lock) return em.count(DbAlias, { where: { username, domain } });
    const rows = await em.query<unknown[]>(
      `SELECT id FROM dbaliases WHERE username = ? AND domain = ?${lockClause(em, lock)}`,
      [username, domain],
    );
    return rows.length;
  }

  /** The E.164 aliases (alias user parts) that point at `destination`. */
  async e164AliasesTo(em: EntityManager, destination: Address): Promise<string[]> {
    const rows = await em
      .createQueryBuilder(DbAlias, 'a')
      .select('a.alias_username', 'alias_username')
      .where('a.username = :username AND a.domain = :domain', destination)
      .andWhere("a.alias_username LIKE '+%'")
      .getRawMany<{ alias_username: string }>();
    return rows.map((r) => r.alias_username).filter(isE164);
  }

  /** Aliases by destination and/or alias address, ordered by alias; duplicate rows once. */
  async listAliases(filter: AliasFilter, em: EntityManager = this.dataSource.manager): Promise<AliasRow[]> {
    const qb = em
      .createQueryBuilder(DbAlias, 'a')
      .select([
        'a.alias_username AS alias_username',
        'a.alias_domain AS alias_domain',
        'a.username AS username',
        'a.domain AS domain',
      ])
      .distinct(true)
      .orderBy('a.alias_username')
      .addOrderBy('a.alias_domain')
      .addOrderBy('a.username')
      .addOrderBy('a.domain');
    if (filter.destination) {
      qb.andWhere('a.username = :dUser AND a.domain = :dDomain', {
        dUser: filter.destination.username,
        dDomain: filter.destination.domain,
      });
    }
    if (filter.alias) {
      qb.andWhere('a.alias_username = :aUser AND a.alias_domain = :aDomain', {
        aUser: filter.alias.username,
        aDomain: filter.alias.domain,
      });
    }
    // E.164 is a regular expression SQLite lacks: narrow with LIKE, filter here, then limit.
    if (filter.e164Only) qb.andWhere("a.alias_username LIKE '+%'");
    else if (filter.limit !== undefined) qb.limit(filter.limit);
    const rows = await qb.getRawMany<{ alias_username: string; alias_domain: string; username: string; domain: string }>();
    const mapped = rows
      .filter((r) => !filter.e164Only || isE164(r.alias_username))
      .map((r) => ({
        alias: { username: r.alias_username, domain: r.alias_domain },
        destination: { username: r.username, domain: r.domain },
      }));
    return filter.limit !== undefined ? mapped.slice(0, filter.limit) : mapped;
  }

  /** The rows of one alias address (an existing Kamailio DB may hold duplicates), oldest first. */
  async aliasRows(em: EntityManager, alias: Address, lock?: RowLock): Promise<AliasRow[]> {
    const rows = await em.query<{ alias_username: string; alias_domain: string; username: string; domain: string }[]>(
      `SELECT alias_username, alias_domain, username, domain FROM dbaliases
       WHERE alias_username = ? AND alias_domain = ? ORDER BY id${lockClause(em, lock)}`,
      [alias.username, alias.domain],
    );
    return rows.map((r) => ({
      alias: { username: r.alias_username, domain: r.alias_domain },
      destination: { username: r.username, domain: r.domain },
    }));
  }

  async addAlias(em: EntityManager, alias: Address, destination: Address): Promise<void> {
    await em.insert(DbAlias, {
      aliasUsername: alias.username,
      aliasDomain: alias.domain,
      username: destination.username,
      domain: destination.domain,
    });
  }

  /** Removes every row of the alias address; answers how many there were. */
  async removeAlias(em: EntityManager, alias: Address): Promise<number> {
    const result = await em.delete(DbAlias, { aliasUsername: alias.username, aliasDomain: alias.domain });
    return result.affected ?? 0;
  }

  async addSubscriber(em: EntityManager, username: string, domain: string, password: string): Promise<void> {
    await em.insert(Subscriber, {
      username,
      domain,
      password,
      ha1: computeHa1(username, domain, password),
      ha1b: computeHa1b(username, domain, password),
    });
  }

  /** Sets password, ha1 and ha1b together; false when there is no such subscriber. */
  async setSubscriberPassword(em: EntityManager, username: string, domain: string, password: string): Promise<boolean> {
    const result = await em.update(
      Subscriber,
      { username, domain },
      { password, ha1: computeHa1(username, domain, password), ha1b: computeHa1b(username, domain, password) },
    );
    return (result.affected ?? 0) > 0;
  }

  async removeSubscriber(em: EntityManager, username: string, domain: string): Promise<void> {
    await em.delete(Subscriber, { username, domain });
  }

  /** Kamailio's local domains, by name. */
  async listDomains(limit?: number): Promise<string[]> {
    const qb = this.dataSource
      .createQueryBuilder(KamailioDomain, 'd')
      .select('d.domain', 'domain')
      .orderBy('d.domain');
    if (limit !== undefined) qb.limit(limit);
    const rows = await qb.getRawMany<{ domain: string }>();
    return rows.map((r) => r.domain);
  }

  /** A local domain, written as Kamailio's tools do: did = the name, last_modified = now. */
  async addDomain(em: EntityManager, domain: string): Promise<void> {
    await em.insert(KamailioDomain, { domain, did: domain, lastModified: new Date() });
  }

  /**
   * The ids of the domain's rows (any case), locked for update: user and alias creation
   * share-lock them (isLocalDomain with lock), so they wait for the caller's decision.
   */
  async lockDomain(em: EntityManager, domain: string): Promise<number[]> {
    const rows = await em.query<{ id: number | string }[]>(`SELECT id FROM domain WHERE LOWER(domain) = ?${lockClause(em, 'update')}`, [
      domain.toLowerCase(),
    ]);
    return rows.map((r) => Number(r.id));
  }

  async removeDomainRows(em: EntityManager, ids: number[]): Promise<void> {
    if (ids.length > 0) await em.delete(KamailioDomain, ids);
  }

  /** What still lives in a domain: subscribers, and aliases whose address is in it. */
  async domainUsage(em: EntityManager, domain: string): Promise<{ subscribers: number; aliases: number }> {
    const d = domain.toLowerCase();
    const subscribers = await em
      .createQueryBuilder(Subscriber, 's')
      .where('LOWER(s.domain) = :d', { d })
      .getCount();
    const aliases = await em
      .createQueryBuilder(DbAlias, 'a')
      .where('LOWER(a.alias_domain) = :d', { d })
      .getCount();
    return { subscribers, aliases };
  }
}
