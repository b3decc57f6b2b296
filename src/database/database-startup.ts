import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { dialectFor } from './dialects';
import { DB_START_RETRY_MAX_MS, DB_START_RETRY_MIN_MS } from './timeouts';

/** A wait that does not keep the process alive. */
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/**
 * Connecting to the database and migrating it, at start-up and for as long as it takes.
 *
 * kamprov starts whether or not its database answers: if the first connection fails, the
 * entities' metadata is built without it (so every service can be made, and a query fails
 * as dbfail), and connecting is retried in the background with a bounded exponential
 * backoff (DB_START_RETRY_MIN_MS doubling up to DB_START_RETRY_MAX_MS), each failure logged.
 * Once connected, the migrations run (see migrate()); then `ready` is true and
 * /health/ready answers ok.
 *
 * Migrations run under the dialect's migration lock (MySQL `GET_LOCK`, PostgreSQL an
 * advisory lock, SQLite nothing more than its write lock): instances started together on
 * one empty database migrate one after the other, and the later ones find nothing to do.
 */
export class DatabaseStartup {
  private readonly logger = new Logger('Database');
  private state: 'connecting' | 'migrating' | 'ready' | 'stopped' = 'connecting';
  private readonly readyPromise: Promise<void>;
  private resolveReady!: () => void;
  lastError: string | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly migrationsRun: boolean,
  ) {
    this.readyPromise = new Promise((resolve) => (this.resolveReady = resolve));
  }

  get ready(): boolean {
    return this.state === 'ready';
  }

  /** What /health/ready says while not ready. */
  get status(): string {
    return this.state === 'ready' ? 'ready' : `${this.state}${this.lastError ? `: ${this.lastError}` : ''}`;
  }

  /** Resolves once connected and migrated. */
  whenReady(): Promise<void> {
    return this.readyPromise;
  }

  /** Tries once now; on failure keeps trying in the background. Resolves either way. */
  async start(): Promise<void> {
    if (await this.attempt()) return;
    // Services need the entities' metadata even without a connection.
    await (this.dataSource as unknown as { buildMetadatas(): Promise<void> }).buildMetadatas();
    this.logger.warn(`database unavailable at start-up (${this.lastError}); kamprov starts and keeps trying`);
    void this.retryLoop();
  }

  stop(): void {
    this.state = 'stopped';
  }

  /** Nest calls this on shutdown: no more tries. */
  onApplicationShutdown(): void {
    this.stop();
  }

  private async retryLoop(): Promise<void> {
    let wait = DB_START_RETRY_MIN_MS;
    while (this.state !== 'stopped' && this.state !== 'ready') {
      await sleep(wait);
      if ((this.state as string) === 'stopped') return;
      if (await this.attempt()) {
        this.logger.log('database connected and migrated: ready');
        return;
      }
      this.logger.warn(`database still unavailable (${this.lastError}); next try in ${Math.min(wait * 2, DB_START_RETRY_MAX_MS)} ms`);
      wait = Math.min(wait * 2, DB_START_RETRY_MAX_MS);
    }
  }

  private async attempt(): Promise<boolean> {
    try {
      this.state = 'connecting';
      if (!this.dataSource.isInitialized) await this.dataSource.initialize();
      if ((this.state as string) === 'stopped') return false;
      this.state = 'migrating';
      if (this.migrationsRun) await this.migrate();
      this.state = 'ready';
      this.lastError = undefined;
      this.resolveReady();
      return true;
    } catch (err) {
      this.lastError = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      // A failed migration leaves a connected data source: connect afresh next time.
      if (this.dataSource.isInitialized) await this.dataSource.destroy().catch(() => undefined);
      if ((this.state as string) !== 'stopped') this.state = 'connecting';
      return false;
    }
  }

  private async migrate(): Promise<void> {
    const dialect = dialectFor(this.dataSource);
    await dialect.withMigrationLock(() => this.dataSource.runMigrations({ transaction: 'all' }));
  }
}

const startups = new WeakMap<DataSource, DatabaseStartup>();

/** Connects (or starts trying to) and remembers the startup for DatabaseModule's provider. */
export async function startDatabase(dataSource: DataSource, migrationsRun: boolean): Promise<DataSource> {
  const startup = new DatabaseStartup(dataSource, migrationsRun);
  startups.set(dataSource, startup);
  await startup.start();
  return dataSource;
}

export function startupOf(dataSource: DataSource): DatabaseStartup {
  const s = startups.get(dataSource);
  if (!s) throw new Error('the data source was not started by startDatabase');
  return s;
}
