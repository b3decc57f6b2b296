import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { Address } from '../common/user-ref';
import { SqlDialect, type RowLock, type Statement } from '../database/sql-dialect';
import { Subscriber } from './entities/subscriber.entity';
import { computeHa1, computeHa1b } from './ha1';

/**
 * Kamailio's `subscriber` table (auth_db), its only writer. Methods run inside the
 * caller's transaction; those that take a `lock` read the latest committed rows and lock
 * them (where the dialect needs row locks).
 *
 * Domains are compared case-insensitively on every database (SqlDialect.ciEquals), rows
 * that kamctl wrote in mixed case included; usernames as the database compares them.
 */
@Injectable()
export class SubscriberRepository {
  /** `username = ? AND domain = ?` (domain ignoring case): two parameters. */
  private readonly addressIs: string;

  constructor(private readonly dialect: SqlDialect) {
    this.addressIs = `username = ? AND ${dialect.ciEquals('domain', '?')}`;
  }

  async exists(em: EntityManager, username: string, domain: string, lock?: RowLock): Promise<boolean> {
    return (await this.find(em, username, domain, lock)) !== undefined;
  }

  /** The subscriber's address as stored (the oldest row, should an old database hold several). */
  async find(em: EntityManager, username: string, domain: string, lock?: RowLock): Promise<Address | undefined> {
    const rows = await em.query<Address[]>(
      `SELECT username, domain FROM subscriber WHERE ${this.addressIs} ORDER BY id${this.dialect.lockClause(lock)}`,
      [username, domain],
    );
    return rows[0];
  }

  /**
   * An SQL expression, true when `subscriber` has the row; it takes two parameters
   * (username, domain). For callers that check several tables in one round trip.
   */
  existsExpression(): string {
    return `EXISTS(SELECT 1 FROM subscriber WHERE ${this.addressIs})`;
  }

  /**
   * A LEFT JOIN of `subscriber` as `alias` on the row of `usernameColumn@domainColumn`,
   * for a hot read that wants the subscriber's password with its own row in one query.
   */
  leftJoin(alias: string, usernameColumn: string, domainColumn: string): string {
    return `LEFT JOIN subscriber ${alias} ON ${alias}.username = ${usernameColumn} AND ${this.dialect.ciEquals(`${alias}.domain`, domainColumn)}`;
  }

  /** One plain INSERT (em.insert would read the row back for its column defaults, which no caller needs). */
  async add(em: EntityManager, username: string, domain: string, password: string): Promise<void> {
    const { sql, params } = this.addInsert(username, domain, password);
    await em.query(sql, params);
  }

  /** The INSERT of add (password, ha1, ha1b), for a batch (SqlDialect.batch). */
  addInsert(username: string, domain: string, password: string): Statement {
    return {
      sql: 'INSERT INTO subscriber (username, domain, password, ha1, ha1b) VALUES (?, ?, ?, ?, ?)',
      params: [username, domain, password, computeHa1(username, domain, password), computeHa1b(username, domain, password)],
    };
  }

  /**
   * Sets password, ha1 and ha1b together (realm = `domain` as given: pass the stored
   * form); false when there is no such subscriber.
   */
  async setPassword(em: EntityManager, username: string, domain: string, password: string): Promise<boolean> {
    const result = await em
      .createQueryBuilder()
      .update(Subscriber)
      .set({ password, ha1: computeHa1(username, domain, password), ha1b: computeHa1b(username, domain, password) })
      .where(`username = :username AND ${this.dialect.ciEquals('domain', ':domain')}`, { username, domain })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  async remove(em: EntityManager, username: string, domain: string): Promise<void> {
    await em.query(`DELETE FROM subscriber WHERE ${this.addressIs}`, [username, domain]);
  }

  /** How many subscribers live in the domain (any case); with `lock`, a locking read. */
  async countInDomain(em: EntityManager, domain: string, lock?: RowLock): Promise<number> {
    if (lock) {
      const rows = await em.query<unknown[]>(
        `SELECT id FROM subscriber WHERE ${this.dialect.ciEquals('domain', '?')}${this.dialect.lockClause(lock)}`,
        [domain.toLowerCase()],
      );
      return rows.length;
    }
    return em.createQueryBuilder(Subscriber, 's').where(this.dialect.ciEquals('s.domain', ':d'), { d: domain.toLowerCase() }).getCount();
  }
}
