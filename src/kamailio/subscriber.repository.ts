import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { SqlDialect, type RowLock } from '../database/sql-dialect';
import { Subscriber } from './entities/subscriber.entity';
import { computeHa1, computeHa1b } from './ha1';

/**
 * Kamailio's `subscriber` table (auth_db), its only writer. Methods run inside the
 * caller's transaction; those that take a `lock` read the latest committed rows and lock
 * them (where the dialect needs row locks).
 */
@Injectable()
export class SubscriberRepository {
  constructor(private readonly dialect: SqlDialect) {}

  async exists(em: EntityManager, username: string, domain: string, lock?: RowLock): Promise<boolean> {
    if (!lock) return em.exists(Subscriber, { where: { username, domain } });
    const rows = await em.query<unknown[]>(
      `SELECT id FROM subscriber WHERE username = ? AND domain = ?${this.dialect.lockClause(lock)}`,
      [username, domain],
    );
    return rows.length > 0;
  }

  /**
   * An SQL expression, true when `subscriber` has the row; it takes two parameters
   * (username, domain). For callers that check several tables in one round trip.
   */
  existsExpression(): string {
    return 'EXISTS(SELECT 1 FROM subscriber WHERE username = ? AND domain = ?)';
  }

  /**
   * A LEFT JOIN of `subscriber` as `alias` on the row of `usernameColumn@domainColumn`,
   * for a hot read that wants the subscriber's password with its own row in one query.
   */
  leftJoin(alias: string, usernameColumn: string, domainColumn: string): string {
    return `LEFT JOIN subscriber ${alias} ON ${alias}.username = ${usernameColumn} AND ${alias}.domain = ${domainColumn}`;
  }

  async add(em: EntityManager, username: string, domain: string, password: string): Promise<void> {
    await em.insert(Subscriber, {
      username,
      domain,
      password,
      ha1: computeHa1(username, domain, password),
      ha1b: computeHa1b(username, domain, password),
    });
  }

  /** Sets password, ha1 and ha1b together; false when there is no such subscriber. */
  async setPassword(em: EntityManager, username: string, domain: string, password: string): Promise<boolean> {
    const result = await em.update(
      Subscriber,
      { username, domain },
      { password, ha1: computeHa1(username, domain, password), ha1b: computeHa1b(username, domain, password) },
    );
    return (result.affected ?? 0) > 0;
  }

  async remove(em: EntityManager, username: string, domain: string): Promise<void> {
    await em.delete(Subscriber, { username, domain });
  }

  /** How many subscribers live in the domain (any case). */
  countInDomain(em: EntityManager, domain: string): Promise<number> {
    return em
      .createQueryBuilder(Subscriber, 's')
      .where('LOWER(s.domain) = :d', { d: domain.toLowerCase() })
      .getCount();
  }
}
