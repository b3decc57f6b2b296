import { spawn } from 'node:child_process';
import { startApp, TestApp } from '../support/app';
import { databaseTargets, TestDatabase } from '../support/databases';
import { addLocalDomain } from '../support/suite';
import { ROOT } from './support/process';

/**
 * The embedded default under concurrency: kamprov's own parallel writers are queued by the
 * Transactor, and another process writing the same file at the same time (as Kamailio or
 * kamctl may) is waited for through WAL and the busy timeout, never "database is locked".
 */
const D = 'lite.example.com';
const N = 24;

/**
 * A second process that writes the file in a loop, holding the write lock for `holdMs` per
 * transaction (like a slow kamctl), until `durationMs` is over. Prints its commit count.
 */
function externalWriter(path: string, durationMs: number, holdMs: number) {
  const script = `
    const Database = require('better-sqlite3');
    const db = new Database(${JSON.stringify(path)}, { timeout: 5000 });
    db.pragma('journal_mode = WAL');
    const insert = db.prepare('INSERT INTO domain (domain, did) VALUES (?, ?)');
    const end = Date.now() + ${durationMs};
    let commits = 0;
    const spin = (ms) => { const t = Date.now() + ms; while (Date.now() < t); };
    while (Date.now() < end) {
      db.exec('BEGIN IMMEDIATE');
      insert.run('ext' + commits + '.example.net', 'ext' + commits);
      spin(${holdMs});
      db.exec('COMMIT');
      commits++;
      spin(2);
    }
    db.close();
    process.stdout.write(String(commits));
  `;
  const child = spawn(process.execPath, ['-e', script], { cwd: ROOT });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise<{ code: number | null; commits: number; stderr: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, commits: Number(out), stderr: err })),
  );
  return { done, kill: () => child.kill('SIGKILL') };
}

