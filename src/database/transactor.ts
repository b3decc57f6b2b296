import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { SqlDialect } from './sql-dialect';

/**
 * Runs a unit of work in one database transaction.
 *
 * Where the dialect says transactions serialise in this process (SQLite: TypeORM's SQLite
 * drivers share a single query runner, so two concurrent transactions would interleave on
 * one connection), they are queued here; SQLite has one writer anyway. Elsewhere each gets
 * its own pooled connection and the database does the locking.
 */
@Injectable()
export class Transactor {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly dialect: SqlDialect,
  ) {}

  run<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    if (!this.dialect.serialisesTransactions) return this.dialect.transaction(work);
    return this.enqueue(() => this.dialect.transaction(work));
  }

  /**
   * A single statement that must not interleave with an open transaction where they are
   * serialised (on SQLite every query shares one connection, so it would commit or roll
   * back with it): queued behind the transactions there, run directly (autocommit) elsewhere.
   */
  serialized<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    if (!this.dialect.serialisesTransactions) return work(this.dataSource.manager);
    return this.enqueue(() => work(this.dataSource.manager));
  }

  private enqueue<T>(job: () => Promise<T>): Promise<T> {
    const next = this.queue.then(job);
    this.queue = next.catch(() => undefined);
    return next;
  }
}
