import { databaseTargets, describeSkippedTargets, TestDatabase } from './databases';
import { startApp, TestApp } from './app';

export interface SuiteContext {
  db: TestDatabase;
  app: TestApp;
}

/**
 * Runs the same suite on every database target: a fresh database per target, the app
 * started on it (migrations and all), and both torn down afterwards. Says loudly when
 * the MariaDB run is skipped.
 */
export function onEveryDatabase(
  title: string,
  body: (ctx: () => SuiteContext) => void,
  env: Record<string, string> = {},
): void {
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
export async function rowCounts(db: TestDatabase, tables = ['subscriber', 'kamprov_users', 'dbaliases', 'domain']) {
  const counts: Record<string, number> = {};
  for (const t of tables) {
    const [row] = await db.query<{ n: number | string }>(`SELECT COUNT(*) AS n FROM ${t}`);
    counts[t] = Number(row.n);
  }
  return counts;
}
