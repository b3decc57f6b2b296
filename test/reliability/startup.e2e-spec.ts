import { databaseTargets } from '../support/databases';
import { PrivateMariadb, privateMariadbAvailable } from './support/mariadb';
import { call, KamprovProcess, waitFor } from './support/process';

/**
 * Start-up against a database that is not there yet (issue 14 item 15), and instances
 * started at the same moment on one empty database (issue 16): kamprov starts, answers
 * /health/live, is not ready and answers dbfail until its database answers, then
 * migrates it (under a database lock, once) and becomes ready by itself.
 */
const available = privateMariadbAvailable();
const suite = available ? describe : describe.skip;
if (!available) {
  describe('reliability: start-up without its database', () => {
    it.skip('SKIPPED: /usr/sbin/mariadbd or mariadb-install-db is missing', () => undefined);
  });
}

suite('reliability: start-up without its database [private mariadbd]', () => {
  let db: PrivateMariadb;
  let kamprov: KamprovProcess | undefined;

  beforeAll(async () => {
    db = new PrivateMariadb();
    await db.init();
    await db.kill();
  }, 120_000);

  afterAll(async () => {
    await kamprov?.stop();
    await db?.destroy();
  });

  it('starts with the database down: live, not ready, dbfail; ready and migrated once it comes up', async () => {
    kamprov = await KamprovProcess.start({ DATABASE_URL: db.url, LOG_LEVEL: 'info' });
    const k = kamprov;
    expect((await call(k.url, '/health/live', 5000, null)).status).toBe(200);
    const ready = await call(k.url, '/health/ready', 5000, null);
    expect([ready.status, ready.body.response, ready.body.cause]).toEqual([503, 'error', 'dbfail']);
    expect(ready.body.health.error.database.status).toBe('down');
    const node = await call(k.url, '/domain/list', 10_000);
    expect([node.status, node.body.cause]).toEqual([503, 'dbfail']);
    expect(k.running).toBe(true);

    await db.start();
    await waitFor(
      async () => (await call(k.url, '/health/ready', 10_000, null)).status === 200,
      60_000,
      'readiness once the database is up',
    );
    // The migrations ran: kamprov's and Kamailio's tables are there and work.
    expect((await call(k.url, '/domain/add?domain=late.example.com')).status).toBe(200);
    expect((await call(k.url, '/user/add_local?user=alice@late.example.com')).status).toBe(200);
    expect((await db.query<{ n: number }>('SELECT COUNT(*) AS n FROM subscriber'))[0].n).toBe(1);
    expect(k.output).toMatch(/database unavailable at start-up/);
  }, 180_000);
});

const mysql = databaseTargets().find((t) => t.kind === 'mysql');
(mysql ? describe : describe.skip)('reliability: instances that start together [mysql]', () => {
  it('three kamprov processes started at once on one empty database all come up, migrated once', async () => {
    const db = await mysql!.create();
    const started = await Promise.allSettled([0, 1, 2].map(() => KamprovProcess.start({ DATABASE_URL: db.url })));
    const procs = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    try {
      expect(started.filter((s) => s.status === 'rejected').map((s) => String(s.reason).slice(0, 2000))).toEqual([]);
      for (const p of procs) {
        await waitFor(async () => (await call(p.url, '/health/ready', 10_000, null)).status === 200, 60_000, 'each instance ready');
      }
      const [one, two, three] = procs;
      expect((await call(one.url, '/domain/add?domain=together.example.com')).status).toBe(200);
      expect((await call(two.url, '/user/add_local?user=bob@together.example.com')).status).toBe(200);
      expect((await call(three.url, '/user/get?user=bob@together.example.com')).status).toBe(200);
      const migrations = await db.query<{ n: number | string }>('SELECT COUNT(*) AS n FROM migrations');
      const distinct = await db.query<{ n: number | string }>('SELECT COUNT(DISTINCT name) AS n FROM migrations');
      expect(Number(migrations[0].n)).toBe(Number(distinct[0].n));
    } finally {
      await Promise.all(procs.map((p) => p.stop()));
      await db.drop();
    }
  }, 240_000);
});
