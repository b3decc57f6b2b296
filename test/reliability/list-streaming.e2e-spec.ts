import { onEveryDatabase } from '../support/suite';

/**
 * Issue 14 item 7: the lists a `read` key can ask for are streamed in chunks (LIST_CHUNK_ROWS,
 * 1000 rows), with the very bytes the unstreamed answer had: `{"response":"ok","numbers":[...]}`.
 */
const POOL = 12_345;
const base = 4791000000;

onEveryDatabase('reliability: streamed lists', (ctx) => {
  const raw = async (path: string) => {
    const res = await fetch(ctx().app.baseUrl + path, { headers: { 'x-api-key': 'test-bootstrap-key-0123456789abcdef' } });
    return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
  };

  beforeAll(async () => {
    const digits = Array.from({ length: POOL }, (_, i) => base + i);
    for (let i = 0; i < digits.length; i += 1000) {
      const batch = digits.slice(i, i + 1000);
      await ctx().db.exec(`INSERT INTO kamprov_numbers (number) VALUES ${batch.map(() => '(?)').join(',')}`, batch);
    }
  });

  it('numbers/list of a pool bigger than a chunk: the same bytes as the whole envelope', async () => {
    const res = await raw('/numbers/list');
    expect(res.status).toBe(200);
    expect(res.type).toBe('application/json; charset=utf-8');
    const numbers = Array.from({ length: POOL }, (_, i) => `+${base + i}`);
    expect(res.text).toBe(JSON.stringify({ response: 'ok', numbers }));
  });

  it('limit and search stream too; an empty result is an empty list', async () => {
    expect((await raw('/numbers/list?limit=5001')).text).toBe(
      JSON.stringify({ response: 'ok', numbers: Array.from({ length: 5001 }, (_, i) => `+${base + i}`) }),
    );
    expect((await raw('/numbers/list?search=%2B479100001*')).text).toBe(
      JSON.stringify({ response: 'ok', numbers: Array.from({ length: 10 }, (_, i) => `+${base + 10 + i}`) }),
    );
    expect((await raw('/numbers/list?search=%2B1*')).text).toBe('{"response":"ok","numbers":[]}');
  });

  it('users, domains and phone lists stream the same envelope', async () => {
    const get = (p: string) => ctx().app.get(p);
    await ctx().db.exec("INSERT INTO domain (domain, did) VALUES ('b.stream.example', 'b'), ('a.stream.example', 'a')");
    for (const u of ['bob', 'alice', 'carol'])
      expect((await get(`/user/add_local?username=${u}&domain=a.stream.example`)).status).toBe(200);
    expect((await get('/phone/add?mac=001122334455&user=bob@a.stream.example')).status).toBe(200);
    expect((await get('/phone/add?mac=00112233AA00&user=alice@a.stream.example')).status).toBe(200);
    expect((await raw('/user/list')).text).toBe(
      JSON.stringify({ response: 'ok', users: ['alice@a.stream.example', 'bob@a.stream.example', 'carol@a.stream.example'] }),
    );
    expect((await raw('/user/list?limit=2')).text).toBe(
      JSON.stringify({ response: 'ok', users: ['alice@a.stream.example', 'bob@a.stream.example'] }),
    );
    expect((await raw('/domain/list')).text).toBe(JSON.stringify({ response: 'ok', domains: ['a.stream.example', 'b.stream.example'] }));
    const macs = JSON.parse((await raw('/phone/list')).text) as { macs: string[] };
    expect((await raw('/phone/list')).text).toBe(JSON.stringify({ response: 'ok', macs: macs.macs }));
    expect(macs.macs).toHaveLength(2);
  });
});
