import { keysetChunks, LIST_CHUNK_ROWS, mapChunks } from '../database/keyset';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { SqlDialect, type RowLock } from '../database/sql-dialect';
import { KamailioDomain } from './entities/domain.entity';

/** Kamailio's `domain` table (the domain module): the domains Kamailio treats as local. */
@Injectable()
export class DomainRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly dialect: SqlDialect,
  ) {}

  /**
   * Local = a row in Kamailio's `domain` table, read now (no cache another writer could
   * stale). With `lock`, the domain rows stay as read until the transaction ends, so a
   * concurrent domain/add or domain/remove cannot change the answer under the caller.
   */
  async isLocal(domain: string, em: EntityManager = this.dataSource.manager, lock?: RowLock): Promise<boolean> {
    const rows = await em.query<unknown[]>(
      `SELECT id FROM domain WHERE ${this.dialect.ciEquals('domain', '?')}${this.dialect.lockClause(lock)}`,
      [domain.toLowerCase()],
    );
    return rows.length > 0;
  }

  /**
   * An SQL expression, true when the domain (one parameter: the domain lower-case) is local,
   * reading the domain rows with `lock` as isLocal does; for callers that ask it with other
   * checks in one round trip. A row it finds stays locked until the transaction ends, which
   * is enough: domain/remove locks every row of the domain for update.
   */
  localExpression(lock?: RowLock): string {
    return `EXISTS(SELECT 1 FROM domain WHERE ${this.dialect.ciEquals('domain', '?')}${this.dialect.lockClause(lock)})`;
  }

  /** Kamailio's local domains, by name. */
  async list(limit?: number): Promise<string[]> {
    const all: string[] = [];
    for await (const chunk of this.listChunks(limit)) all.push(...chunk);
    return all;
  }

  /** The domains in order, chunk by chunk (keyset pagination; see keyset.ts). */
  async *listChunks(limit?: number, chunk = LIST_CHUNK_ROWS): AsyncGenerator<string[]> {
    const qb = this.dataSource.createQueryBuilder(KamailioDomain, 'd').select('d.domain', 'domain').addSelect('d.id', 'id');
    const keys = [
      { expr: 'd.domain', alias: 'domain' },
      { expr: 'd.id', alias: 'id' },
    ];
    yield* mapChunks(keysetChunks<{ domain: string }>(qb, keys, limit, chunk), (r) => r.domain);
  }

  /** A local domain, written as Kamailio's tools do: did = the name, last_modified = now. */
  async add(em: EntityManager, domain: string): Promise<void> {
    await em.insert(KamailioDomain, { domain, did: domain, lastModified: new Date() });
  }

  /**
   * The ids of the domain's rows (any case), locked for update: user and alias creation
   * share-lock them (isLocal with lock), so they wait for the caller's decision.
   */
  async lock(em: EntityManager, domain: string): Promise<number[]> {
    const rows = await em.query<{ id: number | string }[]>(
      `SELECT id FROM domain WHERE ${this.dialect.ciEquals('domain', '?')}${this.dialect.lockClause('update')}`,
      [domain.toLowerCase()],
    );
    return rows.map((r) => Number(r.id));
  }

  async removeRows(em: EntityManager, ids: number[]): Promise<void> {
    if (ids.length > 0) await em.delete(KamailioDomain, ids);
  }
}
