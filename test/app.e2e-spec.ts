import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startApp, TestApp } from './support/app';
import { runTs, startServer } from './support/process';
import { databaseTargets, mysqlSkipped, TestDatabase } from './support/databases';
import { addLocalDomain, onEveryDatabase } from './support/suite';

const USER_NODES = ['get', 'list', 'add_local', 'add_remote', 'remove', 'genpw', 'change_pw', 'update'];

onEveryDatabase('transport and envelope', (ctx) => {
  it('answers an unknown node with failed/nonexistant (404) as JSON', async () => {
    const res = await ctx().app.get('/user/fly?x=1');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(res.body).toEqual({ response: 'failed', cause: 'nonexistant', detail: expect.stringContaining('/user/fly') });
  });

  it('answers other methods than GET with the envelope too', async () => {
    // Every node is a GET; any other method is refused before a node runs (issue 14 item 3).
    const res = await fetch(`${ctx().app.baseUrl}/user/list`, { method: 'POST' });
    expect(res.status).toBe(405);
    expect(await res.json()).toMatchObject({ response: 'invalid', cause: 'method' });
  });

  it('serves Swagger UI at /docs and the document at /openapi.json', async () => {
    const docs = await fetch(`${ctx().app.baseUrl}/docs`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toMatch(/swagger-ui/i);
    const { status, body } = await ctx().app.get('/openapi.json');
    expect(status).toBe(200);
    expect(body.openapi).toMatch(/^3\./);
  });

  it('documents every user node: operationId, parameters with patterns, ok schema and error envelopes', async () => {
    const { body: doc } = await ctx().app.get('/openapi.json');
    expect(doc.components.securitySchemes['api-key']).toEqual({ type: 'apiKey', in: 'header', name: 'X-API-Key' });
    for (const node of USER_NODES) {
      const op = doc.paths[`/user/${node}`]?.get;
      expect(op).toBeDefined();
      expect(op.operationId).toMatch(/^user[A-Z]/);
      for (const status of ['200', '400', '500', '503']) expect(op.responses[status]).toBeDefined();
      expect(op.responses['400'].content['application/json'].schema.$ref).toBe('#/components/schemas/InvalidEnvelopeDto');
      expect(op.responses['503'].content['application/json'].schema.$ref).toBe('#/components/schemas/ErrorEnvelopeDto');
    }
    const get = doc.paths['/user/get'].get;
    expect(get.responses['404'].content['application/json'].schema.$ref).toBe('#/components/schemas/FailedEnvelopeDto');
    const username = get.parameters.find((p: any) => p.name === 'username');
    expect(username).toMatchObject({ in: 'query', required: false, schema: { type: 'string', maxLength: 64 } });
    expect(username.schema.pattern).toBeDefined();
    const addRemote = doc.paths['/user/add_remote'].get.parameters;
    expect(addRemote.find((p: any) => p.name === 'registrar').required).toBe(true);
    expect(addRemote.find((p: any) => p.name === 'r_port').schema).toMatchObject({ type: 'integer', minimum: 1, maximum: 65535 });
    const user = doc.components.schemas.UserDto;
    expect(Object.keys(user.properties)).toEqual(
      expect.arrayContaining([
        'user',
        'username',
        'domain',
        'type',
        'displayname',
        'email',
        'password',
        'registrar',
        'r_port',
        'proxy',
        'p_port',
        'authid',
        'dialplan',
        'linetext',
      ]),
    );
  });

  it('reads an unencoded plus (a space) in a query without failing', async () => {
    const res = await ctx().app.get('/user/genpw?x=+47');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ response: 'invalid', cause: 'x' });
  });

  it.each(['/user/get?username=%', '/user/get?username=%E0%A4%A', '/user/get?%ZZ=1', '/%', '/user/get?user=a%00b@x.y'])(
    'answers a malformed request %s with an envelope, not a 500',
    async (path) => {
      const res = await fetch(ctx().app.baseUrl + path);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      const body = (await res.json()) as Record<string, unknown>;
      expect(['invalid', 'failed']).toContain(body.response);
    },
  );
});

onEveryDatabase(
  'LEGACY_HTTP_200 and API_PREFIX',
  (ctx) => {
    it('answers every envelope with 200 and serves nodes under the prefix', async () => {
      const missing = await ctx().app.get('/api/v1/user/get?user=nobody@example.com');
      expect(missing.status).toBe(200);
      expect(missing.body).toMatchObject({ response: 'failed', cause: 'nonexistant' });
      const bad = await ctx().app.get('/api/v1/user/get?user=nobody');
      expect(bad.status).toBe(200);
      expect(bad.body).toMatchObject({ response: 'invalid', cause: 'user' });
      const unprefixed = await ctx().app.get('/user/list');
      expect(unprefixed.body).toMatchObject({ response: 'failed', cause: 'nonexistant' });
      const ok = await ctx().app.get('/api/v1/user/list');
      expect(ok.body).toEqual({ response: 'ok', users: [] });
    });
  },
  { LEGACY_HTTP_200: 'true', API_PREFIX: 'api/v1' },
);

/** Each database target, with a database of its own that the test may break. */
function eachTargetFresh(title: string, fn: (db: TestDatabase) => Promise<void>): void {
  for (const target of databaseTargets()) {
    it(`${title} [${target.kind}]`, async () => {
      const db = await target.create();
      try {
        await fn(db);
      } finally {
        await db.drop();
      }
    });
  }
  if (mysqlSkipped()) it.skip(`${title} [mysql] SKIPPED: TEST_DATABASE_URL is not set`, () => undefined);
}

