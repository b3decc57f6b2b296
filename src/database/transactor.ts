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
    const next = this.queue.then(() => this.immediate(work));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /**
   * A single statement that must not interleave with an open SQLite transaction (on SQLite
   * every query shares one connection, so it would commit or roll back with it): queued
   * behind the transactions on SQLite, run directly (autocommit) on MySQL.
   */
  serialized<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    if (!this.serialize) return work(this.dataSource.manager);
    const next = this.queue.then(() => work(this.dataSource.manager));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async immediate<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    // SQLite's drivers hand out one shared query runner: patch it for this transaction only.
    const runner = this.dataSource.createQueryRunner();
    // eslint-disable-next-line @typescript-eslint/unbound-method -- restored onto the same object below
    const original = runner.query;
    const query = original.bind(runner);
    // TypeORM's SQLite query runner opens transactions with exactly this statement.
    runner.query = ((sql: string, ...rest: unknown[]) =>
      (query as (sql: string, ...rest: unknown[]) => Promise<unknown>)(
        sql === 'BEGIN TRANSACTION' ? 'BEGIN IMMEDIATE TRANSACTION' : sql,
        ...rest,
      )) as typeof runner.query;
    try {
      return await runner.manager.transaction(work);
    } finally {
      runner.query = original;
      await runner.release();
    }
  }
}
