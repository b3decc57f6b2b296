import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { freeTcpPort, waitFor } from './process';

const MARIADBD = process.env.MARIADBD ?? '/usr/sbin/mariadbd';

function installDb(): string | undefined {
  try {
    return execFileSync('sh', ['-c', 'command -v mariadb-install-db || command -v mysql_install_db'], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

/**
 * Whether this machine can run a MariaDB server of the suite's own. Without mariadbd and
 * mariadb-install-db the outage suite is skipped, loudly; with REQUIRE_MYSQL=1 (as CI sets
 * it) their absence fails the run.
 */
export function privateMariadbAvailable(): boolean {
  const ok = existsSync(MARIADBD) && installDb() !== undefined;
  if (!ok && process.env.REQUIRE_MYSQL === '1') {
    throw new Error(`REQUIRE_MYSQL=1 but ${MARIADBD} or mariadb-install-db is missing: the outage suite cannot run`);
  }
  return ok;
}

/**
 * A MariaDB server of the test's own: a temporary datadir, a spare loopback port, its own
 * socket, run as root. It can be killed hard and started again on the same datadir and port.
 */
export class PrivateMariadb {
  readonly dir = mkdtempSync(join(tmpdir(), 'kamprov-mariadb-'));
  port = 0;
  private child?: ChildProcess;

  get url(): string {
    return `mysql://root@127.0.0.1:${this.port}/kamprov`;
  }

  /** Initialises the datadir, starts the server and creates the `kamprov` database. */
  async init(): Promise<void> {
    this.port = await freeTcpPort();
    execFileSync(
      installDb()!,
      ['--no-defaults', `--datadir=${join(this.dir, 'data')}`, '--auth-root-authentication-method=normal', '--skip-test-db', '--user=root'],
      { stdio: 'ignore' },
    );
    await this.start();
    const conn = await createConnection({ host: '127.0.0.1', port: this.port, user: 'root' });
    await conn.query('CREATE DATABASE kamprov');
    await conn.end();
  }

  /** Starts mariadbd on the datadir and port and resolves once it accepts connections. */
  async start(): Promise<void> {
    const child = spawn(
      MARIADBD,
      [
        '--no-defaults',
        `--datadir=${join(this.dir, 'data')}`,
        `--port=${this.port}`,
        `--socket=${join(this.dir, 'mariadb.sock')}`,
        `--pid-file=${join(this.dir, 'mariadb.pid')}`,
        `--log-error=${join(this.dir, 'error.log')}`,
        '--bind-address=127.0.0.1',
        '--user=root',
        '--skip-log-bin',
        '--innodb-buffer-pool-size=32M',
        '--max-connections=200',
      ],
      { stdio: 'ignore', detached: true },
    );
    this.child = child;
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`mariadbd exited with ${child.exitCode}:\n${this.errorLog()}`);
        try {
          const conn = await createConnection({ host: '127.0.0.1', port: this.port, user: 'root', connectTimeout: 1000 });
          await conn.end();
          return true;
        } catch {
          return false;
        }
      },
      30_000,
      'mariadbd to accept connections',
    );
  }

  /** Kills the server hard (SIGKILL to its process group) and waits for it to be gone. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
    await gone;
  }

  /** Freezes (SIGSTOP) or thaws (SIGCONT) the server: it keeps its port but answers nothing. */
  signal(signal: 'SIGSTOP' | 'SIGCONT'): void {
    if (this.child?.pid) process.kill(-this.child.pid, signal);
  }

  async query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    const conn = await createConnection({ host: '127.0.0.1', port: this.port, user: 'root', database: 'kamprov' });
    try {
      const [rows] = await conn.query(sql, params);
      return rows as T[];
    } finally {
      await conn.end();
    }
  }

  errorLog(): string {
    try {
      return readFileSync(join(this.dir, 'error.log'), 'utf8').slice(-2000);
    } catch {
      return '';
    }
  }

  /** Kills the server (thawing it first) and removes its datadir, whatever state it is in. */
  async destroy(): Promise<void> {
    try {
      this.signal('SIGCONT');
    } catch {
      // not running
    }
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
