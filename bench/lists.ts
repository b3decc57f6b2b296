/**
 * Streamed lists at volume (issue 17): the memory and first byte of whole-pool lists read by
 * many clients at once, against the targets (RSS at most 20 MB above idle however many run
 * at once; first byte within 100 ms). Runs kamprov's production build as a process of its
 * own (`npm run build` first) with the node flags of the Dockerfile's CMD (BENCH_NODE_ARGS,
 * space-separated, to try others) on MariaDB and reads its RSS from /proc:
 *
 *   npm run build && npx ts-node --transpile-only bench/lists.ts
 *
 * Creates its own database on BENCH_MYSQL_URL (default mysql://root@127.0.0.1:3306), fills
 * it with SQL (BENCH_SIZE numbers, default 1,000,000; BENCH_USERS users with their
 * subscriber rows, default 100,000; BENCH_PHONES phones, one user each, default 100,000), and for each
 * list and each concurrency of BENCH_CONCURRENCY (default `8,20`) starts that many whole
 * lists at once, then prints the worst first byte, the peak RSS above idle and the wall
 * time beside the targets. BENCH_SLOW=1 adds a round of slow readers (each pauses 5 ms per
 * 64 KiB read): what backpressure is for. Drops the database. A bench prints numbers; it is
 * not a test.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createConnection } from 'mysql2/promise';

const REPO = join(__dirname, '..');
const SERVER_URL = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
const SIZE = Number(process.env.BENCH_SIZE ?? 1_000_000);
const USERS = Number(process.env.BENCH_USERS ?? 100_000);
const PHONES = Number(process.env.BENCH_PHONES ?? 100_000);
const CONCURRENCY = (process.env.BENCH_CONCURRENCY ?? '8,20').split(',').map(Number);
const SLOW = process.env.BENCH_SLOW === '1';
const FIRST = 4720000000;
const TARGET_RSS_MB = 20;
const TARGET_FIRST_MS = 100;
const DOMAIN = 'bench.example.com';
/** node's flags for kamprov: BENCH_NODE_ARGS (space-separated), else those of the Dockerfile's CMD. */
const NODE_ARGS =
  process.env.BENCH_NODE_ARGS !== undefined
    ? process.env.BENCH_NODE_ARGS.split(' ').filter(Boolean)
    : (JSON.parse(/^CMD (\[.*\])$/m.exec(readFileSync(join(REPO, 'Dockerfile'), 'utf8'))![1]) as string[]).filter((a) =>
        a.startsWith('--'),
      );

const mb = (bytes: number) => bytes / 2 ** 20;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The process's resident set (VmRSS), in bytes. */
function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

interface ListResult {
  status: number;
  first: number;
  total: number;
  bytes: number;
}