describe('database failures', () => {
  eachTargetFresh('answers error/dbfail (503) without SQL when the database fails, and keeps running', async (db) => {
    const app = await startApp({ DATABASE_URL: db.url });
    try {
      await addLocalDomain(db, 'sip.example.com');
      expect((await app.get('/user/add_local?user=a@sip.example.com')).status).toBe(200);
      await db.exec('ALTER TABLE kamprov_users RENAME TO kamprov_users_gone');
      for (const path of ['/user/list', '/user/get?user=a@sip.example.com', '/user/add_local?user=b@sip.example.com']) {
        const res = await app.get(path);
        expect(res.status).toBe(503);
        expect(res.body).toEqual({ response: 'error', cause: 'dbfail', detail: expect.any(String) });
        expect(JSON.stringify(res.body)).not.toMatch(/SELECT|INSERT|kamprov_users|at \w+ \(/i);
      }
      // Requests that need no database still work: the process is up.
      expect((await app.get('/user/genpw')).status).toBe(200);
    } finally {
      await app.close();
    }
  });
});

describe('an existing Kamailio database', () => {
  eachTargetFresh('is used as it is: its tables are not altered and its rows stay', async (db) => {
    const ddl = readFileSync(join(__dirname, 'fixtures', `kamailio-5.6-${db.kind}.sql`), 'utf8');
    for (const statement of ddl
      .split(';')
      .map((s) => s.trim())
      .filter(Boolean))
      await db.exec(statement);
    await db.exec("INSERT INTO domain (domain, did) VALUES ('old.example.com', 'old.example.com')");
    await db.exec(
      "INSERT INTO subscriber (username, domain, password, ha1, ha1b) VALUES ('olduser', 'old.example.com', 'oldpw', 'h1', 'h2')",
    );
    await db.exec(
      "INSERT INTO dbaliases (alias_username, alias_domain, username, domain) VALUES ('100', 'old.example.com', 'olduser', 'old.example.com')",
    );
    const versionsBefore = await db.query('SELECT table_name, table_version FROM version ORDER BY table_name');

    let app: TestApp = await startApp({ DATABASE_URL: db.url });
    try {
      expect(await db.query('SELECT table_name, table_version FROM version ORDER BY table_name')).toEqual(versionsBefore);
      expect(await db.query('SELECT username, domain, password, ha1, ha1b FROM subscriber')).toEqual([
        { username: 'olduser', domain: 'old.example.com', password: 'oldpw', ha1: 'h1', ha1b: 'h2' },
      ]);
      expect(await db.query('SELECT alias_username FROM dbaliases')).toEqual([{ alias_username: '100' }]);
      // The existing subscriber is adopted as a local user.
      const got = await app.get('/user/get?user=olduser@old.example.com');
      expect(got.body.user).toMatchObject({ type: 'local', password: 'oldpw' });
      expect((await app.get('/user/list')).body.users).toEqual(['olduser@old.example.com']);
      expect((await app.get('/user/add_local?user=new@old.example.com')).status).toBe(200);
    } finally {
      await app.close();
    }
    // A restart runs no migration twice and changes nothing.
    app = await startApp({ DATABASE_URL: db.url });
    try {
      expect((await app.get('/user/list')).body.users).toEqual(['new@old.example.com', 'olduser@old.example.com']);
      expect(await db.query('SELECT table_name, table_version FROM version ORDER BY table_name')).toEqual(versionsBefore);
    } finally {
      await app.close();
    }
  });

  eachTargetFresh("is created with Kamailio's tables and version rows when empty", async (db) => {
    const app = await startApp({ DATABASE_URL: db.url });
    try {
      const versions = await db.query<{ table_name: string; table_version: number | string }>(
        'SELECT table_name, table_version FROM version ORDER BY table_name',
      );
      expect(versions.map((v) => [v.table_name, Number(v.table_version)])).toEqual([
        ['dbaliases', 1],
        ['domain', 2],
        ['domain_attrs', 1],
        ['subscriber', 7],
        ['version', 1],
      ]);
    } finally {
      await app.close();
    }
  });
});

describe('start-up', () => {
  const runMain = async (env: Record<string, string>) => {
    const { code, stderr } = await runTs('src/main.ts', [], { LOG_LEVEL: 'error', PORT: '0', BOOTSTRAP_API_KEY: undefined, ...env });
    return { code, stderr };
  };

  it('fails fast with a clear message on bad configuration, without echoing secrets', async () => {
    const { code, stderr } = await runMain({ DATABASE_URL: 'mysql://root:topsecret@127.0.0.1:3306', PORT: 'eighty' });
    expect(code).toBe(1);
    expect(stderr).toMatch(/Invalid configuration/);
    expect(stderr).toMatch(/DATABASE_URL/);
    expect(stderr).toMatch(/PORT/);
    expect(stderr).not.toMatch(/topsecret/);
  });

  it('starts without its database (live, not ready) and never echoes its secrets (issue 14 item 15)', async () => {
    const server = await startServer({ DATABASE_URL: 'mysql://root:topsecret@127.0.0.1:1/kamprov', BOOTSTRAP_API_KEY: 'k'.repeat(32) });
    try {
      expect((await fetch(`${server.url}/health/live`)).status).toBe(200);
      expect((await fetch(`${server.url}/health/ready`)).status).toBe(503);
      expect(server.output).toMatch(/database unavailable at start-up/);
      expect(server.output).not.toMatch(/topsecret/);
    } finally {
      await server.stop();
    }
  }, 90_000);
});
