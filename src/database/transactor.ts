import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

/**
 * Runs a unit of work in one database transaction.
 *
 * TypeORM's SQLite drivers share a single query runner, so two concurrent
 * `dataSource.transaction()` calls would interleave on one connection. On SQLite the
 * transactions are therefore queued in this process (SQLite has one writer anyway); on
 * MySQL/MariaDB each gets its own pooled connection and InnoDB does the locking.
 */
@Injectable()
export class Transactor {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly serialize: boolean;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.serialize = dataSource.options.type === 'better-sqlite3';
  }

  get isSqlite(): boolean {
    return this.serialize;
  }

  run<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    if (!this.serialize) return this.dataSource.transaction(work);
    const next = this.queue.then(() => this.dataSource.transaction(work));
    this.queue = next.catch(() => undefined);
    return next;
  }
}
