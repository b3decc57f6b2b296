import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { waitFor } from '../../support/wait';

const MARIADBD = process.env.MARIADBD ?? '/usr/sbin/mariadbd';
const PROVIDER = process.env.GALERA_PROVIDER ?? '/usr/lib/galera/libgalera_smm.so';
/** The client ports of the three nodes; each node's gcomm, IST and SST ports are the next three. */
export const GALERA_PORTS = [4306, 4316, 4326] as const;
/** The database the instances share. */
export const GALERA_DB = 'kamprov';

function which(cmd: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

const installDb = () => which('mariadb-install-db') ?? which('mysql_install_db');

/**
 * What is missing to run a Galera cluster here ([] when nothing is): mariadbd,
 * mariadb-install-db, the Galera provider (Debian's galera-4) and rsync (the SST method).
 * With REQUIRE_GALERA=1 (as CI sets it) anything missing is an error, not a skip.
 */
export function galeraMissing(): string[] {
  const missing: string[] = [];
  if (!existsSync(MARIADBD)) missing.push(MARIADBD);
  if (!installDb()) missing.push('mariadb-install-db');
  if (!existsSync(PROVIDER)) missing.push(`${PROVIDER} (galera-4)`);
  if (!which('rsync')) missing.push('rsync');
  if (missing.length > 0 && process.env.REQUIRE_GALERA === '1') {
    throw new Error(
      `REQUIRE_GALERA=1 but ${missing.join(', ')} missing: the Galera cluster suite cannot run (apt-get install galera-4 rsync)`,
    );
  }
  return missing;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Galera's view of a node, from its wsrep status variables. */
export interface WsrepState {
  ready: string;
  clusterSize: number;
  status: string;
  localState: string;
}

/** One mariadbd of the cluster, on its own datadir and loopback ports. */
export class GaleraNode {
  private child?: ChildProcess;
  readonly dataDir: string;

  constructor(
    readonly index: number,
    readonly port: number,
    private readonly dir: string,
    private readonly clusterAddress: string,
  ) {
    this.dataDir = join(dir, `node${index + 1}`, 'data');
  }

  get url(): string {
    return `mysql://root@127.0.0.1:${this.port}/${GALERA_DB}`;
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  private file(name: string): string {
    return join(this.dir, `node${this.index + 1}`, name);
  }

  /** Starts mariadbd; `bootstrap` makes it the first node of a new cluster. Does not wait. */
  start(bootstrap: boolean, startPosition?: string): void {
    const args = this.args('error.log');
    if (bootstrap) args.push('--wsrep-new-cluster');
    if (startPosition) args.push(`--wsrep-start-position=${startPosition}`);
    this.child = spawn(MARIADBD, args, { stdio: 'ignore', detached: true });
  }

  /**
   * Starts a node that was killed: first `mariadbd --wsrep-recover` finds the last
   * transaction it committed (a killed node's grastate.dat says -1), as Debian's
   * galera_recovery does, so that it rejoins by IST from a peer's gcache. Its files are
   * handed to nobody in case a full SST (rsync as nobody) is needed instead.
   */
  restart(): { position: string } {
    const log = this.file('recover.log');
    rmSync(log, { force: true });
    execFileSync(MARIADBD, [...this.args('recover.log'), '--wsrep-recover'], { stdio: 'ignore', timeout: 60_000 });
    const m = /Recovered position: ?([0-9a-f-]+:-?\d+)/.exec(readFileSync(log, 'utf8'));
    if (!m) throw new Error(`node${this.index + 1}: --wsrep-recover found no position:\n${readFileSync(log, 'utf8').slice(-2000)}`);
    execFileSync('chown', ['-R', '65534:65534', this.dataDir]);
    this.start(false, m[1]);
    return { position: m[1] };
  }

  private args(logName: string): string[] {
    const p = this.port;
    return [
      '--no-defaults',
      `--datadir=${this.dataDir}`,
      `--port=${p}`,
      `--socket=${this.file('mariadb.sock')}`,
      `--pid-file=${this.file('mariadb.pid')}`,
      `--log-error=${this.file(logName)}`,
      '--bind-address=127.0.0.1',
      '--user=root',
      '--skip-log-bin',
      '--binlog-format=ROW',
      '--default-storage-engine=InnoDB',
      '--innodb-autoinc-lock-mode=2',
      '--innodb-buffer-pool-size=32M',
      '--innodb-log-file-size=16M',
      '--max-connections=200',
      '--wsrep-on=ON',
      `--wsrep-provider=${PROVIDER}`,
      '--wsrep-cluster-name=kamprov-test',
      `--wsrep-cluster-address=${this.clusterAddress}`,
      `--wsrep-node-name=node${this.index + 1}`,
      `--wsrep-node-address=127.0.0.1:${p + 1}`,
      // A killed peer is evicted after ~2-3 s instead of the default 5-15 s, so the
      // survivors' commits (which wait for the view change) stay within kamprov's
      // 5 s statement timeout; gcache small, for a quick IST.
      `--wsrep-provider-options=gmcast.listen_addr=tcp://127.0.0.1:${p + 1};ist.recv_addr=127.0.0.1:${p + 2};` +
        'evs.suspect_timeout=PT2S;evs.inactive_timeout=PT3S;evs.install_timeout=PT3S;evs.keepalive_period=PT0.5S;' +
        'evs.inactive_check_period=PT0.5S;gcache.size=64M',
      `--wsrep-sst-receive-address=127.0.0.1:${p + 3}`,
      '--wsrep-sst-method=rsync',
      '--wsrep-slave-threads=2',
    ];
  }

  /** A query on a connection of its own; with a database, a causal read (wsrep_sync_wait). */
  async query<T = Record<string, unknown>>(sql: string, params: unknown[] = [], database: string | null = GALERA_DB): Promise<T[]> {
    const conn = await createConnection({
      host: '127.0.0.1',
      port: this.port,
      user: 'root',
      connectTimeout: 2000,
      ...(database ? { database } : {}),
    });
    try {
      // Causal reads: the node applies everything the cluster committed before it answers.
      if (database) await conn.query('SET SESSION wsrep_sync_wait = 1');
      const [rows] = await conn.query(sql, params);
      return rows as T[];
    } finally {
      await conn.end();
    }
  }

  async wsrep(): Promise<WsrepState> {
    const rows = await this.query<{ Variable_name: string; Value: string }>(
      "SHOW STATUS WHERE Variable_name IN ('wsrep_ready', 'wsrep_cluster_size', 'wsrep_cluster_status', 'wsrep_local_state_comment')",
      [],
      null,
    );
    const v = Object.fromEntries(rows.map((r) => [r.Variable_name, r.Value]));
    return {
      ready: v.wsrep_ready,
      clusterSize: Number(v.wsrep_cluster_size),
      status: v.wsrep_cluster_status,
      localState: v.wsrep_local_state_comment,
    };
  }

  /** Waits until this node is synced and ready in a primary component of `size` nodes. */
  async waitSynced(size: number, timeoutMs: number): Promise<void> {
    await waitFor(
      async () => {
        if (this.child && !this.running) throw new Error(`node${this.index + 1} exited:\n${this.errorLog()}`);
        try {
          const s = await this.wsrep();
          return s.ready === 'ON' && s.clusterSize === size && s.status === 'Primary' && s.localState === 'Synced';
        } catch {
          return false;
        }
      },
      timeoutMs,
      `node${this.index + 1} to be synced in a cluster of ${size}`,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${this.errorLog()}`);
    });
  }

  /** SIGKILL to the server's process group; resolves once it is gone. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
    await gone;
  }

  errorLog(): string {
    try {
      return readFileSync(this.file('error.log'), 'utf8').slice(-3000);
    } catch {
      return '';
    }
  }
}

/**
 * A three-node MariaDB Galera cluster of the suite's own: a scratch directory (mktemp),
 * loopback ports 4306/4316/4326 (gcomm, IST and SST on the next three of each), never the
 * server on 3306. Node 1 is initialised and bootstraps the cluster; nodes 2 and 3 start on
 * empty datadirs and receive a full state transfer (rsync). rsync's daemon writes as
 * `nobody`, so their datadirs belong to nobody and the scratch directory is traversable.
 */
export class GaleraCluster {
  readonly dir = mkdtempSync(join(tmpdir(), 'kamprov-galera-'));
  readonly nodes: GaleraNode[];

  constructor() {
    const address = `gcomm://${GALERA_PORTS.map((p) => `127.0.0.1:${p + 1}`).join(',')}`;
    this.nodes = GALERA_PORTS.map((port, i) => new GaleraNode(i, port, this.dir, address));
  }

  /** Starts all three nodes, waits until each is synced in a cluster of three, and creates the database. */
  async start(timeoutMs = 150_000): Promise<void> {
    for (const port of GALERA_PORTS) {
      for (const p of [port, port + 1, port + 2, port + 3]) {
        if (!(await portFree(p))) throw new Error(`port ${p} is taken: another Galera test cluster (or something else) runs there`);
      }
    }
    chmodSync(this.dir, 0o755);
    for (const node of this.nodes) {
      mkdirSync(node.dataDir, { recursive: true });
      chmodSync(join(node.dataDir, '..'), 0o755);
    }
    execFileSync(
      installDb()!,
      ['--no-defaults', `--datadir=${this.nodes[0].dataDir}`, '--auth-root-authentication-method=normal', '--skip-test-db', '--user=root'],
      { stdio: 'ignore' },
    );
    for (const node of this.nodes.slice(1)) chownSync(node.dataDir, 65534, 65534);
    const deadline = Date.now() + timeoutMs;
    this.nodes[0].start(true);
    await this.nodes[0].waitSynced(1, deadline - Date.now());
    // One joiner at a time: two SSTs from one donor at once are refused.
    for (const node of this.nodes.slice(1)) {
      node.start(false);
      await waitFor(
        async () => {
          if (!node.running) throw new Error(`node${node.index + 1} exited:\n${node.errorLog()}`);
          return (
            (await this.nodes[0].wsrep()).localState === 'Synced' && (await node.wsrep().catch(() => undefined))?.localState === 'Synced'
          );
        },
        deadline - Date.now(),
        `node${node.index + 1} to join`,
      ).catch((err: Error) => {
        throw new Error(`${err.message}\n${node.errorLog()}`);
      });
    }
    for (const node of this.nodes) await node.waitSynced(3, deadline - Date.now());
    await this.nodes[0].query(`CREATE DATABASE ${GALERA_DB}`, [], null);
  }

  /** Kills every node and removes the scratch directory, whatever state they are in. */
  async destroy(): Promise<void> {
    for (const node of this.nodes) await node.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
