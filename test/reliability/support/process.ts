import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { TEST_ADMIN_KEY } from '../../support/app';
import { freeTcpPort } from '../../support/server';

export { freeTcpPort };

export const ROOT = join(__dirname, '..', '..', '..');


export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `check` until it says true, or throws after `timeoutMs`. */
export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

export interface Answer {
  status: number;
  body: Record<string, any>;
  ms: number;
}

/** A GET with the test admin key and a client-side deadline; the body must be JSON. */
export async function call(baseUrl: string, path: string, timeoutMs = 30_000, key: string | null = TEST_ADMIN_KEY): Promise<Answer> {
  const started = Date.now();
  const res = await fetch(baseUrl + path, {
    headers: key ? { 'x-api-key': key } : {},
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  let body: Record<string, any>;
  try {
    body = JSON.parse(text) as Record<string, any>;
  } catch {
    throw new Error(`GET ${path}: not JSON (${res.status}): ${text.slice(0, 200)}`);
  }
  return { status: res.status, body, ms: Date.now() - started };
}

/** kamprov as its own process (src/main.ts through ts-node), in a process group of its own. */
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

  get output(): string {
    return this.out;
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  static async start(env: Record<string, string>): Promise<KamprovProcess> {
    const server = new KamprovProcess(await freeTcpPort());
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/main.ts'], {
      cwd: ROOT,
      detached: true,
      env: {
        ...process.env,
        LOG_LEVEL: 'warn',
        RATE_LIMIT_MAX: '0',
        BOOTSTRAP_API_KEY: TEST_ADMIN_KEY,
        HOST: '127.0.0.1',
        PORT: String(server.port),
        ...env,
      },
    });
    server.child = child;
    child.stdout.on('data', (d: Buffer) => (server.out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (server.out += d.toString()));
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
