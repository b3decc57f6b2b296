import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { toNumberedPlaceholders } from '../../../src/database/postgres-placeholders';
import { freeTcpPort, waitFor } from './process';

const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

/** initdb and postgres refuse to run as root: as root, the server runs as the `postgres` user. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (userInfo().uid !== 0) return undefined;
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    return undefined;
  }
}

/**
 * Whether this machine can run a PostgreSQL server of the suite's own (initdb and postgres
 * in PG_BIN; as root, a `postgres` user to run them as). Without them the outage suite's
 * PostgreSQL run is skipped, loudly; with REQUIRE_PG=1 their absence fails the run.
 */
export function privatePostgresAvailable(): boolean {
  const ok =
    existsSync(join(PG_BIN, 'initdb')) && existsSync(join(PG_BIN, 'postgres')) && (userInfo().uid !== 0 || serverUser() !== undefined);
  if (!ok && process.env.REQUIRE_PG === '1') {
    throw new Error(`REQUIRE_PG=1 but ${PG_BIN}/initdb or postgres (or, as root, a postgres user) is missing: the outage suite cannot run`);
  }
  return ok;
}

/**
 * A PostgreSQL server of the test's own: a scratch data directory (initdb), a spare loopback
 * port, its socket in that directory, trust authentication. It can be killed hard (SIGKILL
 * to the postmaster and every backend) or frozen, and started again on the same directory
 * and port. Same shape as PrivateMariadb.
 */
export class PrivatePostgres {
  readonly dir = mkdtempSync(join(tmpdir(), 'kamprov-pg-'));
  port = 0;
  private child?: ChildProcess;
  private readonly user = serverUser();

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/kamprov`;
  }

  private get data(): string {
    return join(this.dir, 'data');
  }

  /** Initialises the data directory, starts the server and creates the `kamprov` database. */
  async init(): Promise<void> {
    this.port = await freeTcpPort();
    if (this.user) chownSync(this.dir, this.user.uid, this.user.gid);
    execFileSync(join(PG_BIN, 'initdb'), ['-D', this.data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8'], {
      stdio: 'ignore',
      ...(this.user ?? {}),
    });
    await this.start();
    await this.admin('CREATE DATABASE kamprov');
  }

  /** Starts postgres on the directory and port and resolves once it accepts connections. */
  async start(): Promise<void> {
    const child = spawn(
      join(PG_BIN, 'postgres'),
      [
        '-D',
        this.data,
        '-p',
        String(this.port),
        '-k',
        this.dir,
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'fsync=off',
        '-c',
        'max_connections=200',
        '-c',
        'shared_buffers=32MB',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'], detached: true, ...(this.user ?? {}) },
    );
    let log = '';
    child.stderr?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
    this.child = child;
    this.log = () => log;
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`postgres exited with ${child.exitCode}:\n${log}`);
        const c = new Client({ host: '127.0.0.1', port: this.port, user: 'postgres', database: 'postgres', connectionTimeoutMillis: 1000 });
        try {
          await c.connect();
          await c.end();
          return true;
        } catch {
          return false;
        }
      },
      30_000,
      'postgres to accept connections',
    );
  }

  log: () => string = () => '';

  /** Kills the server hard (SIGKILL to its process group: postmaster and backends) and waits for it to be gone. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const backends = this.backends();
    this.signalAll('SIGKILL', [child.pid!, ...backends]);
    await gone;
    await waitFor(() => Promise.resolve(backends.every((pid) => !alive(pid))), 10_000, 'postgres backends to exit');
  }

  /** The postmaster's children (each backend calls setsid(): they are not in its process group). */
  private backends(): number[] {
    if (!this.child?.pid) return [];
    try {
      return execFileSync('pgrep', ['-P', String(this.child.pid)], { encoding: 'utf8' })
        .split('\n')
        .filter(Boolean)
        .map(Number);
    } catch {
      return [];
    }
  }

  private signalAll(signal: NodeJS.Signals, pids: number[]): void {
    for (const pid of pids) {
      try {
        process.kill(pid, signal);
      } catch {
        // already gone
      }
    }
  }

  /** Freezes (SIGSTOP) or thaws (SIGCONT) the server, postmaster and backends: it keeps its port but answers nothing. */
  signal(signal: 'SIGSTOP' | 'SIGCONT'): void {
    if (!this.child?.pid) return;
    // Stop the postmaster first (no new backends), thaw it last.
    if (signal === 'SIGSTOP') this.signalAll(signal, [this.child.pid, ...this.backends()]);
    else this.signalAll(signal, [...this.backends(), this.child.pid]);
  }

  async query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    const c = new Client({ host: '127.0.0.1', port: this.port, user: 'postgres', database: 'kamprov' });
    await c.connect();
    try {
      return (await c.query(params.length > 0 ? toNumberedPlaceholders(sql) : sql, params)).rows as T[];
    } finally {
      await c.end();
    }
  }

  private async admin(sql: string): Promise<void> {
    const c = new Client({ host: '127.0.0.1', port: this.port, user: 'postgres', database: 'postgres' });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  }

  errorLog(): string {
    return this.log();
  }

  /** Kills the server (thawing it first) and removes its directory, whatever state it is in. */
  async destroy(): Promise<void> {
    try {
      this.signal('SIGCONT');
    } catch {
      // not running
    }
    await this.kill().catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
