import { createHash, randomBytes } from 'node:crypto';
import { startApp } from './support/app';
import { databaseTargets, mysqlSkipped, TestDatabase } from './support/databases';
import { addLocalDomain, notOnMysql, onEveryDatabase, tableNames } from './support/suite';
import { waitFor } from './support/wait';

// Settings whose effect no other suite would notice if kamprov ignored them.

const D = 'conf.example.com';
const md5 = (s: string) => createHash('md5').update(s).digest('hex');

onEveryDatabase(
  'configuration: PASSWORD_LENGTH',
  (ctx) => {
    beforeAll(async () => {
      await addLocalDomain(ctx().db, D);
    });

    it('sets the length of the passwords of add_local, genpw and change_pw', async () => {
      const { app, db } = ctx();
      const added = await app.get(`/user/add_local?user=len@${D}`);
      expect(added.status).toBe(200);
      expect(added.body.user.password).toMatch(/^[A-HJ-NP-Za-km-z2-9]{24}$/);
      const [sub] = await db.query<{ password: string; ha1: string }>("SELECT password, ha1 FROM subscriber WHERE username = 'len'");
      expect(sub.password).toBe(added.body.user.password);
      expect(sub.ha1).toBe(md5(`len:${D}:${sub.password}`));
      expect((await app.get('/user/genpw')).body.password).toMatch(/^[A-HJ-NP-Za-km-z2-9]{24}$/);
      const changed = await app.get(`/user/change_pw?user=len@${D}`);
      expect(changed.status).toBe(200);
      expect(changed.body.user.password).toMatch(/^[A-HJ-NP-Za-km-z2-9]{24}$/);
    });
  },
  { PASSWORD_LENGTH: '24' },
);

describe('configuration: MIGRATIONS_RUN', () => {
  for (const target of databaseTargets()) {
    it(`=false leaves the schema alone; the default migrates [${target.kind}]`, async () => {
      const db = await target.create();
      try {
        // Whether kamprov then starts on a database without its tables is not the point
        // here; that it did not create them is.
        await startApp({ DATABASE_URL: db.url, MIGRATIONS_RUN: 'false' })
          .then((app) => app.close())
          .catch(() => undefined);
        const untouched = await tableNames(db);
        expect(untouched).not.toContain('kamprov_users');
        expect(untouched).not.toContain('subscriber');
        expect(untouched).not.toContain('migrations');

        const app = await startApp({ DATABASE_URL: db.url });
        await app.close();
        expect(await tableNames(db)).toEqual(expect.arrayContaining(['kamprov_users', 'subscriber', 'migrations']));
      } finally {
        await db.drop();
      }
    });
  }
  if (mysqlSkipped()) it.skip('MIGRATIONS_RUN [mysql] SKIPPED: TEST_DATABASE_URL is not set', () => undefined);
});

describe('configuration: the SQLite journal [sqlite]', () => {
  let db: TestDatabase;
  afterAll(async () => {
    await db?.drop();
  });

  it('is WAL, so Kamailio can read the file while kamprov writes it', async () => {
    db = await databaseTargets()[0].create();
    expect(db.kind).toBe('sqlite');
    const app = await startApp({ DATABASE_URL: db.url });
    try {
      // The journal mode is a property of the file: a side connection reads it too.
      expect(await db.query('PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
    } finally {
      await app.close();
    }
  });
});
notOnMysql('configuration: the SQLite journal', "the journal mode is SQLite's");

onEveryDatabase('API keys: the last use', (ctx) => {
  /** A read key written straight into the table, as the keys CLI stores it (hash only). */
  async function insertKey(db: TestDatabase, name: string, lastUsed: string | null): Promise<string> {
    const keyId = randomBytes(6).toString('hex');
    const key = `kp_${keyId}_${randomBytes(24).toString('base64url')}`;
    const hash = createHash('sha256').update(key).digest('hex');
    await db.exec('INSERT INTO kamprov_api_keys (name, role, key_id, key_hash, last_used_at) VALUES (?, ?, ?, ?, ?)', [
      name,
      'read',
      keyId,
      hash,
      lastUsed,
    ]);
    return key;
  }
  const lastUsed = async (db: TestDatabase, name: string) => {
    const [row] = await db.query<{ at: Date | string | null }>('SELECT last_used_at AS at FROM kamprov_api_keys WHERE name = ?', [name]);
    return row.at === null ? null : new Date(row.at);
  };

  it('is recorded on the first use of a key', async () => {
    const { app, db } = ctx();
    const key = await insertKey(db, 'never-used', null);
    expect((await app.get('/user/list', { key })).status).toBe(200);
    // Bookkeeping after the answer: wait for it, and fail if it never comes.
    await waitFor(async () => (await lastUsed(db, 'never-used')) !== null, 10_000, 'last_used_at to be set');
    const at = (await lastUsed(db, 'never-used'))!;
    expect(Math.abs(at.getTime() - Date.now())).toBeLessThan(24 * 3600_000); // a time zone off at most
  });

  it('is refreshed when the recorded use is old', async () => {
    const { app, db } = ctx();
    const key = await insertKey(db, 'used-long-ago', '2020-01-01 00:00:00');
    expect((await app.get('/user/list', { key })).status).toBe(200);
    await waitFor(async () => (await lastUsed(db, 'used-long-ago'))!.getUTCFullYear() > 2020, 10_000, 'last_used_at to be refreshed');
  });
});
