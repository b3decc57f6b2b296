import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { type LogScope, ScopedLogger } from '../logging/scoped-logger';
import { SqlDialect } from './sql-dialect';
import { DB_QUERY_TIMEOUT_MS, TX_RETRY_ATTEMPTS, TX_RETRY_BASE_MS, TX_RETRY_MAX_MS } from './timeouts';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Full jitter: a random wait up to base·2^(attempt-1), capped. Racing losers spread out. */
export function retryDelay(attempt: number, base = TX_RETRY_BASE_MS, max = TX_RETRY_MAX_MS): number {
  return Math.round(Math.random() * Math.min(max, base * 2 ** (attempt - 1)));
}

/**
 * Runs a unit of work in one database transaction, and every write of the app.
 *
 * **Retries.** When the database aborts the transaction for a reason that a second try
 * may not meet (the dialect classifies it `transient`: a deadlock, a lock wait timeout, a
 * Galera certification failure, a busy SQLite database), the whole unit of work is run
 * again, up to TX_RETRY_ATTEMPTS times with jittered exponential backoff. The work
 * re-reads its preconditions each time, so a loser of a race ends with its right answer
 * (`exists`, `nonexistant`, `inuse`) instead of dbfail. A work must therefore have no
 * effect outside its transaction before it commits.
 *
 * **Queue.** Where the dialect says transactions serialise in this process (SQLite:
 * TypeORM's SQLite drivers share a single query runner, so two concurrent transactions
 * would interleave on one connection), they are queued here; SQLite has one writer
 * anyway. Elsewhere each gets its own pooled connection and the database does the
 * locking. A retry waits outside the queue.
 *
 * **Logs.** A retry is logged (at debug) through `scope`, the request's logger when the
 * caller hands one over (a write's WriteAudit): the line carries the request's `reqId`.
 */
@Injectable()
export class Transactor {
  private readonly logger = new ScopedLogger('Transactor');
  private queue: Promise<unknown> = Promise.resolve();
  /** Retries so far (for tests and metrics). */
  retries = 0;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly dialect: SqlDialect,
  ) {}

  run<T>(work: (em: EntityManager) => Promise<T>, scope?: LogScope): Promise<T> {
    return this.retrying(scope, () =>
      this.dialect.serialisesTransactions ? this.enqueue(() => this.dialect.transaction(work)) : this.dialect.transaction(work),
    );
  }

  /**
   * A single statement that must not interleave with an open transaction where they are
   * serialised (on SQLite every query shares one connection, so it would commit or roll
   * back with it): queued behind the transactions there, run directly (autocommit)
   * elsewhere. Retried like a transaction.
   */
  serialized<T>(work: (em: EntityManager) => Promise<T>, scope?: LogScope): Promise<T> {
    // Serialised (SQLite): as a transaction of its own, so that it waits for another
    // process's write lock as transactions do (asynchronously, bounded once).
    return this.retrying(scope, () =>
      this.dialect.serialisesTransactions ? this.enqueue(() => this.dialect.transaction(work)) : work(this.dataSource.manager),
    );
  }

  private async retrying<T>(scope: LogScope | undefined, attempt: () => Promise<T>): Promise<T> {
    const started = Date.now();
    for (let n = 1; ; n++) {
      try {
        return await attempt();
      } catch (err) {
        if (n >= TX_RETRY_ATTEMPTS || !this.dialect.isTransient(err)) throw err;
        // A lock wait that already took the whole bound (SQLite's busy wait, a long
        // innodb_lock_wait_timeout) is not waited for again: the wait is bounded once.
        if (Date.now() - started >= DB_QUERY_TIMEOUT_MS) throw err;
        this.retries++;
        const wait = retryDelay(n);
        this.logger.debug(`transaction aborted (${(err as Error).message}); retry ${n} in ${wait} ms`, scope);
        await sleep(wait);
      }
    }
  }

  private enqueue<T>(job: () => Promise<T>): Promise<T> {
    const next = this.queue.then(job);
    this.queue = next.catch(() => undefined);
    return next;
  }
}
