/**
 * The number pool at real volume, over HTTP against the real app on MariaDB:
 *
 *   npm run bench:numbers
 *
 * Creates its own database on BENCH_MYSQL_URL (default mysql://root@127.0.0.1:3306),
 * starts the app on it (migrations and all), fills the pool with BENCH_SIZE (default
 * 1,000,000) numbers through one numbers/add_range, then times random picks, inpool
 * lookups and the whole-pool list, prints a table and drops the database.
 */
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createConnection } from 'mysql2/promise';
import { randomBytes, randomInt } from 'node:crypto';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { createApp } from '../src/app.factory';

const SERVER_URL = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
const SIZE = Number(process.env.BENCH_SIZE ?? 1_000_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 200);
const FIRST = 4720000000; // +4720000000 .. +4720999999 for a million

interface Row {
  what: string;
  measured: string;
  target: string;
  ok: boolean | undefined;
}

async function main(): Promise<void> {
  const dbName = `kamprov_bench_${Date.now().toString(36)}_${randomBytes(2).toString('hex')}`;
  const server = new URL(SERVER_URL);
  server.pathname = '/';
  const admin = await createConnection({ uri: server.toString() });
  const [[{ version }]] = (await admin.query('SELECT VERSION() AS version')) as unknown as [[{ version: string }]];
  await admin.query(`CREATE DATABASE \`${dbName}\``);
  const dbUrl = new URL(server.toString());
  dbUrl.pathname = `/${dbName}`;

  let app: NestFastifyApplication | undefined;
  // A key of the bench's own (accepted with the admin role), sent with every request.
  const apiKey = randomBytes(24).toString('hex');
  try {
    Object.assign(process.env, {
      DATABASE_URL: dbUrl.toString(),
      BOOTSTRAP_API_KEY: apiKey,
      RATE_LIMIT_MAX: '0', // the bench is one client sending hundreds of requests
      NUMBERS_MAX_RANGE: String(Math.max(SIZE, 1_000_000)),
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    });
    app = await createApp();
    await app.listen(0, '127.0.0.1');
    const address = app.getHttpServer().address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const get = async (path: string) => {
      const res = await fetch(base + path, { headers: { 'X-API-Key': apiKey } });
      const text = await res.text();
      return { status: res.status, text, body: () => JSON.parse(text) as Record<string, any> };
    };
    const e164 = (n: number) => `%2B${n}`;
    const last = FIRST + SIZE - 1;
    const rows: Row[] = [];

    process.stdout.write(`filling the pool with ${SIZE.toLocaleString('en')} numbers via numbers/add_range ... `);
    let t = performance.now();
    const fill = await get(`/numbers/add_range?start=${e164(FIRST)}&end=${e164(last)}`);
    const fillMs = performance.now() - t;
    const filled = fill.body();
    if (fill.status !== 200 || filled.added !== SIZE) throw new Error(`add_range failed: ${fill.status} ${fill.text.slice(0, 300)}`);
    console.log(`${(fillMs / 1000).toFixed(2)} s`);
    rows.push({
      what: `numbers/add_range, ${SIZE.toLocaleString('en')} numbers`,
      measured: `${(fillMs / 1000).toFixed(2)} s`,
      target: '< 10 s',
      ok: fillMs < 10_000,
    });

    const again = await get(`/numbers/add_range?start=${e164(FIRST)}&end=${e164(last)}`);
    const skipped = again.body();
    if (skipped.added !== 0 || skipped.skipped !== SIZE) throw new Error(`re-adding the range: ${again.text.slice(0, 300)}`);

    // Random picks: every answer must be 10 distinct numbers of the pool.
    const seen = new Map<string, number>();
    let draws = 0;
    const randomTimes = await timeMany(SAMPLES, async () => {
      const res = await get('/numbers/list?random=true&limit=10');
      const numbers = res.body().numbers as string[];
      if (res.status !== 200 || numbers.length !== 10 || new Set(numbers).size !== 10) throw new Error(`random: ${res.text}`);
      draws += numbers.length;
      for (const n of numbers) {
        if (!n.startsWith('+472') || Number(n.slice(1)) > last) throw new Error(`random: ${n} is not in the pool`);
        seen.set(n, (seen.get(n) ?? 0) + 1);
      }
    });
    rows.push(summary('numbers/list?random=true&limit=10', randomTimes, 10));

    const inpoolTimes = await timeMany(SAMPLES, async () => {
      const res = await get(`/numbers/inpool?number=${e164(FIRST + randomInt(SIZE))}`);
      if (res.status !== 200) throw new Error(`inpool: ${res.text}`);
    });
    rows.push(summary('numbers/inpool (present)', inpoolTimes, 10));

    const missTimes = await timeMany(SAMPLES, async () => {
      const res = await get(`/numbers/inpool?number=${e164(last + 1 + randomInt(SIZE))}`);
      if (res.status !== 404) throw new Error(`inpool miss: ${res.text}`);
    });
    rows.push(summary('numbers/inpool (absent)', missTimes, 10));

    const prefixTimes = await timeMany(Math.min(SAMPLES, 50), async () => {
      const res = await get(`/numbers/list?search=${e164(47200012)}*`);
      if (res.status !== 200 || (res.body().numbers as string[]).length !== 100)
        throw new Error(`prefix search: ${res.text.slice(0, 200)}`);
    });
    rows.push(summary('numbers/list?search=+47200012* (100 hits)', prefixTimes));

    const listTimes: number[] = [];
    let bytes = 0;
    for (let i = 0; i < 3; i++) {
      t = performance.now();
      const res = await get('/numbers/list');
      listTimes.push(performance.now() - t);
      const numbers = res.body().numbers as string[];
      if (numbers.length !== SIZE || numbers[0] !== `+${FIRST}` || numbers[SIZE - 1] !== `+${last}`)
        throw new Error('whole-pool list is wrong');
      bytes = res.text.length;
    }
    rows.push({
      what: `numbers/list, whole pool (${(bytes / 1e6).toFixed(1)} MB JSON)`,
      measured: `median ${fmt(median(listTimes))}, min ${fmt(Math.min(...listTimes))}`,
      target: '-',
      ok: undefined,
    });

    t = performance.now();
    const pulled = await get(`/numbers/remove?number=${e164(FIRST + 12345)}`);
    if (pulled.status !== 200) throw new Error(`remove: ${pulled.text}`);
    rows.push({ what: 'numbers/remove (one)', measured: fmt(performance.now() - t), target: '-', ok: undefined });

    const cpu = cpus()[0]?.model ?? 'unknown';
    console.log('');
    console.log(`machine: ${cpus().length} CPUs (${cpu}), Node ${process.version}, MariaDB/MySQL ${version}`);
    console.log(`random picks: ${draws} numbers drawn, ${seen.size} distinct`);
    console.log('');
    printTable(rows);
    if (rows.some((r) => r.ok === false)) process.exitCode = 1;
  } finally {
    await app?.close();
    await admin.query(`DROP DATABASE IF EXISTS \`${dbName}\``);
    await admin.end();
  }
}

async function timeMany(n: number, once: () => Promise<void>): Promise<number[]> {
  for (let i = 0; i < 5; i++) await once(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await once();
    times.push(performance.now() - t);
  }
  return times;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(2)} ms`);

function summary(what: string, times: number[], targetMs?: number): Row {
  const med = median(times);
  return {
    what: `${what}, ${times.length} requests`,
    measured: `median ${fmt(med)}, p95 ${fmt(percentile(times, 95))}`,
    target: targetMs === undefined ? '-' : `< ${targetMs} ms`,
    ok: targetMs === undefined ? undefined : med < targetMs,
  };
}

function printTable(rows: Row[]): void {
  const head = ['measurement', 'result', 'target', ''];
  const body = rows.map((r) => [r.what, r.measured, r.target, r.ok === undefined ? '' : r.ok ? 'ok' : 'MISSED']);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(line(head));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const b of body) console.log(line(b));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
