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
