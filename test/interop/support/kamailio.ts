import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { freeTcpPort, freeUdpPort } from '../../support/process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const HERE = join(__dirname, '..');
export const KAMAILIO_CFG = join(HERE, 'kamailio.cfg');
const SIPP_DIR = join(HERE, 'sipp');

const onPath = (cmd: string): boolean => {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

/**
 * Whether the interop suite can run. Without kamailio or sipp it is skipped, loudly; with
 * REQUIRE_KAMAILIO=1 (as CI sets it) their absence is an error.
 */
export function interopAvailable(): boolean {
  const missing = ['kamailio', 'sipp'].filter((c) => !onPath(c));
  if (missing.length === 0) return true;
  if (process.env.REQUIRE_KAMAILIO === '1') {
    throw new Error(`REQUIRE_KAMAILIO=1 but ${missing.join(' and ')} not on the PATH: the interop suite cannot run`);
  }
  return false;
}

export interface KamailioOptions {
  /** Kamailio's db_url: mysql://..., postgres://... or sqlite:///path */
  dbUrl: string;
  /** auth_db reads `ha1` (calculate_ha1 0) instead of the plain password. */
  ha1: boolean;
}

/** A Kamailio of the test's own: its ports, its folder, its process group. */
export class KamailioInstance {
  private process?: ChildProcess;
  private readonly dir = mkdtempSync(join(tmpdir(), 'kamprov-kamailio-'));
  private log = '';
  sipPort = 0;
  rpcPort = 0;

  constructor(private readonly options: KamailioOptions) {}

  get rpcUrl(): string {
    return `http://127.0.0.1:${this.rpcPort}/RPC`;
  }

  /** Picks the instance's ports (before start, so kamprov can be told the RPC URL). */
  async allocatePorts(): Promise<void> {
    this.sipPort = await freeUdpPort();
    this.rpcPort = await freeTcpPort();
  }

  async start(): Promise<void> {
    if (!this.sipPort) await this.allocatePorts();
    const defines = [
      `DBURL="${this.options.dbUrl}"`,
      `SIP_PORT=${this.sipPort}`,
      `RPC_PORT=${this.rpcPort}`,
      ...(this.options.ha1 ? ['WITH_HA1'] : []),
      ...(this.options.dbUrl.startsWith('postgres') ? ['WITH_POSTGRES'] : []),
      ...(this.options.dbUrl.startsWith('sqlite:')
        ? ['WITH_SQLITE', `SQLITE_FILE="${this.options.dbUrl.replace(/^sqlite:\/\/\//, '')}=WAL"`]
        : []),
    ];
    const args = ['-f', KAMAILIO_CFG, '-DD', '-E', '-Y', this.dir, '-w', this.dir, '-m', '64', '-M', '8'];
    for (const d of defines) args.push('-A', d);
    this.process = spawn('kamailio', args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    this.process.stdout?.on('data', (d: Buffer) => (this.log += d.toString()));
    this.process.stderr?.on('data', (d: Buffer) => (this.log += d.toString()));
    await this.waitReady();
  }

  /** Ready when JSON-RPC answers (all modules initialized and listening). */
  private async waitReady(): Promise<void> {
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if (this.process?.exitCode !== null && this.process?.exitCode !== undefined) break;
      try {
        const res = await this.rpc('core.version');
        if (res.result !== undefined) return;
      } catch {
        // not yet listening
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`kamailio did not start:\n${this.log.slice(-3000)}`);
  }

  async rpc(method: string): Promise<{ result?: unknown; error?: unknown }> {
    const res = await fetch(this.rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', method, id: 1 }),
      signal: AbortSignal.timeout(2000),
    });
    return (await res.json()) as { result?: unknown; error?: unknown };
  }

  stop(): void {
    if (this.process?.pid) {
      try {
        process.kill(-this.process.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  get output(): string {
    return this.log;
  }
}

export interface SippResult {
  ok: boolean;
  messages: string;
}

/** Runs one sipp scenario once against a Kamailio; ok = the scenario's call succeeded. */
export async function sipp(
  kamailio: KamailioInstance,
  scenario: 'register' | 'register-refused' | 'options',
  vars: { user: string; dom: string },
  auth?: { user: string; password: string },
): Promise<SippResult> {
  const dir = mkdtempSync(join(tmpdir(), 'kamprov-sipp-'));
  const messageFile = join(dir, 'messages.log');
  const localPort = await freeUdpPort();
  const args = [
    '-sf',
    join(SIPP_DIR, `${scenario}.xml`),
    '-set',
    'user',
    vars.user,
    '-set',
    'dom',
    vars.dom,
    '-m',
    '1',
    '-i',
    '127.0.0.1',
    '-p',
    String(localPort),
    '-timeout',
    '10',
    '-timeout_error',
    '-nostdin',
    '-trace_msg',
    '-message_file',
    messageFile,
    `127.0.0.1:${kamailio.sipPort}`,
  ];
  if (auth) args.push('-au', auth.user, '-ap', auth.password);
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn('sipp', args, { cwd: dir, stdio: 'ignore' });
    child.on('exit', (c) => resolve(c));
  });
  let messages = '';
  try {
    messages = readFileSync(messageFile, 'latin1');
  } catch {
    // sipp wrote nothing
  }
  rmSync(dir, { recursive: true, force: true });
  return { ok: code === 0, messages };
}
