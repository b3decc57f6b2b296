import SwaggerParser from '@apidevtools/swagger-parser';
import { readFileSync } from 'node:fs';
import { renderDocument, renderTypesInChild, SDK_DOCUMENT, SDK_TYPES } from '../../scripts/sdk';
import { createKamprovClient, type KamprovClient, type User } from '../../sdk';
import { startApp, TEST_ADMIN_KEY, TestApp } from '../support/app';
import { databaseTargets, TestDatabase } from '../support/databases';
import { notOnMysql, onEveryDatabase } from '../support/suite';

type Schema = Record<string, any>;
type Document = { paths: Record<string, { get: Schema }>; components: { schemas: Record<string, Schema> } };

const USER_KEYS = [
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
];

describe('ecosystem: the OpenAPI document and the committed SDK [sqlite]', () => {
  let db: TestDatabase;
  let app: TestApp;
  let live: Document;

  beforeAll(async () => {
    db = await databaseTargets()[0].create();
    app = await startApp({ DATABASE_URL: db.url });
    live = (await app.get<Document>('/openapi.json', { key: null })).body;
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  it('matches the committed sdk/openapi.json and sdk/kamprov.d.ts (else: npm run sdk:generate)', async () => {
    const committedDocument = readFileSync(SDK_DOCUMENT, 'utf8');
    expect(JSON.parse(renderDocument(live))).toEqual(JSON.parse(committedDocument));
    expect(renderDocument(live)).toBe(committedDocument);
    const types = await renderTypesInChild(live);
    const committedTypes = readFileSync(SDK_TYPES, 'utf8');
    if (types !== committedTypes) {
      const at = [...types].findIndex((c, i) => c !== committedTypes[i]);
      // Shows where they part; regenerate with `npm run sdk:generate` and commit sdk/.
      expect(committedTypes.slice(Math.max(0, at - 300), at + 300)).toBe(types.slice(Math.max(0, at - 300), at + 300));
    }
    expect(types === committedTypes).toBe(true);
  }, 60_000);

  it('validates against the OpenAPI schema (swagger-parser)', async () => {
    const api = await SwaggerParser.validate(structuredClone(live) as any);
    expect(api.info.title).toBe('kamprov');
  });

  it('names every node by an operationId that reads well: userAddLocal for /user/add_local', () => {
    // /prov/* are files for phones, not nodes (issue 13): their own operationIds.
    const ids = Object.entries(live.paths)
      .filter(([path]) => !path.startsWith('/prov/'))
      .map(([path, item]) => {
        const expected = path
          .split('/')
          .filter(Boolean)
          .join('_')
          .replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
        expect([path, item.get.operationId]).toEqual([path, expected]);
        return item.get.operationId as string;
      });
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(['userAddLocal', 'phoneGet', 'numbersAddRange', 'aliasList', 'domainRemove']));
  });

  it('gives every answer a precise schema: literal response kinds, typed arrays, no loose objects', () => {
    const schemas = live.components.schemas;
    const deref = (s: Schema): Schema => (s.$ref ? schemas[String(s.$ref).split('/').pop()!] : s);
    // Every schema anywhere: a $ref, a composition, or a type with what it holds.
    const visit = (s: Schema, where: string): void => {
      if (s.$ref) {
        expect([where, schemas[String(s.$ref).split('/').pop()!] !== undefined]).toEqual([where, true]);
        return;
      }
      if (s.oneOf) return (s.oneOf as Schema[]).forEach((x, i) => visit(x, `${where}.oneOf[${i}]`));
      expect([where, typeof s.type]).toEqual([where, 'string']);
      if (s.type === 'object' && s.additionalProperties) {
        visit(s.additionalProperties as Schema, `${where}{}`); // a typed map
      } else if (s.type === 'object') {
        expect([where, Object.keys(s.properties ?? {}).length > 0]).toEqual([where, true]);
        for (const [k, v] of Object.entries(s.properties as Record<string, Schema>)) visit(v, `${where}.${k}`);
      }
      if (s.type === 'array') visit(s.items as Schema, `${where}[]`);
    };
    for (const [name, s] of Object.entries(schemas)) visit(s, name);

    for (const [path, item] of Object.entries(live.paths)) {
      if (path.startsWith('/health/') || path.startsWith('/prov/')) continue; // health answers and phones' files are not envelopes
      const responses = item.get.responses as Record<string, { content: { 'application/json': { schema: Schema } } }>;
      const ok = responses['200'].content['application/json'].schema;
      for (const shape of ok.oneOf ? (ok.oneOf as Schema[]) : [ok]) {
        const s = deref(shape);
        expect([path, s.properties.response.enum, s.required]).toEqual([path, ['ok'], expect.arrayContaining(['response'])]);
      }
      for (const [status, r] of Object.entries(responses)) {
        if (status === '200') continue;
        const s = deref(r.content['application/json'].schema);
        const kind = Number(status) >= 500 ? 'error' : status === '400' ? 'invalid' : 'failed';
        expect([path, status, s.properties.response.enum, s.required]).toEqual([path, status, [kind], ['response', 'cause', 'detail']]);
      }
    }
    // The user object: every contract key, always present, null where unset.
    const user = schemas.UserDto;
    expect(Object.keys(user.properties).sort()).toEqual([...USER_KEYS].sort());
    expect([...user.required].sort()).toEqual([...USER_KEYS].sort());
    for (const k of ['displayname', 'email', 'password', 'registrar', 'r_port', 'proxy', 'p_port', 'authid', 'dialplan', 'linetext']) {
      expect([k, user.properties[k].nullable]).toEqual([k, true]);
    }
    expect(user.properties.type.enum).toEqual(['local', 'remote']);
    expect(user.properties.r_port.type).toBe('integer');
    expect(deref(live.paths['/alias/list'].get.responses['200'].content['application/json'].schema).properties.aliases.items.$ref).toMatch(
      /AliasDto$/,
    );
  });
});
notOnMysql('ecosystem: the OpenAPI document and the committed SDK', 'the document does not depend on the database');

onEveryDatabase('ecosystem: a full flow through the generated client', (ctx) => {
  const D = 'sdk.example.com';
  let kamprov: KamprovClient;
  beforeAll(() => {
    kamprov = createKamprovClient(ctx().app.baseUrl, TEST_ADMIN_KEY);
  });

  it('provisions a domain, a user, a phone, a number and an alias, and removes them again', async () => {
    const domain = await kamprov.GET('/domain/add', { params: { query: { domain: D } } });
    expect(domain.response.status).toBe(200);
    expect(domain.data).toEqual({ response: 'ok', domain: D, reloaded: false, detail: expect.any(String) });

    const added = await kamprov.GET('/user/add_local', {
      params: { query: { username: 'alice', domain: D, displayname: 'Alice Liddell', email: 'alice@example.com' } },
    });
    const alice: User = added.data!.user;
    expect(alice).toMatchObject({ user: `alice@${D}`, type: 'local', displayname: 'Alice Liddell', registrar: null, r_port: null });
    expect(alice.password).toMatch(/^[A-Za-z0-9]{16}$/);

    const got = await kamprov.GET('/user/get', { params: { query: { user: `alice@${D}` } } });
    expect(got.data?.user).toEqual(alice);
    const listed = await kamprov.GET('/user/list', { params: { query: { search: 'ali*', limit: 10 } } });
    expect(listed.data?.users).toEqual([`alice@${D}`]);

    const phone = await kamprov.GET('/phone/add', { params: { query: { mac: 'F0:0B:A2:BA:5C:00', user: `alice@${D}` } } });
    expect(phone.data).toEqual({ response: 'ok', mac: 'f00ba2ba5c00', user: `alice@${D}` });
    const byMac = await kamprov.GET('/phone/get', { params: { query: { mac: 'f00ba2ba5c00' } } });
    const carried = byMac.data && 'users' in byMac.data ? byMac.data.users : [];
    expect(carried).toEqual([`alice@${D}`]);

    const number = await kamprov.GET('/numbers/add', { params: { query: { number: '+4761000001' } } });
    expect(number.data).toEqual({ response: 'ok', number: '+4761000001', detail: 'Added +4761000001' });
    const inpool = await kamprov.GET('/numbers/inpool', { params: { query: { number: '+4761000001' } } });
    expect(inpool.data?.number).toBe('+4761000001');

    const alias = await kamprov.GET('/alias/add', {
      params: { query: { alias_username: '+4761000001', alias_domain: D, destination: `alice@${D}` } },
    });
    expect(alias.data).toEqual({ response: 'ok', alias: `+4761000001@${D}`, destination: `alice@${D}` });
    const aliases = await kamprov.GET('/alias/list', { params: { query: { destination: `alice@${D}`, e164: true } } });
    expect(aliases.data?.aliases).toEqual([{ alias: `+4761000001@${D}`, destination: `alice@${D}` }]);

    // Refusals come back typed as envelopes.
    const inuse = await kamprov.GET('/user/remove', { params: { query: { user: `alice@${D}` } } });
    expect(inuse.response.status).toBe(409);
    expect(inuse.error).toMatchObject({ response: 'failed', cause: 'inuse' });

    expect(
      (await kamprov.GET('/alias/remove', { params: { query: { alias_username: '+4761000001', alias_domain: D } } })).data?.alias,
    ).toBe(`+4761000001@${D}`);
    expect((await kamprov.GET('/phone/remove', { params: { query: { mac: 'f00ba2ba5c00', user: `alice@${D}` } } })).data?.mac).toBe(
      'f00ba2ba5c00',
    );
    expect((await kamprov.GET('/numbers/remove', { params: { query: { number: '+4761000001' } } })).data?.number).toBe('+4761000001');
    expect((await kamprov.GET('/user/remove', { params: { query: { user: `alice@${D}` } } })).data).toEqual({ response: 'ok' });
    expect((await kamprov.GET('/domain/remove', { params: { query: { domain: D } } })).data?.domain).toBe(D);

    const gone = await kamprov.GET('/user/get', { params: { query: { user: `alice@${D}` } } });
    expect(gone.response.status).toBe(404);
    expect(gone.error?.cause).toBe('nonexistant');
  });

  it('makes a wrong parameter name a compile error (and the server refuses it too)', async () => {
    const wrong = await kamprov.GET('/user/get', {
      params: {
        query: {
          // @ts-expect-error: user/get has no parameter `usr` (this line must not compile)
          usr: 'alice@sdk.example.com',
        },
      },
    });
    expect(wrong.response.status).toBe(400);
    expect(wrong.error).toMatchObject({ response: 'invalid', cause: 'usr' });
  });
});
