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

// Issue 17: an ok user/add_local or add_remote writes its audit record in its own
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
