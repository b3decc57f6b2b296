import { databaseTargets, describeSkippedTargets, TestDatabase } from './databases';
import { Reply, startApp, TestApp } from './app';

export interface SuiteContext {
  db: TestDatabase;
  app: TestApp;
}

/**
 * Runs the same suite on every database target: a fresh database per target, the app
 * started on it (migrations and all), and both torn down afterwards. Says loudly when
 * the MariaDB run is skipped.
 */
export function onEveryDatabase(title: string, body: (ctx: () => SuiteContext) => void, env: Record<string, string> = {}): void {
  for (const target of databaseTargets()) {
    describe(`${title} [${target.kind}]`, () => {
      let ctx: SuiteContext | undefined;
      beforeAll(async () => {
        const db = await target.create();
        const app = await startApp({ DATABASE_URL: db.url, ...env });
        ctx = { db, app };
      });
      afterAll(async () => {
        await ctx?.app.close();
        await ctx?.db.drop();
      });
      body(() => {
        if (!ctx) throw new Error('suite context is not ready');
        return ctx;
      });
    });
  }
  describeSkippedTargets(title);
}

/** A local domain for the suite, written straight into Kamailio's domain table. */
export async function addLocalDomain(db: TestDatabase, domain: string): Promise<void> {
  await db.exec('INSERT INTO domain (domain, did) VALUES (?, ?)', [domain, domain]);
}

/** Row counts of every table kamprov writes, to prove a bad request wrote nothing. */
export async function rowCounts(
  db: TestDatabase,
  tables = ['subscriber', 'kamprov_users', 'dbaliases', 'domain', 'kamprov_address_claims', 'kamprov_claim_domains'],
) {
  const counts: Record<string, number> = {};
  for (const t of tables) {
    const [row] = await db.query<{ n: number | string }>(`SELECT COUNT(*) AS n FROM ${t}`);
    counts[t] = Number(row.n);
  }
  return counts;
}

/** The tables of the database (kamprov's and Kamailio's), sorted. */
export async function tableNames(db: TestDatabase): Promise<string[]> {
  const sql = {
    sqlite: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    mysql: 'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE()',
    postgres: 'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()',
  }[db.kind];
  const rows = await db.query<{ name: string }>(sql);
  return rows.map((r) => r.name).sort();
}

/**
 * A suite that runs on SQLite only, by design (what it checks does not depend on the
 * database): says so once on stderr rather than as a skipped test, so that a CI run with
 * every REQUIRE_* set reports 0 skipped and a real skip stands out.
 */
export function notOnMysql(title: string, reason: string): void {
  process.stderr.write(`${title}: runs on SQLite only, by design: ${reason}\n`);
}

export interface Refusal {
  status: number;
  response: 'invalid' | 'failed' | 'error';
  cause: string;
  /** What the detail must say: a pattern, or a text it contains. */
  detail?: RegExp | string;
}

/**
 * Sends a request that must be refused and proves it wrote nothing: the status, the
 * envelope (response, cause, a detail string, and what it says if asked), and the row
 * counts of `tables` before and after. Answers the reply for further checks.
 */
export async function expectRefused(db: TestDatabase, request: () => Promise<Reply>, refusal: Refusal, tables?: string[]): Promise<Reply> {
  const before = await rowCounts(db, tables);
  const res = await request();
  expect(res.status).toBe(refusal.status);
  expect(res.body).toMatchObject({ response: refusal.response, cause: refusal.cause });
  expect(typeof res.body.detail).toBe('string');
  if (typeof refusal.detail === 'string') expect(res.body.detail).toContain(refusal.detail);
  else if (refusal.detail) expect(res.body.detail).toMatch(refusal.detail);
  expect(await rowCounts(db, tables)).toEqual(before);
  return res;
}
