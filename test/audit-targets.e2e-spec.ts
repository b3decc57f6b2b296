import { addLocalDomain, onEveryDatabase } from './support/suite';

const D = 'sip.example.com';

/** The target of the newest audit row of a node. */
async function lastTarget(db: { query<T>(sql: string, params?: unknown[]): Promise<T[]> }, node: string): Promise<string> {
  const rows = await db.query<{ target: string }>('SELECT target FROM kamprov_audit WHERE node = ? ORDER BY id DESC', [node]);
  return rows[0]?.target;
}

// Issue 14 items 2 and 9: audit targets are stored normalised, whatever the request held.
onEveryDatabase('audit: targets are stored normalised', (ctx) => {
  beforeAll(async () => {
    await addLocalDomain(ctx().db, D);
    expect((await ctx().app.get(`/user/add_local?user=alice@${D}`)).status).toBe(200);
  });

  it('strips control characters (an escape sequence) and trims', async () => {
    const res = await ctx().app.get(`/user/remove?user=%1B%5D0%3Bpwned%07%1B%5B2J%20bob@${D}%0D%0A`);
    expect(res.body.response).not.toBe('ok');
    const target = await lastTarget(ctx().db, 'user/remove');
    expect(target).toBe(`]0;pwned[2J bob@${D}`);
    // eslint-disable-next-line no-control-regex -- looking for control characters
    expect(target).not.toMatch(/[\u0000-\u001f\u007f]/);
  });

  it('records a + that arrived as a space as +', async () => {
    expect((await ctx().app.get('/numbers/add?number=+4761000000')).status).toBe(200);
    expect(await lastTarget(ctx().db, 'numbers/add')).toBe('+4761000000');
    await ctx().app.get(`/alias/add?alias_username=+4761000000&alias_domain=${D}&destination=alice@${D}`);
    expect(await lastTarget(ctx().db, 'alias/add')).toBe(`+4761000000@${D}`);
  });

  it('records the MAC of phone operations, normalised to lower-case hex, and lower-cases domains', async () => {
    expect((await ctx().app.get(`/phone/add?mac=F0:0B:A2:BA:5C:00&user=alice@SIP.Example.com`)).status).toBe(200);
    expect(await lastTarget(ctx().db, 'phone/add')).toBe(`f00ba2ba5c00 alice@${D}`);
    await ctx().app.get(`/phone/remove?mac=f0-0b-a2-ba-5c-00&user=alice@${D}`);
    expect(await lastTarget(ctx().db, 'phone/remove')).toBe(`f00ba2ba5c00 alice@${D}`);
  });
});

// Issue 17: an ok write (user/add_local and add_remote here; every node below) writes its audit record in its own
// transaction; every other outcome is recorded by the hook, as before. Either way: once.
onEveryDatabase('audit: a write and its record commit together', (ctx) => {
  const rowsFor = (target: string) =>
    ctx().db.query<{ node: string; outcome: string; status: number | string; key_name: string }>(
      'SELECT node, outcome, status, key_name FROM kamprov_audit WHERE target = ? ORDER BY id',
      [target],
    );

  beforeAll(async () => {
    await addLocalDomain(ctx().db, D);
  });

  it('records an ok add_local and add_remote once, with its key and status, and the time it happened', async () => {
    const before = Date.now() - 2000;
    expect((await ctx().app.get(`/user/add_local?user=dora@${D}`)).status).toBe(200);
    expect(
      (await ctx().app.get('/user/add_remote?user=erin@remote.example.net&password=s3cret-pw&registrar=sip.remote.example.net')).status,
    ).toBe(200);
    const local = await rowsFor(`dora@${D}`);
    expect(local.map((r) => ({ ...r, status: Number(r.status) }))).toEqual([
      { node: 'user/add_local', outcome: 'ok', status: 200, key_name: 'bootstrap' },
    ]);
    const remote = await rowsFor('erin@remote.example.net');
    expect(remote.map((r) => r.outcome)).toEqual(['ok']);
    const listed = await ctx().app.get(`/audit/list?target=dora@${D}`);
    const at = Date.parse((listed.body.entries as { at: string }[])[0].at);
    expect(at).toBeGreaterThanOrEqual(before);
    expect(at).toBeLessThanOrEqual(Date.now() + 2000);
  });

  it('records a refused add_local once, by the hook, and keeps nothing else of it', async () => {
    expect((await ctx().app.get(`/user/add_local?user=dora@${D}`)).status).toBe(409);
    expect((await rowsFor(`dora@${D}`)).map((r) => r.outcome)).toEqual(['ok', 'failed/exists']);
    // Not a local domain: the claim was written, then rolled back with the transaction.
    expect((await ctx().app.get('/user/add_local?user=fred@nowhere.example.org')).status).toBe(422);
    expect((await rowsFor('fred@nowhere.example.org')).map((r) => r.outcome)).toEqual(['failed/nxdomain']);
    expect(await ctx().db.query('SELECT id FROM kamprov_address_claims WHERE username = ?', ['fred'])).toEqual([]);
  });
});

