import { startApp, TestApp } from '../support/app';
import { Run, runTs } from '../support/process';
import { databaseTargets, TestDatabase } from '../support/databases';
import { notOnMysql } from '../support/suite';

/** Runs `kamprov ...` (src/cli/kamprov.ts) as its own process. */
function kamprov(args: string[], env: Record<string, string>): Promise<Run> {
  return runTs('src/cli/kamprov.ts', args, { KAMPROV_URL: '', KAMPROV_API_KEY: '', ...env });
}

const D = 'cli.example.com';

// On SQLite only: the command line is the same on either database (the SDK flow and the
// security suite's keys CLI run on MariaDB too), and every command is a process of its own.
describe('ecosystem: the kamprov command line [sqlite]', () => {
  let env: Record<string, string>;
  let db: TestDatabase;
  let app: TestApp;
  const ctx = () => ({ db, app });
  beforeAll(async () => {
    db = await databaseTargets()[0].create();
    app = await startApp({ DATABASE_URL: db.url });
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  it('creates keys on the database before any key exists (kamprov keys)', async () => {
    const created = await kamprov(['keys', 'create', '--name', 'cli-admin', '--role', 'admin'], { DATABASE_URL: ctx().db.url });
    expect(created.code).toBe(0);
    const key = /(kp_[0-9a-f]{12}_[A-Za-z0-9_-]{32})/.exec(created.stdout)?.[1];
    expect(key).toBeDefined();
    env = { KAMPROV_URL: ctx().app.baseUrl, KAMPROV_API_KEY: key! };
    const listed = await kamprov(['keys', 'list', '--json'], { DATABASE_URL: ctx().db.url });
    expect((JSON.parse(listed.stdout) as { name: string; role: string }[]).map((k) => [k.name, k.role])).toEqual([['cli-admin', 'admin']]);
  }, 60_000);

  it('provisions over the API: human tables by default, --json for scripts, and removes again', async () => {
    expect((await kamprov(['domain', 'add', D], env)).code).toBe(0);

    const added = await kamprov(['user', 'add-local', `alice@${D}`, '--displayname', 'Alice Liddell', '--email', 'alice@example.com'], env);
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(/^FIELD\s+VALUE$/m);
    expect(added.stdout).toMatch(/^displayname\s+Alice Liddell$/m);
    expect(added.stdout).toMatch(/^registrar\s+-$/m);

    const got = JSON.parse((await kamprov(['--json', 'user', 'get', `alice@${D}`], env)).stdout);
    expect(got).toMatchObject({ response: 'ok', user: { user: `alice@${D}`, type: 'local', displayname: 'Alice Liddell' } });

    const list = await kamprov(['user', 'list', '--search', 'ali', '--json'], env);
    expect(JSON.parse(list.stdout)).toEqual({ response: 'ok', users: [`alice@${D}`] });

    const range = await kamprov(['numbers', 'add-range', '+4761000000', '+4761000099', '--json'], env);
    expect(JSON.parse(range.stdout)).toEqual({ response: 'ok', added: 100, skipped: 0, start: '+4761000000', end: '+4761000099' });
    const numbers = await kamprov(['numbers', 'list', '--limit', '3'], env);
    expect(numbers.stdout).toBe('NUMBERS\n+4761000000\n+4761000001\n+4761000002\n');

    expect((await kamprov(['phone', 'add', 'f0:0b:a2:ba:5c:00', `alice@${D}`], env)).code).toBe(0);
    const phones = await kamprov(['phone', 'get', `alice@${D}`, '--json'], env);
    expect(JSON.parse(phones.stdout)).toEqual({ response: 'ok', user: `alice@${D}`, macs: ['f00ba2ba5c00'] });

    expect((await kamprov(['alias', 'add', `+4761000000@${D}`, `alice@${D}`], env)).code).toBe(0);
    const aliases = await kamprov(['alias', 'list', '--destination', `alice@${D}`, '--e164'], env);
    expect(aliases.stdout).toMatch(/^ALIAS\s+DESTINATION\n\+4761000000@cli\.example\.com\s+alice@cli\.example\.com\n$/);

    // Refusals: a message on stderr and an exit code per kind.
    const inuse = await kamprov(['user', 'remove', `alice@${D}`], env);
    expect([inuse.code, inuse.stderr.trim()]).toEqual([1, expect.stringMatching(/^kamprov: failed\/inuse: /)]);
    const bad = await kamprov(['user', 'get', 'not-an-address'], env);
    expect([bad.code, bad.stderr]).toEqual([2, expect.stringMatching(/kamprov: invalid\/user: /)]);
    const usage = await kamprov(['user', 'add-local'], env);
    expect([usage.code, usage.stderr]).toEqual([2, expect.stringContaining('takes ADDRESS')]);

    expect((await kamprov(['alias', 'remove', `+4761000000@${D}`], env)).code).toBe(0);
    expect((await kamprov(['phone', 'remove', 'f00ba2ba5c00', `alice@${D}`], env)).code).toBe(0);
    expect((await kamprov(['numbers', 'remove', '+4761000000'], env)).code).toBe(0);
    expect((await kamprov(['user', 'remove', `alice@${D}`], env)).code).toBe(0);
    expect((await kamprov(['domain', 'remove', D], env)).code).toBe(0);
    const gone = await kamprov(['user', 'get', `alice@${D}`, '--json'], env);
    expect(gone.code).toBe(1);
    expect(JSON.parse(gone.stdout)).toMatchObject({ response: 'failed', cause: 'nonexistant' });
  }, 120_000);

  // Issue 14 item 2: a target written raw (by an older kamprov, or another writer) cannot
  // drive the operator's terminal: control characters are printed escaped.
  it('prints control characters in audit list escaped (an ESC sequence never reaches the terminal)', async () => {
    await ctx().db.exec(
      "INSERT INTO kamprov_audit (at, node, target, key_name, outcome, status) VALUES (?, 'user/remove', ?, NULL, 'failed/unauthenticated', 401)",
      [new Date().toISOString().slice(0, 19).replace('T', ' '), '\u001b]0;pwned\u0007\u001b[2Jeve@x\u202e'],
    );
    const listed = await kamprov(['audit', 'list', '--limit', '1'], env);
    expect(listed.code).toBe(0);
    // eslint-disable-next-line no-control-regex -- looking for control characters
    expect(listed.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
    expect(listed.stdout).toContain('\\x1b]0;pwned\\x07\\x1b[2Jeve@x\\u202e');
  }, 60_000);

  it('takes --url and --key flags over the environment, and needs a key', async () => {
    const flags = await kamprov(['--url', ctx().app.baseUrl, '--key', env.KAMPROV_API_KEY, 'domain', 'list', '--json'], {});
    expect(JSON.parse(flags.stdout)).toEqual({ response: 'ok', domains: [] });
    const none = await kamprov(['domain', 'list'], { KAMPROV_URL: ctx().app.baseUrl });
    expect([none.code, none.stderr]).toEqual([2, expect.stringContaining('an API key is needed')]);
    const wrong = await kamprov(['domain', 'list'], { ...env, KAMPROV_API_KEY: 'kp_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' });
    expect([wrong.code, wrong.stderr]).toEqual([1, expect.stringContaining('failed/unauthenticated')]);
  }, 60_000);
});
notOnMysql('ecosystem: the kamprov command line', 'the CLI talks HTTP; the SDK flow and the keys CLI cover MariaDB');
