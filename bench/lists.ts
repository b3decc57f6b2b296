/**
 * Streamed lists at volume (issue 14 item 7): RSS of the app process while CONCURRENCY
 * (default 8) clients each read the whole pool of BENCH_SIZE (default 1,000,000) numbers
 * with numbers/list, over HTTP against the real app on MariaDB:
 *
 *   npx ts-node --transpile-only bench/lists.ts
 *
 * Creates its own database on BENCH_MYSQL_URL (default mysql://root@127.0.0.1:3306), fills
 * the pool with SQL, prints RSS before/peak, time to first byte and total per list, and
 * drops the database. A bench prints numbers; it is not a test.
 */
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createConnection } from 'mysql2/promise';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createApp } from '../src/app.factory';

const SERVER_URL = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
const SIZE = Number(process.env.BENCH_SIZE ?? 1_000_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const FIRST = 4720000000;
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

async function main(): Promise<void> {
  const dbName = `kamprov_bench_${Date.now().toString(36)}_${randomBytes(2).toString('hex')}`;
  const server = new URL(SERVER_URL);
  server.pathname = '/';
  const admin = await createConnection({ uri: server.toString() });
  await admin.query(`CREATE DATABASE \`${dbName}\``);
  const dbUrl = new URL(server.toString());
  dbUrl.pathname = `/${dbName}`;
  const apiKey = randomBytes(24).toString('hex');
  let app: NestFastifyApplication | undefined;
  try {
    Object.assign(process.env, {
      DATABASE_URL: dbUrl.toString(),
      BOOTSTRAP_API_KEY: apiKey,
      RATE_LIMIT_MAX: '0',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    });
    app = await createApp();
    await app.listen(0, '127.0.0.1');
    const address = app.getHttpServer().address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const db = await createConnection({ uri: dbUrl.toString() });
    for (let lo = 0; lo < SIZE; lo += 10_000) {
      const values = Array.from({ length: Math.min(10_000, SIZE - lo) }, (_, i) => `(${FIRST + lo + i})`).join(',');
      await db.query(`INSERT INTO kamprov_numbers (number) VALUES ${values}`);
    }
    await db.end();
    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
    const started = performance.now();
    const results = await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        const t0 = performance.now();
        const res = await fetch(`${base}/numbers/list`, { headers: { 'x-api-key': apiKey } });
        let first = 0;
        let bytes = 0;
        const reader = res.body!.getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          if (!first) first = performance.now() - t0;
          bytes += value.length;
        }
        return { status: res.status, first, total: performance.now() - t0, bytes };
      }),
    );
    clearInterval(sampler);
    const wall = performance.now() - started;
    console.log(`numbers/list of ${SIZE.toLocaleString('en')} numbers, ${CONCURRENCY} at once (client and app in one process)`);
    console.log(`RSS before ${mb(before)}, peak ${mb(peak)} (+${mb(peak - before)}); wall ${(wall / 1000).toFixed(1)} s`);
    for (const r of results) {
      console.log(`  ${r.status}  first byte ${r.first.toFixed(0)} ms  total ${(r.total / 1000).toFixed(1)} s  ${mb(r.bytes)}`);
    }
  } finally {
    await app?.close();
    await admin.query(`DROP DATABASE IF EXISTS \`${dbName}\``);
    await admin.end();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
