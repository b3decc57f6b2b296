import { databaseTargets, TestDatabase } from './support/databases';
import { startApp, TestApp } from './support/app';

const D = 'legacy.example.com';
const MAC = 'f00ba2ba5c20';

/**
 * The PhoneProvisioning migration on a database that predates it: phones with users and
 * no line numbers get lines in the order phone/get answered them (username, domain).
 */
for (const target of databaseTargets()) {
  describe(`phone lines backfill [${target.kind}]`, () => {
    let db: TestDatabase;
    let app: TestApp | undefined;

    beforeAll(async () => {
      db = await target.create();
      // Every migration once, then back to the state before PhoneProvisioning.
      await (await startApp({ DATABASE_URL: db.url })).close();
      for (const t of ['kamprov_prov_keys', 'kamprov_prov_nonces', 'kamprov_phone_devices']) await db.exec(`DROP TABLE ${t}`);
      await db.exec(
        db.kind === 'mysql' ? 'DROP INDEX kamprov_phones_mac_line_uq ON kamprov_phones' : 'DROP INDEX kamprov_phones_mac_line_uq',
      );
      await db.exec('ALTER TABLE kamprov_phones DROP COLUMN line');
      await db.exec("DELETE FROM migrations WHERE name = 'PhoneProvisioning1764140000006'");
      for (const name of ['carol', 'alice', 'bob']) {
        await db.exec("INSERT INTO kamprov_users (username, domain, type) VALUES (?, ?, 'remote')", [name, D]);
      }
      // Inserted out of name order: the lines follow the names, as phone/get did.
      for (const [mac, name] of [
        [MAC, 'carol'],
        [MAC, 'alice'],
        ['f00ba2ba5c21', 'bob'],
        [MAC, 'bob'],
      ]) {
        await db.exec('INSERT INTO kamprov_phones (mac, user_id) SELECT ?, id FROM kamprov_users WHERE username = ?', [mac, name]);
      }
      app = await startApp({ DATABASE_URL: db.url });
    });

    afterAll(async () => {
      await app?.close();
      await db?.drop();
    });

    it('numbers existing users per phone in the order phone/get answered them', async () => {
      const rows = await db.query<{ mac: string; username: string; line: number }>(
        'SELECT p.mac, u.username, p.line FROM kamprov_phones p JOIN kamprov_users u ON u.id = p.user_id ORDER BY p.mac, p.line',
      );
      expect(rows.map((r) => [r.mac, r.username, Number(r.line)])).toEqual([
        [MAC, 'alice', 1],
        [MAC, 'bob', 2],
        [MAC, 'carol', 3],
        ['f00ba2ba5c21', 'bob', 1],
      ]);
      expect((await app!.get(`/phone/get?mac=${MAC}`)).body).toEqual({
        response: 'ok',
        mac: MAC,
        users: [`alice@${D}`, `bob@${D}`, `carol@${D}`],
      });
    });

    it('the lines are enforced and the next add takes the lowest free line', async () => {
      await db.exec("INSERT INTO kamprov_users (username, domain, type) VALUES ('dave', ?, 'remote')", [D]);
      expect((await app!.get(`/phone/add?mac=${MAC}&user=dave@${D}&line=2`)).status).toBe(409);
      expect((await app!.get(`/phone/remove?mac=${MAC}&user=alice@${D}`)).status).toBe(200);
      expect((await app!.get(`/phone/add?mac=${MAC}&user=dave@${D}`)).status).toBe(200);
      expect((await app!.get(`/phone/get?mac=${MAC}`)).body.users).toEqual([`dave@${D}`, `bob@${D}`, `carol@${D}`]);
    });
  });
}
