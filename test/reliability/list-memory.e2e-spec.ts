import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { TEST_ADMIN_KEY } from '../support/app';
import { databaseTargets, describeSkippedTargets, TestDatabase } from '../support/databases';
import { freeTcpPort, ROOT, waitFor } from './support/process';

/**
 * Issue 17: the production build, run with the V8 flags of the Dockerfile's CMD (a small
 * young generation, a slowly growing old one), streams many whole-pool numbers/list at once without running out of memory: the
 * process stays up and every list arrives whole, byte for byte. Also a random pick as big as
 * the pool (the largest answer a `read` key can ask for that is not streamed). Asserts
 * behaviour only; the memory figures are the bench's (bench/lists.ts).
 */
const POOL = 200_000;
const LISTS = 20;
const FIRST = 4793000000;

/** The node flags of the Dockerfile's CMD (`["node", <flags>, "dist/main.js"]`). */
function dockerfileNodeFlags(): string[] {
  const cmd = /^CMD (\[.*\])$/m.exec(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
  if (!cmd) throw new Error('the Dockerfile has no CMD ["node", ...]');
  return (JSON.parse(cmd[1]) as string[]).filter((a) => a.startsWith('--'));
}

/** The newest modification time of the files under `dir`. */
function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** dist/ as `npm run build` leaves it, rebuilt when src/ is newer. */
function ensureBuilt(): void {
  let built = 0;
  try {
    built = statSync(join(ROOT, 'dist', 'main.js')).mtimeMs;
  } catch {
    // not built yet
  }
  if (built < newest(join(ROOT, 'src'))) execFileSync('npx', ['nest', 'build'], { cwd: ROOT, stdio: 'ignore' });
}

describe('reliability: concurrent whole lists under the production heap flags', () => {
  beforeAll(() => ensureBuilt(), 300_000);

  it('npm start and npm run start:prod run with the same flags as the Dockerfile', () => {
    const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    const flags = dockerfileNodeFlags();
    expect(flags.length).toBeGreaterThan(0);
    expect(scripts['start:prod']).toBe(`node ${flags.join(' ')} dist/main.js`);
    expect(scripts.start).toBe(`nest build && node ${flags.join(' ')} dist/main.js`);
  });

  for (const target of databaseTargets()) {
    describe(`[${target.kind}]`, () => {
      let db: TestDatabase;
      let child: ChildProcess;
      let output = '';
      let baseUrl = '';
      const alive = () => child.exitCode === null && child.signalCode === null;
      const get = (path: string) => fetch(baseUrl + path, { headers: { 'x-api-key': TEST_ADMIN_KEY } });

      beforeAll(async () => {
        db = await target.create();
        const port = await freeTcpPort();
        baseUrl = `http://127.0.0.1:${port}`;
        child = spawn(process.execPath, [...dockerfileNodeFlags(), join(ROOT, 'dist', 'main.js')], {
          cwd: ROOT,
          env: {
            ...process.env,
            NODE_ENV: 'production',
            DATABASE_URL: db.url,
            HOST: '127.0.0.1',
            PORT: String(port),
            BOOTSTRAP_API_KEY: TEST_ADMIN_KEY,
            RATE_LIMIT_MAX: '0',
            LOG_LEVEL: 'warn',
          },
        });
        child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
        child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
        await waitFor(
          async () => {
            if (!alive()) throw new Error(`kamprov exited during start:\n${output}`);
            try {
              return (await fetch(`${baseUrl}/health/ready`, { signal: AbortSignal.timeout(2000) })).status === 200;
            } catch {
              return false;
            }
          },
          60_000,
          'kamprov to be ready',
        );
        const res = await get(`/numbers/add_range?start=%2B${FIRST}&end=%2B${FIRST + POOL - 1}`);
        expect(res.status).toBe(200);
        expect(await res.json()).toMatchObject({ response: 'ok', added: POOL });
      }, 180_000);

      afterAll(async () => {
        if (child && alive()) {
          child.kill('SIGTERM');
          await new Promise((resolve) => child.once('exit', resolve));
        }
        await db?.drop();
      });

      it(`streams ${LISTS} whole-pool lists at once, each complete, and stays up`, async () => {
        const expected = JSON.stringify({ response: 'ok', numbers: Array.from({ length: POOL }, (_, i) => `+${FIRST + i}`) });
        const bodies = await Promise.all(
          Array.from({ length: LISTS }, async () => {
            const res = await get('/numbers/list');
            return { status: res.status, text: await res.text() };
          }),
        );
        expect(bodies.map((b) => b.status)).toEqual(Array(LISTS).fill(200));
        // Compared without printing a 3 MB body on failure.
        expect(bodies.filter((b) => b.text !== expected).map((b) => b.text.length)).toEqual([]);
        expect(alive()).toBe(true);
        expect((await get('/health/live')).status).toBe(200);
        expect(output).not.toMatch(/out of memory/i);
      }, 600_000);

      it('answers a random pick of the whole pool while lists stream, and stays up', async () => {
        const [pick, ...lists] = await Promise.all([
          get(`/numbers/list?random=true&limit=${POOL}`).then(async (r) => ({
            status: r.status,
            body: (await r.json()) as { numbers: string[] },
          })),
          ...Array.from({ length: 4 }, () =>
            get('/numbers/list').then(async (r) => ({ status: r.status, length: (await r.text()).length })),
          ),
        ]);
        expect(pick.status).toBe(200);
        expect(new Set(pick.body.numbers).size).toBe(POOL);
        expect(lists.map((l) => l.status)).toEqual([200, 200, 200, 200]);
        expect(alive()).toBe(true);
        expect(output).not.toMatch(/out of memory/i);
      }, 600_000);
    });
  }
  describeSkippedTargets('reliability: concurrent whole lists under the production heap flags');
});
