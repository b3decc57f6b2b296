import { startApp, TestApp } from '../support/app';
import { databaseTargets, mysqlSkipped, postgresSkipped, TestDatabase } from '../support/databases';
import { interopAvailable, KamailioInstance, sipp } from './support/kamailio';

/**
 * kamprov against a real Kamailio: what kamprov writes, Kamailio reads. Two Kamailio
 * instances run on the database kamprov provisions, one whose auth_db reads `ha1`
 * (calculate_ha1 0) and one that reads the plain `password` (calculate_ha1 1); sipp
 * drives them.
 */
const D = 'sip.example.com';
const available = interopAvailable();

if (!available) {
  describe('Kamailio interop', () => {
    it.skip('SKIPPED: kamailio and sipp are not on the PATH (apt-get install kamailio kamailio-mysql-modules kamailio-postgres-modules kamailio-sqlite-modules sip-tester)', () =>
      undefined);
  });
}

for (const target of available ? databaseTargets() : []) {
  describe(`Kamailio interop [${target.kind}]`, () => {
    let db: TestDatabase;
    let app: TestApp;
    const kamailios: Record<'ha1' | 'password', KamailioInstance> = {} as never;
    const each = () => Object.entries(kamailios) as ['ha1' | 'password', KamailioInstance][];

    beforeAll(async () => {
      db = await target.create();
      // Kamailio's db_sqlite wants sqlite:/// followed by the absolute path (four slashes in all).
      const kamailioDbUrl = db.kind === 'sqlite' ? `sqlite:///${db.url.slice('sqlite:'.length)}` : db.url;
      kamailios.ha1 = new KamailioInstance({ dbUrl: kamailioDbUrl, ha1: true });
      kamailios.password = new KamailioInstance({ dbUrl: kamailioDbUrl, ha1: false });
      await kamailios.ha1.allocatePorts();
      await kamailios.password.allocatePorts();
      // kamprov first: its migrations create Kamailio's tables. The ha1 instance is the one
      // kamprov tells to reload domains.
      app = await startApp({ DATABASE_URL: db.url, KAMAILIO_RPC_URL: kamailios.ha1.rpcUrl });
      await db.exec('INSERT INTO domain (domain, did) VALUES (?, ?)', [D, D]);
      await kamailios.ha1.start();
      await kamailios.password.start();
    }, 60_000);

    afterAll(async () => {
      for (const [, k] of each()) k.stop();
      await app?.close();
      await db?.drop();
    });

    const register = (k: KamailioInstance, user: string, domain: string, password: string) =>
      sipp(k, 'register', { user, dom: domain }, { user, password });
    const refused = (k: KamailioInstance, user: string, domain: string, password: string) =>
      sipp(k, 'register-refused', { user, dom: domain }, { user, password });

    let password = '';

    it('a user made by user/add_local REGISTERs with its generated password; a wrong one is refused', async () => {
      const res = await app.get(`/user/add_local?username=alice&domain=${D}`);
      expect(res.status).toBe(200);
      password = res.body.user.password;
      for (const [mode, k] of each()) {
        expect([mode, (await register(k, 'alice', D, password)).ok]).toEqual([mode, true]);
        expect([mode, (await refused(k, 'alice', D, `${password}x`)).ok]).toEqual([mode, true]);
      }
    });

    it('after user/change_pw the new password works and the old one does not', async () => {
      const res = await app.get(`/user/change_pw?user=alice@${D}&password=n3w-S3cret`);
      expect(res.status).toBe(200);
      for (const [mode, k] of each()) {
        expect([mode, (await register(k, 'alice', D, 'n3w-S3cret')).ok]).toEqual([mode, true]);
        expect([mode, (await refused(k, 'alice', D, password)).ok]).toEqual([mode, true]);
      }
    });

    it('aliases made by alias/add resolve in alias_db, and stop resolving after alias/remove', async () => {
      for (const alias of ['sales', '+4761000009']) {
        const add = await app.get(`/alias/add?alias_username=${encodeURIComponent(alias)}&alias_domain=${D}&destination=alice@${D}`);
        expect(add.status).toBe(200);
        const resolved = await sipp(kamailios.ha1, 'options', { user: alias, dom: D });
        expect(resolved.ok).toBe(true);
        expect(resolved.messages).toContain(`SIP/2.0 200 Alias to sip:alice@${D}`);

        const remove = await app.get(`/alias/remove?alias_username=${encodeURIComponent(alias)}&alias_domain=${D}`);
        expect(remove.status).toBe(200);
        const gone = await sipp(kamailios.ha1, 'options', { user: alias, dom: D });
        expect(gone.ok).toBe(false);
        expect(gone.messages).toContain('SIP/2.0 404 No alias');
      }
    });

    it('domain/add makes a new domain local in Kamailio without a restart (domain.reload over JSON-RPC)', async () => {
      const newDomain = 'new.example.org';
      const add = await app.get(`/domain/add?domain=${newDomain}`);
      expect(add.status).toBe(200);
      expect(add.body).toMatchObject({ response: 'ok', domain: newDomain, reloaded: true });
      const user = await app.get(`/user/add_local?username=bob&domain=${newDomain}`);
      expect(user.status).toBe(200);
      expect((await register(kamailios.ha1, 'bob', newDomain, user.body.user.password)).ok).toBe(true);
    });

    it('after user/remove the account is refused', async () => {
      expect((await app.get(`/user/remove?user=alice@${D}`)).status).toBe(200);
      for (const [mode, k] of each()) {
        expect([mode, (await refused(k, 'alice', D, 'n3w-S3cret')).ok]).toEqual([mode, true]);
      }
    });
  });
}

if (available && mysqlSkipped()) {
  describe('Kamailio interop [mysql]', () => {
    it.skip('SKIPPED: set TEST_DATABASE_URL to run the interop suite on MariaDB', () => undefined);
  });
}
if (available && postgresSkipped()) {
  describe('Kamailio interop [postgres]', () => {
    it.skip('SKIPPED: set TEST_PG_URL to run the interop suite on PostgreSQL (db_postgres)', () => undefined);
  });
}