// Every write node: an ok call is recorded once (in the write's own transaction, so the
// hook writes nothing more), a refused one once (by the hook), each with its key and status.
onEveryDatabase('audit: every write node records each call once', (ctx) => {
  const MAC = '00:1a:2b:3c:4d:5e';
  const HEX = '001a2b3c4d5e';
  const OTHER = '001a2b3c4d5f';
  type Row = { outcome: string; status: number | string; key_name: string };
  const rowsOf = (node: string, target: string) =>
    ctx().db.query<Row>('SELECT outcome, status, key_name FROM kamprov_audit WHERE node = ? AND target = ? ORDER BY id', [node, target]);

  // In order: a row's ok call may need the rows of the ones before it.
  const cases: { node: string; target: string; ok: string; refused: string; refusedTarget?: string }[] = [
    { node: 'user/add_local', target: `txa@${D}`, ok: `/user/add_local?user=txa@${D}`, refused: `/user/add_local?user=txa@${D}` },
    {
      node: 'user/add_remote',
      target: 'txr@remote.example.net',
      ok: '/user/add_remote?user=txr@remote.example.net&password=s3cret-pw&registrar=sip.remote.example.net',
      refused: '/user/add_remote?user=txr@remote.example.net&password=s3cret-pw&registrar=sip.remote.example.net',
    },
    {
      node: 'user/change_pw',
      target: `txa@${D}`,
      ok: `/user/change_pw?user=txa@${D}`,
      refused: `/user/change_pw?user=txnone@${D}`,
      refusedTarget: `txnone@${D}`,
    },
    {
      node: 'user/update',
      target: `txa@${D}`,
      ok: `/user/update?user=txa@${D}&displayname=Tx`,
      refused: `/user/update?user=txnone@${D}`,
      refusedTarget: `txnone@${D}`,
    },
    {
      node: 'alias/add',
      target: `txal@${D}`,
      ok: `/alias/add?alias_username=txal&alias_domain=${D}&destination=txa@${D}`,
      refused: `/alias/add?alias_username=txal&alias_domain=${D}&destination=txa@${D}`,
    },
    {
      node: 'alias/remove',
      target: `txal@${D}`,
      ok: `/alias/remove?alias_username=txal&alias_domain=${D}`,
      refused: `/alias/remove?alias_username=txal&alias_domain=${D}`,
    },
    {
      node: 'phone/add',
      target: `${HEX} txa@${D}`,
      ok: `/phone/add?mac=${MAC}&user=txa@${D}`,
      refused: `/phone/add?mac=${MAC}&user=txa@${D}`,
    },
    { node: 'phone/set', target: HEX, ok: `/phone/set?mac=${MAC}&vendor=yealink`, refused: `/phone/set?mac=${MAC}&vendor=nosuchvendor` },
    { node: 'phone/secret', target: HEX, ok: `/phone/secret?mac=${MAC}`, refused: `/phone/secret?mac=${MAC}&extra=1` },
    { node: 'phone/secret', target: OTHER, ok: '', refused: `/phone/secret?mac=${OTHER}` },
    {
      node: 'phone/remove',
      target: `${HEX} txa@${D}`,
      ok: `/phone/remove?mac=${MAC}&user=txa@${D}`,
      refused: `/phone/remove?mac=${MAC}&user=txa@${D}`,
    },
    { node: 'phone/remove', target: HEX, ok: `/phone/remove?mac=${MAC}`, refused: `/phone/remove?mac=${MAC}` },
    { node: 'numbers/add', target: '+4762000000', ok: '/numbers/add?number=%2B4762000000', refused: '/numbers/add?number=%2B4762000000' },
    {
      node: 'numbers/add_range',
      target: '+4762000010..+4762000019',
      ok: '/numbers/add_range?start=%2B4762000010&end=%2B4762000019',
      refused: '/numbers/add_range?start=%2B4762000019&end=%2B4762000010',
      refusedTarget: '+4762000019..+4762000010',
    },
    {
      node: 'numbers/remove',
      target: '+4762000000',
      ok: '/numbers/remove?number=%2B4762000000',
      refused: '/numbers/remove?number=%2B4762000000',
    },
    { node: 'domain/add', target: 'tx.example.org', ok: '/domain/add?domain=tx.example.org', refused: '/domain/add?domain=tx.example.org' },
    {
      node: 'domain/remove',
      target: 'tx.example.org',
      ok: '/domain/remove?domain=tx.example.org',
      refused: '/domain/remove?domain=tx.example.org',
    },
    {
      node: 'user/remove',
      target: 'txr@remote.example.net',
      ok: '/user/remove?user=txr@remote.example.net',
      refused: '/user/remove?user=txr@remote.example.net',
    },
  ];

  beforeAll(async () => {
    await addLocalDomain(ctx().db, D);
  });

  it('records an ok call and a refused call of each write node exactly once', async () => {
    const seen: string[] = [];
    for (const c of cases) {
      const before = (await rowsOf(c.node, c.target)).length;
      if (c.ok) {
        const res = await ctx().app.get(c.ok);
        expect({ node: c.node, status: res.status, response: res.body.response }).toEqual({ node: c.node, status: 200, response: 'ok' });
        const rows = await rowsOf(c.node, c.target);
        expect({ node: c.node, rows: rows.slice(before).map((r) => ({ ...r, status: Number(r.status) })) }).toEqual({
          node: c.node,
          rows: [{ outcome: 'ok', status: 200, key_name: 'bootstrap' }],
        });
      }
      const refusedTarget = c.refusedTarget ?? c.target;
      const after = (await rowsOf(c.node, refusedTarget)).length;
      const refused = await ctx().app.get(c.refused);
      expect({ node: c.node, refused: refused.body.response }).toEqual({
        node: c.node,
        refused: expect.stringMatching(/^(failed|invalid)$/),
      });
      const rows = (await rowsOf(c.node, refusedTarget)).slice(after).map((r) => ({ ...r, status: Number(r.status) }));
      expect({ node: c.node, rows }).toEqual({
        node: c.node,
        rows: [{ outcome: `${refused.body.response}/${refused.body.cause}`, status: refused.status, key_name: 'bootstrap' }],
      });
      seen.push(c.node);
    }
    expect(new Set(seen).size).toBe(16); // every node whose @ApiNode has `audit`
  });

  it('does not commit a write whose ok record cannot be written (the record is in the write transaction)', async () => {
    // A trigger refuses the ok record of two targets: were it written by the hook after the
    // commit, the number and the device would stay and the answer would be ok.
    const db = ctx().db;
    const blocked = "NEW.outcome = 'ok' AND NEW.target IN ('+4762000300', '001a2b3c4d60')";
    if (db.kind === 'sqlite') {
      await db.exec(
        `CREATE TRIGGER tx_audit_block BEFORE INSERT ON kamprov_audit WHEN ${blocked} BEGIN SELECT RAISE(ABORT, 'blocked'); END`,
      );
    } else if (db.kind === 'mysql') {
      await db.exec(
        `CREATE TRIGGER tx_audit_block BEFORE INSERT ON kamprov_audit FOR EACH ROW BEGIN IF ${blocked} THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'blocked'; END IF; END`,
      );
    } else {
      await db.exec(
        `CREATE FUNCTION tx_audit_block() RETURNS trigger AS $$ BEGIN IF ${blocked} THEN RAISE EXCEPTION 'blocked'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`,
      );
      await db.exec('CREATE TRIGGER tx_audit_block BEFORE INSERT ON kamprov_audit FOR EACH ROW EXECUTE FUNCTION tx_audit_block()');
    }
    try {
      const number = await ctx().app.get('/numbers/add?number=%2B4762000300');
      expect(number.body.response).not.toBe('ok');
      expect(await db.query('SELECT number FROM kamprov_numbers WHERE number = ?', ['4762000300'])).toEqual([]);
      expect((await rowsOf('numbers/add', '+4762000300')).map((r) => r.outcome)).toEqual([`${number.body.response}/${number.body.cause}`]);

      const device = await ctx().app.get('/phone/set?mac=00:1a:2b:3c:4d:60&vendor=yealink');
      expect(device.body.response).not.toBe('ok');
      expect(await db.query("SELECT mac FROM kamprov_phone_devices WHERE mac = '001a2b3c4d60'")).toEqual([]);
      expect((await rowsOf('phone/set', '001a2b3c4d60')).map((r) => r.outcome)).toEqual([`${device.body.response}/${device.body.cause}`]);
    } finally {
      await db.exec(db.kind === 'postgres' ? 'DROP TRIGGER tx_audit_block ON kamprov_audit' : 'DROP TRIGGER tx_audit_block');
      if (db.kind === 'postgres') await db.exec('DROP FUNCTION tx_audit_block()');
    }
  });

  it('has the written row and its ok record both committed when the answer arrives', async () => {
    expect((await ctx().app.get('/numbers/add?number=%2B4762000100')).status).toBe(200);
    expect(await ctx().db.query('SELECT number FROM kamprov_numbers WHERE number = ?', ['4762000100'])).toHaveLength(1);
    expect((await rowsOf('numbers/add', '+4762000100')).map((r) => r.outcome)).toEqual(['ok']);

    expect((await ctx().app.get(`/user/add_local?user=txb@${D}`)).status).toBe(200);
    expect((await ctx().app.get(`/alias/add?alias_username=txbl&alias_domain=${D}&destination=txb@${D}`)).status).toBe(200);
    expect(await ctx().db.query("SELECT id FROM dbaliases WHERE alias_username = 'txbl'")).toHaveLength(1);
    expect((await rowsOf('alias/add', `txbl@${D}`)).map((r) => r.outcome)).toEqual(['ok']);
  });
});
