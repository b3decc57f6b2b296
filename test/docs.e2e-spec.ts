import { startApp, TestApp } from './support/app';
import { databaseTargets, TestDatabase } from './support/databases';

/**
 * Swagger UI (issue 14 item 16): /docs and /docs/ load every asset they reference, and the
 * UI keeps a pasted key in localStorage only when SWAGGER_PERSIST_AUTH=true. (Swagger UI
 * does not touch the database: SQLite only.)
 */
async function assetsOf(baseUrl: string, path: string): Promise<{ page: string; assets: [string, number][] }> {
  const res = await fetch(baseUrl + path);
  expect([path, res.status]).toEqual([path, 200]);
  const html = await res.text();
  const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]).filter((r) => !r.startsWith('data:'));
  expect(refs.length).toBeGreaterThanOrEqual(3);
  const assets: [string, number][] = [];
  for (const ref of refs) {
    const url = new URL(ref, res.url);
    assets.push([url.pathname, (await fetch(url)).status]);
  }
  return { page: res.url, assets };
}

async function initScript(app: TestApp): Promise<string> {
  const res = await fetch(`${app.baseUrl}/docs/swagger-ui-init.js`);
  expect(res.status).toBe(200);
  return res.text();
}

describe('Swagger UI', () => {
  let db: TestDatabase;
  let db2: TestDatabase;
  let app: TestApp;
  let persisting: TestApp;
  // Two apps, each on a database of its own (two apps writing one SQLite file wait on each other's locks).
  beforeAll(async () => {
    db = await databaseTargets()[0].create();
    db2 = await databaseTargets()[0].create();
    app = await startApp({ DATABASE_URL: db.url });
    persisting = await startApp({ DATABASE_URL: db2.url, SWAGGER_PERSIST_AUTH: 'true' });
  });
  afterAll(async () => {
    await app?.close();
    await persisting?.close();
    await db?.drop();
    await db2?.drop();
  }, 120_000);

  it.each(['/docs', '/docs/', '/docs/?x=1', '/docs/index.html', '/docs//', '/docs?x=1'])(
    '%s loads every script and stylesheet it references',
    async (path) => {
      const { page, assets } = await assetsOf(app.baseUrl, path);
      expect(new URL(page).pathname).toBe('/docs');
      for (const [asset, status] of assets) expect([asset, status]).toEqual([asset, 200]);
      expect(assets.map(([a]) => a)).toEqual(expect.arrayContaining(['/docs/swagger-ui.css', '/docs/swagger-ui-init.js']));
    },
  );

  it('does not keep the pasted key in localStorage by default', async () => {
    expect(await initScript(app)).toMatch(/"persistAuthorization":\s*false/);
  });

  it('keeps it with SWAGGER_PERSIST_AUTH=true', async () => {
    expect(await initScript(persisting)).toMatch(/"persistAuthorization":\s*true/);
  });
});
