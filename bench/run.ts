/**
 * kamprov's benchmark suite, on MariaDB and on PostgreSQL:  npm run bench
 *
 * For each database (BENCH_DATABASES, default `mysql,postgres`):
 * 1. Creates a database of its own on BENCH_MYSQL_URL (default mysql://root@127.0.0.1:3306)
 *    or BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432) and starts kamprov's
 *    production build (dist/main.js, LOG_LEVEL=info) on it.
 * 2. Times the bulk paths through kamprov: 10,000 user/add_local at concurrency 8 and one
 *    numbers/add_range of 1,000,000; then seeds the rest by bulk SQL (100,000 local users in
 *    all, 50,000 phones, 50,000 aliases) and times user/list?search=prefix* and
 *    numbers/list?random=true&limit=10.
 * 3. Starts the baseline (bench/baseline-common.ts, on mysql2 in bench/baseline.ts and on pg
 *    in bench/baseline-pg.ts: bare Fastify, the same key check, security headers, request id,
 *    statements (prepared) and JSON) and drives both with autocannon (50 connections, after a
 *    warm-up) on user/get, phone/get?mac= and numbers/inpool, with a `provision` key, kamprov
 *    with its rate limiter ON at RATE_LIMIT_MAX=1000000 (as a busy deployment sets it).
 * 4. Streams whole-pool numbers/list (BENCH_LISTS at once, default 8): first byte, and
 *    kamprov's RSS above what it was just before.
 * 5. Prints every figure beside its target (issue 17) and the baseline's, and drops the database.
 *
 * BENCH_DURATION_S / BENCH_WARMUP_S shorten the read runs; BENCH_PARTS (default
 * `add_local,reads,lists`) picks what to run while iterating (the pool and the seed are always made),
 * BENCH_NODES (e.g. `phone/get`) which read nodes. kamprov is stopped with SIGTERM, so that
 * BENCH_NODE_FLAGS="... --cpu-prof --cpu-prof-dir=DIR" leaves a profile of it.
 */
import autocannon from 'autocannon';
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent as HttpAgent, get as httpGet } from 'node:http';
import { createServer } from 'node:net';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createConnection } from 'mysql2/promise';
import { Client } from 'pg';

const MYSQL_URL = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';
const DATABASES = (process.env.BENCH_DATABASES ?? 'mysql,postgres').split(',').map((d) => d.trim());
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const WARMUP_S = Number(process.env.BENCH_WARMUP_S ?? 3);
const REPO = join(__dirname, '..');
const CONNECTIONS = 50;
const PARTS = new Set((process.env.BENCH_PARTS ?? 'add_local,reads,lists').split(',').map((p) => p.trim()));
const LISTS = Number(process.env.BENCH_LISTS ?? 8);
/**
 * The V8 flags kamprov runs with: those of the Dockerfile's CMD (`node <flags> dist/main.js`),
 * or BENCH_NODE_FLAGS (space-separated) to try others.
 */
const NODE_FLAGS =
  process.env.BENCH_NODE_FLAGS !== undefined
    ? process.env.BENCH_NODE_FLAGS.split(' ').filter(Boolean)
    : (JSON.parse(/^CMD (\[.*\])$/m.exec(readFileSync(join(REPO, 'Dockerfile'), 'utf8'))![1]) as string[]).filter((a) =>
        a.startsWith('--'),
      );
/** kamprov's limiter is on, at the highest limit it accepts. */
const RATE_LIMIT_MAX = '1000000';
const DOMAIN = 'bench.example.com';
const FIRST_NUMBER = 4720000000;
const POOL_SIZE = 1_000_000;

const name = (i: number) => `bu${String(i).padStart(6, '0')}`;
const mac = (i: number) => i.toString(16).padStart(12, '0');
const ms = (x: number) => `${x.toFixed(x < 10 ? 2 : 1)} ms`;

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const a = s.address();
  await new Promise<void>((r) => s.close(() => r()));
  return typeof a === 'object' && a ? a.port : 0;
}

async function waitFor(url: string, child: ChildProcess, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}`);
    try {
      const res = await fetch(url);
      if (res.status < 500) return;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not start`);
}

/** A figure of kamprov's /proc status, in MB (VmRSS: now; VmHWM: peak since start or since resetPeak). */
function procMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)![1]) / 1024;
}

/** CPU seconds (user + system) a process has used so far (/proc/<pid>/stat, in clock ticks of 10 ms). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8')
    .replace(/^.*\) /, '')
    .split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** CPU seconds so far of each process of the database server (mariadbd, or postgres and its backends), by pid. */
