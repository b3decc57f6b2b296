import { ChildProcess, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { TEST_ADMIN_KEY } from './app';
import { waitFor } from './wait';

/** The repository root: the working directory of every spawned kamprov. */
export const ROOT = join(__dirname, '..', '..');

/** A loopback TCP port that was free a moment ago. */
export async function freeTcpPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A loopback UDP port that was free a moment ago. */
export async function freeUdpPort(): Promise<number> {
  const sock = createSocket('udp4');
  await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', resolve));
  const { port } = sock.address();
  await new Promise<void>((resolve) => sock.close(() => resolve()));
  return port;
}

/** Whether `port` can be bound on loopback over TCP right now. */
function tcpPortFree(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A loopback port P for baresip's `sip_listen`: baresip binds UDP P, TCP P and, for TLS, TCP
 * P+1, all three free a moment ago (a UDP port alone once collided with a TCP connection's
 * ephemeral port on P+1 under CI load).
 */
export async function freeSipListenPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await freeUdpPort();
    if (port < 65535 && (await tcpPortFree(port)) && (await tcpPortFree(port + 1))) return port;
  }
  throw new Error('no loopback port P with UDP P, TCP P and TCP P+1 free in 50 tries');
}

/** Environment overrides: a string sets a variable, undefined removes it. */
export type EnvOverrides = Record<string, string | undefined>;

/**
 * The one launcher of kamprov's TypeScript entry points (src/main.ts, src/cli/*.ts) as
 * processes of their own, through ts-node (transpile only), from the repository root, in
 * a process group of their own (so a kill reaches whatever they start).
 */
export function spawnTs(script: string, args: string[], env: EnvOverrides): ChildProcess {
  const merged: NodeJS.ProcessEnv = { ...process.env };
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete merged[k];
    else merged[k] = v;
  }
  return spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', script, ...args], {
    cwd: ROOT,
    detached: true,
    env: merged,
  });
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a TypeScript entry point to its end (a CLI command, a start-up that must fail).
 * LOG_LEVEL=error and no BOOTSTRAP_API_KEY unless `env` says otherwise.
 */
export function runTs(script: string, args: string[], env: EnvOverrides, onStdout?: (stdoutSoFar: string) => void): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawnTs(script, args, { LOG_LEVEL: 'error', BOOTSTRAP_API_KEY: '', ...env });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      onStdout?.(stdout);
    });
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** kamprov (src/main.ts) as its own process on a free port, its output collected. */
export class KamprovProcess {
  readonly port: number;
  private child?: ChildProcess;
  private out = '';
  private exited?: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(port: number) {
    this.port = port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Everything the process wrote to stdout and stderr so far. */
  get output(): string {
    return this.out;
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /**
   * Starts kamprov and resolves once /health/live answers 200. Defaults: the test admin
   * key as BOOTSTRAP_API_KEY, no rate limit, LOG_LEVEL=warn; `env` overrides them.
   */
  static async start(env: EnvOverrides): Promise<KamprovProcess> {
    const server = new KamprovProcess(await freeTcpPort());
    const child = spawnTs('src/main.ts', [], {
      LOG_LEVEL: 'warn',
      RATE_LIMIT_MAX: '0',
      BOOTSTRAP_API_KEY: TEST_ADMIN_KEY,
      ...env,
      HOST: '127.0.0.1',
      PORT: String(server.port),
    });
    server.child = child;
    child.stdout!.on('data', (d: Buffer) => (server.out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (server.out += d.toString()));
    server.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    try {
      await waitFor(
        async () => {
          if (!server.running) throw new Error(`kamprov exited during start:\n${server.out}`);
          try {
            return (await fetch(`${server.url}/health/live`, { signal: AbortSignal.timeout(2000) })).status === 200;
          } catch {
            return false;
          }
        },
        60_000,
        'kamprov to listen',
      );
    } catch (err) {
      server.kill();
      throw err;
    }
    return server;
  }

  /**
   * Waits until the output matches `pattern` and answers the output then; fails after
   * `timeoutMs` with what was written. For log checks: a line that never comes fails.
   */
  async waitForOutput(pattern: RegExp, timeoutMs = 10_000): Promise<string> {
    try {
      await waitFor(() => pattern.test(this.out), timeoutMs, `output matching ${pattern}`);
    } catch (err) {
      throw new Error(`${(err as Error).message}; the output was:\n${this.out}`);
    }
    return this.out;
  }

  /** Sends a signal to kamprov (the node process itself). */
  signal(signal: NodeJS.Signals): void {
    if (this.running) this.child!.kill(signal);
  }

  /** Resolves with how the process ended. */
  exit(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    return this.exited!;
  }

  /** Kills the whole process group, whatever state it is in. */
  kill(): void {
    if (!this.child?.pid || !this.running) return;
    try {
      process.kill(-this.child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }

  /** Stops kamprov: SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = 15_000): Promise<void> {
    if (!this.running) return;
    this.signal('SIGTERM');
    const timer = setTimeout(() => this.kill(), graceMs);
    await this.exit();
    clearTimeout(timer);
  }
}

/**
 * kamprov as a process the way an operator starts it: no BOOTSTRAP_API_KEY (first start
 * creates a key) and LOG_LEVEL=info, unless `env` gives them; the default rate limit.
 */
export function startServer(env: EnvOverrides): Promise<KamprovProcess> {
  return KamprovProcess.start({ BOOTSTRAP_API_KEY: '', LOG_LEVEL: 'info', RATE_LIMIT_MAX: undefined, ...env });
}
