import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { DbAlias } from './entities/dbalias.entity';
import { KamailioDomain } from './entities/domain.entity';
import { Subscriber } from './entities/subscriber.entity';
import { computeHa1, computeHa1b } from './ha1';

/**
 * The only writer of Kamailio's tables. Methods that take an EntityManager run inside
 * the caller's transaction.
 */
@Injectable()
export class KamailioService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Local = a row in Kamailio's `domain` table, read now (no cache another writer could stale). */
  async isLocalDomain(domain: string, em: EntityManager = this.dataSource.manager): Promise<boolean> {
    const row = await em
      .createQueryBuilder(KamailioDomain, 'd')
      .select('d.id')
      .where('LOWER(d.domain) = :domain', { domain: domain.toLowerCase() })
      .getRawOne<unknown>();
    return row !== undefined && row !== null;
  }

  async subscriberExists(em: EntityManager, username: string, domain: string): Promise<boolean> {
    return em.exists(Subscriber, { where: { username, domain } });
  }

  /** Whether `username@domain` is an alias address in `dbaliases`. */
  async aliasExists(em: EntityManager, username: string, domain: string): Promise<boolean> {
    return em.exists(DbAlias, { where: { aliasUsername: username, aliasDomain: domain } });
  }

  /** How many aliases point at `username@domain`. */
  async aliasesTo(em: EntityManager, username: string, domain: string): Promise<number> {
    return em.count(DbAlias, { where: { username, domain } });
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
}