function databaseCpu(kind: string): Map<number, number> {
  const comm = kind === 'PostgreSQL' ? 'postgres' : 'mariadbd';
  const byPid = new Map<number, number>();
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === comm) byPid.set(Number(pid), cpuSeconds(Number(pid)));
    } catch {
      // gone meanwhile
    }
  }
  return byPid;
}

/**
 * The database server's CPU seconds since `before` (a databaseCpu reading): per process, so
 * that a PostgreSQL backend that exits meanwhile (a pool closing an idle connection) does not
 * take its whole past off the sum; one that started meanwhile counts whole.
 */
function databaseCpuSince(kind: string, before: Map<number, number>): number {
  let total = 0;
  for (const [pid, seconds] of databaseCpu(kind)) total += seconds - (before.get(pid) ?? 0);
  return total;
}

/** Resets the process's peak RSS (VmHWM) to its current RSS (Linux >= 4.0). */
function resetPeak(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

const check = (ok: boolean) => (ok ? 'met' : 'NOT met');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** A database of the bench's own on one server kind: its URL, the bulk seeding, the row counts, the baseline. */
interface BenchDatabase {
  kind: string;
  url: string;
  baseline: string;
  /** Adds 90,000 users, 50,000 phones and 50,000 aliases (with their claims) by bulk SQL. */
  seed(): Promise<void>;
  counts(): Promise<Record<string, number | string>>;
  drop(): Promise<void>;
}

const COUNTS = `SELECT (SELECT COUNT(*) FROM kamprov_users) AS users, (SELECT COUNT(*) FROM kamprov_numbers) AS numbers,
              (SELECT COUNT(*) FROM kamprov_phones) AS phones, (SELECT COUNT(*) FROM dbaliases) AS aliases`;

async function mysqlDatabase(dbName: string): Promise<BenchDatabase> {
  const server = new URL(MYSQL_URL);
  server.pathname = '/';
  const admin = await createConnection({ uri: server.toString() });
  await admin.query(`CREATE DATABASE \`${dbName}\``);
  const dbUrl = new URL(server.toString());
  dbUrl.pathname = `/${dbName}`;
  return {
    kind: 'MariaDB',
    url: dbUrl.toString(),
    baseline: 'baseline.ts',
    seed: async () => {
      const db = await createConnection({ uri: dbUrl.toString(), multipleStatements: true });
      const user = `CONCAT('bu', LPAD(seq, 6, '0'))`;
      await db.query(
        `INSERT INTO subscriber (username, domain, password, ha1, ha1b)
           SELECT ${user}, '${DOMAIN}', 'benchpw', MD5(CONCAT(${user}, ':${DOMAIN}:benchpw')),
                  MD5(CONCAT(${user}, '@${DOMAIN}:${DOMAIN}:benchpw')) FROM seq_10000_to_99999;
         INSERT INTO kamprov_users (username, domain, type) SELECT ${user}, '${DOMAIN}', 'local' FROM seq_10000_to_99999;
         INSERT INTO kamprov_address_claims (username, domain, kind) SELECT ${user}, '${DOMAIN}', 'user' FROM seq_10000_to_99999;
         INSERT INTO kamprov_phones (mac, user_id)
           SELECT LOWER(LPAD(HEX(s.seq), 12, '0')), u.id FROM seq_1_to_50000 s
             JOIN kamprov_users u ON u.username = CONCAT('bu', LPAD(s.seq + 10000, 6, '0')) AND u.domain = '${DOMAIN}';
         INSERT INTO dbaliases (alias_username, alias_domain, username, domain)
           SELECT CONCAT('+4730', LPAD(seq, 6, '0')), '${DOMAIN}', CONCAT('bu', LPAD(seq + 10000, 6, '0')), '${DOMAIN}' FROM seq_1_to_50000;
         INSERT INTO kamprov_address_claims (username, domain, kind, e164_destination)
           SELECT CONCAT('+4730', LPAD(seq, 6, '0')), '${DOMAIN}', 'alias', CONCAT('bu', LPAD(seq + 10000, 6, '0'), '@${DOMAIN}')
             FROM seq_1_to_50000;`,
      );
      await db.end();
    },
    counts: async () => {
      const db = await createConnection({ uri: dbUrl.toString() });
      const [[counts]] = (await db.query(COUNTS)) as unknown as [[Record<string, number>]];
      await db.end();
      return counts;
    },
    drop: async () => {
      await admin.query(`DROP DATABASE IF EXISTS \`${dbName}\``);
      await admin.end();
    },
  };
}

async function postgresDatabase(dbName: string): Promise<BenchDatabase> {
  const server = new URL(PG_URL);
  server.pathname = '/postgres';
  const admin = new Client({ connectionString: server.toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  const dbUrl = new URL(server.toString());
  dbUrl.pathname = `/${dbName}`;
  const run = async <T>(work: (c: Client) => Promise<T>) => {
    const c = new Client({ connectionString: dbUrl.toString() });
    await c.connect();
    try {
      return await work(c);
    } finally {
      await c.end();
    }
  };
  return {
    kind: 'PostgreSQL',
    url: dbUrl.toString(),
    baseline: 'baseline-pg.ts',
    seed: () =>
      run(async (c) => {
        const user = `('bu' || LPAD(seq::text, 6, '0'))`;
        const users = `generate_series(10000, 99999) AS seq`;
        const fifty = `generate_series(1, 50000) AS seq`;
        await c.query(
          `INSERT INTO subscriber (username, domain, password, ha1, ha1b)
             SELECT ${user}, '${DOMAIN}', 'benchpw', MD5(${user} || ':${DOMAIN}:benchpw'),
                    MD5(${user} || '@${DOMAIN}:${DOMAIN}:benchpw') FROM ${users};
           INSERT INTO kamprov_users (username, domain, type) SELECT ${user}, '${DOMAIN}', 'local' FROM ${users};
           INSERT INTO kamprov_address_claims (username, domain, kind) SELECT ${user}, '${DOMAIN}', 'user' FROM ${users};
           INSERT INTO kamprov_phones (mac, user_id)
             SELECT LPAD(to_hex(s.seq), 12, '0'), u.id FROM generate_series(1, 50000) AS s(seq)
               JOIN kamprov_users u ON u.username = 'bu' || LPAD((s.seq + 10000)::text, 6, '0') AND u.domain = '${DOMAIN}';
           INSERT INTO dbaliases (alias_username, alias_domain, username, domain)
             SELECT '+4730' || LPAD(seq::text, 6, '0'), '${DOMAIN}', 'bu' || LPAD((seq + 10000)::text, 6, '0'), '${DOMAIN}' FROM ${fifty};
           INSERT INTO kamprov_address_claims (username, domain, kind, e164_destination)
             SELECT '+4730' || LPAD(seq::text, 6, '0'), '${DOMAIN}', 'alias', 'bu' || LPAD((seq + 10000)::text, 6, '0') || '@${DOMAIN}'
               FROM ${fifty};
           ANALYZE;`,
        );
      }),
    counts: () => run(async (c) => (await c.query<Record<string, string>>(COUNTS)).rows[0]),
    drop: async () => {
      await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
      await admin.end();
    },
  };
}

async function main(): Promise<void> {
  for (const kind of DATABASES) {
    const dbName = `kamprov_bench_${Date.now().toString(36)}_${randomBytes(2).toString('hex')}`;
    if (kind === 'mysql') await bench(await mysqlDatabase(dbName));
    else if (kind === 'postgres') await bench(await postgresDatabase(dbName));
    else throw new Error(`BENCH_DATABASES: unknown database ${kind} (mysql, postgres)`);
  }
}

async function bench(database: BenchDatabase): Promise<void> {
  const dbUrl = new URL(database.url);
  const bootstrap = randomBytes(24).toString('hex');
  const children: ChildProcess[] = [];
  try {
    // kamprov, production build, production log level (its logs go nowhere: we measure, not read).
    const port = await freePort();
    const kamprov = spawn(process.execPath, [...NODE_FLAGS, join(REPO, 'dist/main.js')], {
      env: {
        ...process.env,
        NODE_ENV: 'production',
        DATABASE_URL: dbUrl.toString(),
        PORT: String(port),
        BOOTSTRAP_API_KEY: bootstrap,
        RATE_LIMIT_MAX,
        LOG_LEVEL: 'info',
      },
      stdio: 'ignore',
    });
    children.push(kamprov);
    const k = `http://127.0.0.1:${port}`;
    await waitFor(`${k}/openapi.json`, kamprov, 'kamprov');
    const get = async (path: string, key = bootstrap) => {
      const res = await fetch(k + path, { headers: { 'x-api-key': key } });
      return { status: res.status, body: (await res.json()) as Record<string, any> };
    };
    const must = async (path: string) => {
      const r = await get(path);
      if (r.status !== 200) throw new Error(`${path}: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body;
    };
    await must(`/domain/add?domain=${DOMAIN}`);
    await new Promise((r) => setTimeout(r, 2000));
    const idleRssMb = procMb(kamprov.pid!, 'VmRSS');
    const keyOut = execFileSync(process.execPath, [join(REPO, 'dist/cli/keys.js'), 'create', '--name', 'bench', '--role', 'provision'], {
      env: { ...process.env, DATABASE_URL: dbUrl.toString(), LOG_LEVEL: 'error' },
    }).toString();
    const provisionKey = /(kp_[0-9a-f]{12}_[A-Za-z0-9_-]{32})/.exec(keyOut)![1];

    // --- bulk paths through kamprov
    const bulk: string[][] = [];
    let next = 0;
    let t = performance.now();
    if (PARTS.has('add_local')) {
      const cpu0 = cpuSeconds(kamprov.pid!);
      const db0 = databaseCpu(database.kind);
      const driver0 = process.cpuUsage();
      // autocannon, as for the reads: fetch() cost this driver ≈ 0.8 ms of CPU per call on the
      // two cores kamprov and the database share, as much as the database's own work.
      const usersBefore = Number((await database.counts()).users);
      // Timed to the last answer: autocannon itself notices the end of an `amount` only at its
      // next one-second sample, which rounded every run up to whole seconds (up to 12 % slower).
      let lastAnswer = 0;
      t = performance.now();
      const added = await autocannon({
        url: k,
        connections: 8,
        amount: 10_000,
        headers: { 'x-api-key': bootstrap },
        requests: [
          {
            setupRequest: (req) => ({ ...req, path: `/user/add_local?username=${name(next++)}&domain=${DOMAIN}` }),
            onResponse: () => (lastAnswer = performance.now()),
          },
        ],
      });
      const usersAdded = Number((await database.counts()).users) - usersBefore;
      if (added.non2xx > 0 || added.errors > 0 || usersAdded !== 10_000) {
        throw new Error(`add_local: ${added.non2xx} non-2xx, ${added.errors} errors, ${usersAdded} users added (10,000 asked)`);
      }
      const addLocalS = (lastAnswer - t) / 1000;
      const perS = 10_000 / addLocalS;
      // kamprov's CPU per call (user + system): on a shared machine it moves far less than calls/s.
      const cpuMs = ((cpuSeconds(kamprov.pid!) - cpu0) * 1000) / 10_000;
      const dbMs = (databaseCpuSince(database.kind, db0) * 1000) / 10_000;
      const driver = process.cpuUsage(driver0);
      const driverMs = (driver.user + driver.system) / 1000 / 10_000;
      bulk.push([
        '10,000 user/add_local, 8 clients',
        `${perS.toFixed(0)}/s (${addLocalS.toFixed(1)} s; CPU per call: kamprov ${cpuMs.toFixed(2)} ms, database ${dbMs.toFixed(2)} ms, this driver ${driverMs.toFixed(2)} ms)`,
        '>= 1000/s',
        check(perS >= 1000),
      ]);
    }

    t = performance.now();
    const range = await must(`/numbers/add_range?start=%2B${FIRST_NUMBER}&end=%2B${FIRST_NUMBER + POOL_SIZE - 1}`);
    const rangeS = (performance.now() - t) / 1000;
    if (range.added !== POOL_SIZE) throw new Error(`add_range added ${range.added}`);
    bulk.push(['numbers/add_range of 1,000,000', `${rangeS.toFixed(2)} s`, '<= 5 s', check(rangeS <= 5)]);

    // --- the rest of the data, by bulk SQL (only to have it)
    await database.seed();
    const counts = await database.counts();

    // One request at a time over a kept-alive connection (node:http): fetch() added 2-3 ms of its own
    // to each call here (numbers/inpool: 4 ms by fetch, 1.2 ms by node:http, on the same server).
    const agent = new HttpAgent({ keepAlive: true, maxSockets: 1 });
    const timedGet = (path: string) =>
      new Promise<number>((resolve, reject) => {
        const s = performance.now();
        httpGet({ host: '127.0.0.1', port, path, agent, headers: { 'x-api-key': bootstrap } }, (res) => {
          res.resume();
          res.on('end', () => (res.statusCode === 200 ? resolve(performance.now() - s) : reject(new Error(`${path}: ${res.statusCode}`))));
        }).on('error', reject);
      });
    const timeMedian = async (n: number, path: () => string) => {
      for (let i = 0; i < 10; i++) await timedGet(path()); // warm-up
      const times: number[] = [];
      for (let i = 0; i < n; i++) times.push(await timedGet(path()));
      return median(times);
    };
    const listMs = await timeMedian(30, () => `/user/list?search=bu0${randomInt(100, 999)}*`);
    bulk.push(['user/list?search=prefix* (median of 30)', ms(listMs), '< 50 ms', check(listMs < 50)]);
    const randomMs = await timeMedian(200, () => '/numbers/list?random=true&limit=10');
    bulk.push(['numbers/list?random=true&limit=10 (median of 200)', ms(randomMs), '<= 5 ms', check(randomMs <= 5)]);
    agent.destroy();

    // --- the baseline, side by side
    const basePort = await freePort();
    const baseline = spawn(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', join(__dirname, database.baseline), dbUrl.toString(), String(basePort)],
      {
        cwd: REPO,
        stdio: 'ignore',
      },
    );
    children.push(baseline);
    const b = `http://127.0.0.1:${basePort}`;
    await waitFor(`${b}/numbers/inpool`, baseline, 'baseline');

    const allNodes: [string, () => string][] = [
      ['user/get', () => `/user/get?user=${name(randomInt(10_000, 100_000))}@${DOMAIN}`],
      ['phone/get?mac=', () => `/phone/get?mac=${mac(randomInt(1, 50_001))}`],
      ['numbers/inpool', () => `/numbers/inpool?number=%2B${FIRST_NUMBER + randomInt(0, POOL_SIZE)}`],
    ];
    const nodes = allNodes.filter(([node]) => !process.env.BENCH_NODES || process.env.BENCH_NODES.split(',').includes(node.split('?')[0]));
    const cannon = (base: string, path: () => string, seconds: number) =>
      autocannon({
        url: base,
        connections: CONNECTIONS,
        duration: seconds,
        headers: { 'x-api-key': provisionKey },
        requests: [{ setupRequest: (req) => ({ ...req, path: path() }) }],
      });
    const load: string[][] = [];
    let readPeakMb = 0;
    if (PARTS.has('reads')) {
      // Both answer alike: same body, same security headers (the baseline claims to do the same work).
      for (const [, path] of nodes) {
        const p = path();
        const [kr, br] = await Promise.all(
          [k, b].map((base) =>
            fetch(base + p, { headers: { 'x-api-key': provisionKey } }).then(async (r) => ({ r, body: await r.text() })),
          ),
        );
        const names = (r: Response) =>
          [...r.headers.keys()].filter((h) => !['date', 'content-length', 'keep-alive', 'connection'].includes(h)).sort();
        if (kr.body !== br.body) throw new Error(`baseline answers ${p} differently:\n  ${kr.body}\n  ${br.body}`);
        if (names(kr.r).join() !== names(br.r).join())
          throw new Error(`baseline sends other headers: ${names(kr.r).join()} / ${names(br.r).join()}`);
      }
      resetPeak(kamprov.pid!);
      for (const [node, path] of nodes) {
        const results: Record<string, autocannon.Result> = {};
        const cpuMs: Record<string, number> = {};
        const dbMs: Record<string, number> = {};
        for (const [who, base, pid] of [
          ['kamprov', k, kamprov.pid!],
          ['baseline', b, baseline.pid!],
        ] as const) {
          await cannon(base, path, WARMUP_S);
          const cpu0 = cpuSeconds(pid);
          const db0 = databaseCpu(database.kind);
          const r = await cannon(base, path, DURATION_S);
          dbMs[who] = (databaseCpuSince(database.kind, db0) * 1000) / r.requests.total;
          if (r.non2xx > 0 || r.errors > 0) throw new Error(`${who} ${node}: ${r.non2xx} non-2xx, ${r.errors} errors`);
          results[who] = r;
          // Server CPU per request: steadier than req/s on a shared machine.
          cpuMs[who] = ((cpuSeconds(pid) - cpu0) * 1000) / r.requests.total;
        }
        const kr = results.kamprov;
        const br = results.baseline;
        const ratio = kr.requests.average / br.requests.average;
        const p99 = kr.latency.p99 / Math.max(br.latency.p99, 1);
        load.push([
          node,
          kr.requests.average.toFixed(0),
          br.requests.average.toFixed(0),
          `${(100 * ratio).toFixed(0)} % (>= 85 %: ${check(ratio >= 0.85)})`,
          `${kr.latency.p50} / ${kr.latency.p99} ms`,
          `${br.latency.p50} / ${br.latency.p99} ms`,
          `${p99.toFixed(2)}x (<= 1.2x: ${check(p99 <= 1.2)})`,
          `${cpuMs.kamprov.toFixed(2)} / ${cpuMs.baseline.toFixed(2)} ms`,
          `${dbMs.kamprov.toFixed(2)} / ${dbMs.baseline.toFixed(2)} ms`,
        ]);
      }
      readPeakMb = procMb(kamprov.pid!, 'VmHWM');
    }

    // --- streamed whole-pool lists, several at once: first byte, and RSS above what it was before
    const lists: string[][] = [];
    if (PARTS.has('lists')) {
      await new Promise((r) => setTimeout(r, 2000));
      const beforeMb = procMb(kamprov.pid!, 'VmRSS');
      resetPeak(kamprov.pid!);
      let sampledPeak = beforeMb;
      const sampler = setInterval(() => (sampledPeak = Math.max(sampledPeak, procMb(kamprov.pid!, 'VmRSS'))), 50);
      const runs = await Promise.all(
        Array.from({ length: LISTS }, async () => {
          const t0 = performance.now();
          const res = await fetch(`${k}/numbers/list`, { headers: { 'x-api-key': provisionKey } });
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
      const peakMb = Math.max(sampledPeak, procMb(kamprov.pid!, 'VmHWM'));
      if (runs.some((r) => r.status !== 200)) throw new Error(`numbers/list: ${runs.map((r) => r.status).join(', ')}`);
      const firstMax = Math.max(...runs.map((r) => r.first));
      const totalMax = Math.max(...runs.map((r) => r.total)) / 1000;
      lists.push([
        `${LISTS} × numbers/list of ${POOL_SIZE.toLocaleString('en')} at once (${(runs[0].bytes / 2 ** 20).toFixed(1)} MiB each, ${totalMax.toFixed(1)} s)`,
        `first byte ${ms(firstMax)} (slowest)`,
        '<= 100 ms',
        check(firstMax <= 100),
      ]);
      lists.push([
        '  kamprov RSS during them',
        `+${(peakMb - beforeMb).toFixed(0)} MB (${beforeMb.toFixed(0)} -> ${peakMb.toFixed(0)} MB; idle at start ${idleRssMb.toFixed(0)} MB)`,
        '<= 20 MB above idle',
        check(peakMb - beforeMb <= 20),
      ]);
    }

    const table = (head: string[], rows: string[][]) =>
      [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
    console.log(`\nkamprov benchmark on ${database.kind} — ${new Date().toISOString()}`);
    console.log(`machine: ${cpus().length} × ${cpus()[0].model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`);
    console.log(
      `data: ${Object.entries(counts)
        .map(([k2, v]) => `${Number(v).toLocaleString('en')} ${k2}`)
        .join(', ')}\n`,
    );
    if (load.length > 0) {
      console.log(
        `Reads at ${CONNECTIONS} connections, ${DURATION_S} s each after a ${WARMUP_S} s warm-up (provision key; ` +
          `kamprov's rate limiter on, RATE_LIMIT_MAX=${RATE_LIMIT_MAX}; baseline: bench/${database.baseline}):\n`,
      );
      console.log(
        table(
          [
            'node',
            'kamprov req/s',
            'baseline req/s',
            'kamprov/baseline',
            'kamprov p50 / p99',
            'baseline p50 / p99',
            'p99 ratio',
            'server CPU per request (kamprov / baseline)',
            'database CPU per request (kamprov / baseline)',
          ],
          load,
        ),
      );
      console.log(`\nkamprov peak RSS under that load: ${readPeakMb.toFixed(0)} MB (<= 150 MB: ${check(readPeakMb <= 150)})`);
    }
    console.log(
      `kamprov idle RSS (after start, before any load): ${idleRssMb.toFixed(0)} MB; node ${NODE_FLAGS.join(' ') || '(no flags)'}\n`,
    );
    console.log(table(['bulk path', 'measured', 'target', ''], [...bulk, ...lists]));
  } finally {
    // SIGTERM first: kamprov shuts down gracefully, so that `--cpu-prof` in BENCH_NODE_FLAGS
    // writes its profile; anything still running after 5 s is killed.
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            const force = setTimeout(() => c.kill('SIGKILL'), 5000);
            c.once('exit', () => {
              clearTimeout(force);
              resolve();
            });
            c.kill('SIGTERM');
          }),
      ),
    );
    await database.drop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
