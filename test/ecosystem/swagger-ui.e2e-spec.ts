import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { startApp, TEST_ADMIN_KEY, TestApp } from '../support/app';
import { databaseTargets, TestDatabase } from '../support/databases';
import { notOnMysql } from '../support/suite';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env.REQUIRE_CHROMIUM === '1') {
  throw new Error(`REQUIRE_CHROMIUM=1 but ${CHROMIUM} does not exist: apt-get install chromium`);
}
const OUTPUT = join(__dirname, '..', '..', 'test-output');

(haveChromium ? describe : describe.skip)('ecosystem: Swagger UI in headless Chromium [sqlite]', () => {
  let db: TestDatabase;
  let app: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    db = await databaseTargets()[0].create();
    app = await startApp({ DATABASE_URL: db.url });
    expect((await app.get('/user/add_local?user=alice@sip.example.com')).status).toBe(422); // no domain yet
    await db.exec("INSERT INTO domain (domain, did) VALUES ('sip.example.com', 'sip.example.com')");
    expect((await app.get('/user/add_local?user=alice@sip.example.com')).status).toBe(200);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await db?.drop();
  });

  it('authorizes with an API key, runs user/list with Try it out, and shows the ok envelope', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
    page.setDefaultTimeout(15_000);
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    try {
      const res = await page.goto(`${app.baseUrl}/docs`, { waitUntil: 'networkidle' });
      expect(res?.status()).toBe(200);
      await page.locator('.swagger-ui .info .title').filter({ hasText: 'kamprov' }).waitFor({ timeout: 20_000 });

      // Authorize: the api-key scheme (X-API-Key).
      await page.locator('button.authorize').first().click();
      const dialog = page.locator('.dialog-ux .modal-ux');
      await dialog.waitFor();
      const apiKeyBlock = dialog.locator('.auth-container').filter({ hasText: 'X-API-Key' });
      await apiKeyBlock.locator('input').first().fill(TEST_ADMIN_KEY);
      await apiKeyBlock.locator('button.modal-btn.authorize').click();
      await expect(apiKeyBlock.locator('button.modal-btn', { hasText: 'Logout' })).toBeVisibleSoon();
      await dialog.locator('button.close-modal').click();

      // user/list: Try it out, Execute.
      const op = page.locator('#operations-user-userList');
      await op.locator('.opblock-summary').click();
      await op.locator('button.try-out__btn').click();
      await op.locator('button.execute').click();
      const body = op.locator('.responses-wrapper .live-responses-table .response-col_description pre.microlight').first();
      await body.waitFor({ timeout: 20_000 });
      const text = (await body.textContent()) ?? '';
      expect(JSON.parse(text)).toEqual({ response: 'ok', users: ['alice@sip.example.com'] });
      const status = (await op.locator('.live-responses-table .response .response-col_status').first().textContent()) ?? '';
      expect(status.trim()).toBe('200');
      // The curl line Swagger UI shows carries the key as a header, not in the URL.
      expect(await op.locator('.curl-command').textContent()).toContain('X-API-Key');

      mkdirSync(OUTPUT, { recursive: true });
      await page.screenshot({ path: join(OUTPUT, 'swagger-ui.png'), fullPage: true });
      await op.screenshot({ path: join(OUTPUT, 'swagger-ui-user-list.png') });
      expect(existsSync(join(OUTPUT, 'swagger-ui-user-list.png'))).toBe(true);
      // Nothing was blocked by the Content-Security-Policy or broke in the page.
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  }, 90_000);
});

notOnMysql('ecosystem: Swagger UI in headless Chromium', 'the page does not depend on the database');

if (!haveChromium) {
  describe('ecosystem: Swagger UI in headless Chromium', () => {
    it.skip(`SKIPPED: ${CHROMIUM} is missing (apt-get install chromium; REQUIRE_CHROMIUM=1 makes this fail)`, () => undefined);
  });
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    interface Matchers<R> {
      toBeVisibleSoon(): Promise<R>;
    }
  }
}

expect.extend({
  async toBeVisibleSoon(locator: { waitFor(o: { state: 'visible'; timeout: number }): Promise<void> }) {
    try {
      await locator.waitFor({ state: 'visible', timeout: 10_000 });
      return { pass: true, message: () => 'visible' };
    } catch (e) {
      return { pass: false, message: () => `not visible within 10 s: ${(e as Error).message}` };
    }
  },
});