describe('reliability: SQLite under concurrency', () => {
  let db: TestDatabase;
  let app: TestApp;
  const get = (path: string) => app.get(path);
  const count = async (sql: string, params: unknown[] = []) => Number((await db.query<{ n: number }>(sql, params))[0].n);

  beforeAll(async () => {
    db = await databaseTargets()[0].create();
    expect(db.kind).toBe('sqlite');
    app = await startApp({ DATABASE_URL: db.url });
    await addLocalDomain(db, D);
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('runs mixed parallel writers in one process with exactly-once outcomes and no lock errors', async () => {
    const paths = [
      ...Array.from({ length: N }, () => `/user/add_local?username=same&domain=${D}`),
      ...Array.from({ length: N }, (_, i) => `/user/add_local?username=u${i}&domain=${D}`),
      ...Array.from({ length: N }, () => '/numbers/add?number=%2B4796000001'),
      ...Array.from({ length: N }, (_, i) => `/numbers/add_range?start=%2B47950${i}0000&end=%2B47950${i}0999`),
      ...Array.from({ length: N }, () => '/domain/add?domain=lite2.example.com'),
    ];
    const results = await Promise.all(paths.map((p) => get(p)));
    expect(results.filter((r) => r.status >= 500).map((r) => r.body)).toEqual([]);
    const ok = (prefix: string) => results.filter((r, i) => paths[i].startsWith(prefix) && r.status === 200).length;
    expect(ok(`/user/add_local?username=same`)).toBe(1);
    expect(ok(`/user/add_local?username=u`)).toBe(N);
    expect(ok('/numbers/add?')).toBe(1);
    expect(ok('/numbers/add_range')).toBe(N);
    expect(ok('/domain/add')).toBe(1);
    expect(await count('SELECT COUNT(*) AS n FROM subscriber WHERE domain = ?', [D])).toBe(N + 1);
    expect(await count('SELECT COUNT(*) AS n FROM kamprov_users WHERE domain = ?', [D])).toBe(N + 1);
    expect(await count('SELECT COUNT(*) AS n FROM kamprov_numbers')).toBe(1 + N * 1000);
  });

  it('waits for another process writing the same file instead of failing with "database is locked"', async () => {
    const writer = externalWriter(db.url.slice('sqlite:'.length), 4000, 15);
    try {
      // While the other process holds the write lock most of the time, kamprov writes in parallel.
      const rounds = 6;
      const all: { path: string; status: number; body: Record<string, unknown> }[] = [];
      for (let round = 0; round < rounds; round++) {
        const paths = [
          ...Array.from({ length: 8 }, () => `/user/add_local?username=ext${round}&domain=${D}`),
          ...Array.from({ length: 4 }, (_, i) => `/numbers/add?number=%2B47940${round}000${i}`),
          `/alias/add?alias_username=al${round}&alias_domain=${D}&destination=u0@${D}`,
          `/numbers/add_range?start=%2B47930${round}00000&end=%2B47930${round}04999`,
        ];
        const results = await Promise.all(paths.map((p) => get(p)));
        results.forEach((r, i) => all.push({ path: paths[i], status: r.status, body: r.body }));
      }
      expect(all.filter((r) => r.status >= 500)).toEqual([]);
      for (let round = 0; round < rounds; round++) {
        const adds = all.filter((r) => r.path.includes(`username=ext${round}&`));
        expect(adds.filter((r) => r.status === 200)).toHaveLength(1);
        expect(adds.filter((r) => r.status === 409 && r.body.cause === 'exists')).toHaveLength(7);
      }
      expect(all.filter((r) => !r.path.includes('username=ext') && r.status !== 200)).toEqual([]);
      expect(await count("SELECT COUNT(*) AS n FROM subscriber WHERE username LIKE 'ext%'")).toBe(rounds);
      expect(await count("SELECT COUNT(*) AS n FROM kamprov_users WHERE username LIKE 'ext%'")).toBe(rounds);
      expect(await count('SELECT COUNT(*) AS n FROM kamprov_numbers WHERE number BETWEEN 47930000000 AND 47930999999')).toBe(rounds * 5000);
    } finally {
      const result = await writer.done;
      // The other process was not locked out either, and really was writing meanwhile.
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.commits).toBeGreaterThan(20);
      expect(await count("SELECT COUNT(*) AS n FROM domain WHERE domain LIKE 'ext%'")).toBe(result.commits);
    }
  }, 60_000);

  it('while another process holds the write lock: live keeps answering, a write waits once, its audit record is kept', async () => {
    const holdMs = 3000;
    const path = db.url.slice('sqlite:'.length);
    // One long transaction in another process: the write lock is held for holdMs.
    const script = `
      const Database = require('better-sqlite3');
      const db = new Database(${JSON.stringify(path)}, { timeout: 5000 });
      db.exec('BEGIN IMMEDIATE');
      db.prepare("INSERT INTO domain (domain, did) VALUES ('holder.example.net', 'holder')").run();
      process.stdout.write('locked\\n');
      const t = Date.now() + ${holdMs};
      while (Date.now() < t);
      db.exec('COMMIT');
      db.close();
    `;
    const child = spawn(process.execPath, ['-e', script], { cwd: ROOT });
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    const exited = new Promise((resolve) => child.on('exit', resolve));
    const started = Date.now();
    const write = get(`/user/add_local?username=waiter&domain=${D}`).then((r) => ({ ...r, ms: Date.now() - started }));
    // Liveness probes every 100 ms while the write waits.
    const probes: number[] = [];
    while (Date.now() - started < holdMs - 500) {
      const t = Date.now();
      const live = await app.get('/health/live', { key: null });
      expect(live.status).toBe(200);
      probes.push(Date.now() - t);
      await new Promise((r) => setTimeout(r, 100));
    }
    const written = await write;
    await exited;
    expect(probes.length).toBeGreaterThan(5);
    expect(Math.max(...probes)).toBeLessThan(500);
    expect(written.status).toBe(200);
    // Waited for the lock once (about holdMs), not for its audit record a second time.
    expect(written.ms).toBeLessThan(holdMs + 2500);
    const audited = async () => count("SELECT COUNT(*) AS n FROM kamprov_audit WHERE target LIKE 'waiter@%'");
    for (let i = 0; i < 50 && (await audited()) === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await audited()).toBe(1);
  }, 60_000);
});