/** One whole list, its body read and dropped as it comes (slowly: a pause per 64 KiB). */
function readList(agent: http.Agent, port: number, path: string, key: string, slow: boolean): Promise<ListResult> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = http.get({ host: '127.0.0.1', port, path, agent, headers: { 'x-api-key': key } }, (res) => {
      let first = 0;
      let bytes = 0;
      let sinceSleep = 0;
      res.on('data', (d: Buffer) => {
        if (!first) first = performance.now() - t0;
        bytes += d.length;
        sinceSleep += d.length;
        if (slow && sinceSleep >= 65536) {
          sinceSleep = 0;
          res.pause();
          setTimeout(() => res.resume(), 5);
        }
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, first, total: performance.now() - t0, bytes }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

async function fill(dbUrl: string): Promise<void> {
  const db = await createConnection({ uri: dbUrl });
  const batches = async (count: number, row: (i: number) => string, insert: string) => {
    for (let lo = 0; lo < count; lo += 10_000) {
      const values = Array.from({ length: Math.min(10_000, count - lo) }, (_, i) => row(lo + i)).join(',');
      await db.query(`${insert} VALUES ${values}`);
    }
  };
  await batches(SIZE, (i) => `(${FIRST + i})`, 'INSERT INTO kamprov_numbers (number)');
  const user = (i: number) => `u${String(i).padStart(7, '0')}`;
  await batches(USERS, (i) => `('${user(i)}', '${DOMAIN}', 'local')`, 'INSERT INTO kamprov_users (username, domain, type)');
  await batches(
    USERS,
    (i) => `('${user(i)}', '${DOMAIN}', 'x', 'x', 'x')`,
    'INSERT INTO subscriber (username, domain, password, ha1, ha1b)',
  );
  const [[{ id }]] = (await db.query('SELECT MIN(id) AS id FROM kamprov_users')) as unknown as [[{ id: number }]];
  const mac = (i: number) => `'02${i.toString(16).padStart(10, '0')}'`;
  await batches(Math.min(PHONES, USERS), (i) => `(${mac(i)}, ${Number(id) + i})`, 'INSERT INTO kamprov_phones (mac, user_id)');
  await db.end();
}

async function main(): Promise<void> {
  const dbName = `kamprov_bench_${Date.now().toString(36)}_${randomBytes(2).toString('hex')}`;
  const server = new URL(SERVER_URL);
  server.pathname = '/';
  const admin = await createConnection({ uri: server.toString() });
  await admin.query(`CREATE DATABASE \`${dbName}\``);
  const dbUrl = new URL(server.toString());
  dbUrl.pathname = `/${dbName}`;
  const apiKey = randomBytes(24).toString('hex');
  const port = await freePort();
  const kamprov = spawn(process.execPath, [...NODE_ARGS, join(REPO, 'dist/main.js')], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      DATABASE_URL: dbUrl.toString(),
      PORT: String(port),
      BOOTSTRAP_API_KEY: apiKey,
      RATE_LIMIT_MAX: '0',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  try {
    for (let i = 0; ; i++) {
      const up = await new Promise<boolean>((resolve) =>
        http
          .get({ host: '127.0.0.1', port, path: '/health/ready' }, (res) => {
            res.resume();
            resolve(res.statusCode === 200);
          })
          .on('error', () => resolve(false)),
      );
      if (up) break;
      if (i > 150 || kamprov.exitCode !== null) throw new Error('kamprov did not start (npm run build first?)');
      await sleep(200);
    }
    await fill(dbUrl.toString());
    const pid = kamprov.pid!;
    // Warm every path once (JIT, pool), then let the heap settle: that is idle.
    for (const path of ['/numbers/list?limit=10', '/user/list?limit=10', '/phone/list?limit=10', '/domain/list'])
      await readList(agent, port, path, apiKey, false);
    await sleep(2000);
    const idle = rssOf(pid);
    console.log(
      `kamprov (production build, own process, node ${NODE_ARGS.join(' ') || '(no flags)'}), MariaDB; idle RSS ${mb(idle).toFixed(0)} MiB`,
    );
    console.log(`targets: first byte <= ${TARGET_FIRST_MS} ms, peak RSS <= ${TARGET_RSS_MB} MiB above idle, however many at once`);
    const lists: [string, string, number][] = [
      ['numbers/list', '/numbers/list', SIZE],
      ['user/list', '/user/list', USERS],
      ['phone/list', '/phone/list', PHONES],
    ];
    const rounds = SLOW ? [false, true] : [false];
    for (const [name, path, rows] of lists) {
      for (const slow of rounds) {
        for (const n of CONCURRENCY) {
          const before = rssOf(pid);
          let peak = before;
          const sampler = setInterval(() => (peak = Math.max(peak, rssOf(pid))), 20);
          const t0 = performance.now();
          const results = await Promise.all(Array.from({ length: n }, () => readList(agent, port, path, apiKey, slow)));
          const wall = performance.now() - t0;
          clearInterval(sampler);
          peak = Math.max(peak, rssOf(pid));
          const firstMax = Math.max(...results.map((r) => r.first));
          const firstMed = results.map((r) => r.first).sort((a, b) => a - b)[Math.floor(n / 2)];
          const above = mb(peak - idle);
          const bad = results.filter((r) => r.status !== 200).length;
          const sizes = new Set(results.map((r) => r.bytes));
          console.log(
            `${name} of ${rows.toLocaleString('en')}, ${String(n).padStart(2)} at once${slow ? ' (slow readers)' : ''}: ` +
              `first byte median ${firstMed.toFixed(0)} ms, worst ${firstMax.toFixed(0)} ms (target <= ${TARGET_FIRST_MS}: ${firstMax <= TARGET_FIRST_MS ? 'met' : 'NOT met'}); ` +
              `peak RSS +${above.toFixed(1)} MiB above idle (target <= ${TARGET_RSS_MB}: ${above <= TARGET_RSS_MB ? 'met' : 'NOT met'}); ` +
              `wall ${(wall / 1000).toFixed(1)} s, ${mb([...sizes][0]).toFixed(1)} MiB each${bad || sizes.size > 1 ? `, ${bad} not 200, ${sizes.size} sizes` : ''}`,
          );
          await sleep(1000);
        }
      }
    }
  } finally {
    agent.destroy();
    kamprov.kill('SIGTERM');
    await new Promise((resolve) => (kamprov.exitCode !== null ? resolve(undefined) : kamprov.once('exit', resolve)));
    await admin.query(`DROP DATABASE IF EXISTS \`${dbName}\``);
    await admin.end();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
