import { databaseTargets, TestDatabase } from './support/databases';
import { startApp, TestApp } from './support/app';

const D = 'legacy.example.com';

/**
 * The AliasClaims migration on a database that predates it: a Kamailio database with
 * duplicate aliases, an alias over a user and two E.164 aliases for one destination.
 */
for (const target of databaseTargets()) {
  describe(`address claims backfill [${target.kind}]`, () => {
    let db: TestDatabase;
    let app: TestApp | undefined;

    beforeAll(async () => {
      db = await target.create();
      // Every migration once, then back to the state before AliasClaims (and LocalDomainClaims,
      // which adds to its table: both run again, in order, which tests the later backfill too).
      await (await startApp({ DATABASE_URL: db.url })).close();
      await db.exec('DROP TABLE kamprov_address_claims');
      await db.exec('DROP TABLE kamprov_claim_domains');
      await db.exec("DELETE FROM migrations WHERE name IN ('AliasClaims1764140000004', 'LocalDomainClaims1764140000009')");
      await db.exec('INSERT INTO domain (domain, did) VALUES (?, ?)', [D, D]);
      await db.exec("INSERT INTO subscriber (username, domain, password, ha1, ha1b) VALUES ('alice', ?, 'x', 'x', 'x')", [D]);
      await db.exec("INSERT INTO kamprov_users (username, domain, type) VALUES ('alice', ?, 'local')", [D]);
      const aliases: [string, string][] = [
        ['sales', 'alice'],
        ['sales', 'alice'],
        ['alice', 'alice'],
        ['+4711111111', 'alice'],
        ['+4722222222', 'alice'],
      ];
      for (const [alias, dest] of aliases) {
        await db.exec('INSERT INTO dbaliases (alias_username, alias_domain, username, domain) VALUES (?, ?, ?, ?)', [alias, D, dest, D]);
      }
      app = await startApp({ DATABASE_URL: db.url });
    });

    afterAll(async () => {
      await app?.close();
      await db?.drop();
    });

    it('claims each user and each distinct alias once; the first E.164 alias holds the slot', async () => {
      const rows = await db.query<any>(
        'SELECT username, domain, kind, e164_destination, local_domain FROM kamprov_address_claims ORDER BY id',
      );
      // D is local: LocalDomainClaims registered it and every claim there references it.
      expect(rows).toEqual([
        { username: 'alice', domain: D, kind: 'user', e164_destination: null, local_domain: D },
        { username: 'sales', domain: D, kind: 'alias', e164_destination: null, local_domain: D },
        { username: '+4711111111', domain: D, kind: 'alias', e164_destination: `alice@${D}`, local_domain: D },
        { username: '+4722222222', domain: D, kind: 'alias', e164_destination: null, local_domain: D },
      ]);
      expect(await db.query('SELECT domain FROM kamprov_claim_domains')).toEqual([{ domain: D }]);
      // Kamailio's table is untouched, duplicates and all.
      expect(await db.query('SELECT id FROM dbaliases')).toHaveLength(5);
    });

    it('the backfilled claims are enforced', async () => {
      const again = await app!.get(`/alias/add?alias_username=sales&alias_domain=${D}&destination=alice@${D}`);
      expect(again.status).toBe(409);
      expect((await app!.get(`/user/add_local?username=sales&domain=${D}`)).status).toBe(409);
      const e164 = await app!.get(`/alias/add?alias_username=%2B4733333333&alias_domain=${D}&destination=alice@${D}`);
      expect(e164.status).toBe(409);
      expect(e164.body.cause).toBe('exists');
    });

    it('alias/remove of a legacy alias removes its duplicates and its claim', async () => {
      const res = await app!.get(`/alias/remove?alias_username=sales&alias_domain=${D}`);
      expect(res.status).toBe(200);
      expect(await db.query("SELECT id FROM dbaliases WHERE alias_username = 'sales'")).toHaveLength(0);
      expect(await db.query("SELECT id FROM kamprov_address_claims WHERE username = 'sales'")).toHaveLength(0);
    });
  });
}
