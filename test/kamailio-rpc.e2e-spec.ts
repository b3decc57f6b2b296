import { createServer, IncomingHttpHeaders, Server, ServerResponse } from 'node:http';
import { TEST_ADMIN_KEY } from './support/app';
import { captureLog } from './support/log-capture';
import { onEveryDatabase } from './support/suite';

/**
 * KAMAILIO_RPC_URL on a port fetch refuses (the WHATWG "bad ports": 5060, 5061, 6000,
 * 6665-6669, 10080, ...; Kamailio often serves JSON-RPC on its SIP TCP port) and with
 * credentials in the URL (issue 14 item 13): the call goes out, the credentials arrive as
 * Basic auth, and no answer or log line prints the password.
 */
const BAD_PORTS = [5060, 5061, 6000, 6665, 6666, 6667, 6668, 6669, 10080, 6697, 4190];
const RPC_USER = 'kamprov';
const RPC_PASSWORD = 'Rpc-S3cret-Pw';

interface StandIn {
  port: number;
  calls: { url?: string; headers: IncomingHttpHeaders; body: { method?: string; id?: number } }[];
  mode: 'ok' | 'unauthorized';
  server: Server;
}

/** A JSON-RPC stand-in on the first bad port that is free on 127.0.0.1. */
async function startOnBadPort(): Promise<StandIn> {
  const standIn = { calls: [], mode: 'ok' } as unknown as StandIn;
  const server = createServer((req, res: ServerResponse) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const body = JSON.parse(raw) as { method?: string; id?: number };
      standIn.calls.push({ url: req.url, headers: req.headers, body });
      res.writeHead(standIn.mode === 'ok' ? 200 : 401, { 'content-type': 'application/json' });
      res.end(JSON.stringify(standIn.mode === 'ok' ? { jsonrpc: '2.0', result: {}, id: body.id } : { denied: true }));
    });
  });
  for (const port of BAD_PORTS) {
    const bound = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (bound) return Object.assign(standIn, { port, server });
  }
  throw new Error(`none of the bad ports ${BAD_PORTS.join(', ')} is free on 127.0.0.1`);
}

const env: Record<string, string> = { LOG_LEVEL: 'verbose', LOG_FORMAT: 'json' };
let kamailio: StandIn;

beforeAll(async () => {
  kamailio = await startOnBadPort();
  env.KAMAILIO_RPC_URL = `http://${RPC_USER}:${encodeURIComponent(RPC_PASSWORD)}@127.0.0.1:${kamailio.port}/RPC`;
});

afterAll(async () => {
  kamailio.server.closeAllConnections();
  await new Promise<void>((resolve) => kamailio.server.close(() => resolve()));
});

onEveryDatabase(
  'kamailio JSON-RPC on a bad port, with credentials',
  (ctx) => {
    const get = (path: string) => ctx().app.get(path, { key: TEST_ADMIN_KEY });

    it('reaches Kamailio on a port fetch refuses, with the credentials as Basic auth', async () => {
      kamailio.calls = [];
      kamailio.mode = 'ok';
      const domain = `rpc-${ctx().db.kind}.example.com`;
      const out = await captureLog(async () => {
        const res = await get(`/domain/add?domain=${domain}`);
        expect(res.body).toEqual({ response: 'ok', domain, reloaded: true });
      });
      expect(kamailio.calls).toHaveLength(1);
      const call = kamailio.calls[0];
      expect(call.url).toBe('/RPC');
      expect(call.body.method).toBe('domain.reload');
      expect(call.headers.authorization).toBe(`Basic ${Buffer.from(`${RPC_USER}:${RPC_PASSWORD}`).toString('base64')}`);
      expect(out).not.toContain(RPC_PASSWORD);
    });

    it('a refusal by Kamailio prints neither the password nor the URL credentials', async () => {
      kamailio.calls = [];
      kamailio.mode = 'unauthorized';
      const domain = `rpc-denied-${ctx().db.kind}.example.com`;
      let detail = '';
      const out = await captureLog(async () => {
        const res = await get(`/domain/add?domain=${domain}`);
        expect(res.body).toMatchObject({ response: 'ok', domain, reloaded: false });
        detail = String(res.body.detail);
      });
      expect(kamailio.calls).toHaveLength(1);
      expect(detail).toMatch(/HTTP 401/);
      for (const text of [detail, out]) {
        expect(text).not.toContain(RPC_PASSWORD);
        expect(text).not.toContain(encodeURIComponent(RPC_PASSWORD));
        expect(text).not.toContain(`${RPC_USER}:`);
      }
      expect(out).toMatch(/domain\.reload: the change is saved, but Kamailio did not confirm/);
    });
  },
  env,
);
