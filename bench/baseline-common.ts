/**
 * What both baselines (bench/baseline.ts on mysql2, bench/baseline-pg.ts on pg) share: the
 * bare Fastify server the issue-17 bench compares kamprov with. It does what any server must
 * do for the same answer and nothing more: checks the API key (one indexed lookup, a
 * constant-time hash compare), sends the same security headers as kamprov and a request id
 * (the caller's X-Request-Id when sane, else a UUID), runs the same statements as PREPARED
 * statements, and builds the same JSON. No framework, validation library, ORM, logging,
 * metrics or rate limiting.
 */
import Fastify, { FastifyReply } from 'fastify';
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';

/** The rows the baseline reads, one prepared statement each. */
export interface BaselineDb {
  keyHash(keyId: string): Promise<string | undefined>;
  user(username: string, domain: string): Promise<Record<string, any> | undefined>;
  phoneUsers(mac: string): Promise<{ username: string; domain: string }[]>;
  device(mac: string): Promise<{ vendor: string; model: string | null } | undefined>;
  inpool(digits: string): Promise<boolean>;
}

/** kamprov's security headers (helmet with its CSP), as kamprov sends them on every answer. */
export const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'self';base-uri 'self';font-src 'self' https: data:;form-action 'self';frame-ancestors 'self';" +
    "img-src 'self' data:;object-src 'none';script-src 'self';script-src-attr 'none';style-src 'self' 'unsafe-inline';" +
    "upgrade-insecure-requests;connect-src 'self'",
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'SAMEORIGIN',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
};

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;
const KEY_RE = /^kp_([0-9a-f]{12})_[A-Za-z0-9_-]{32}$/;
const sha256 = (s: string) => createHash('sha256').update(s).digest();

export function serveBaseline(db: BaselineDb, port: number): void {
  const app = Fastify({
    logger: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
  });

  const refuse = (reply: FastifyReply, status: number, body: object) => reply.code(status).send(body);

  app.addHook('onRequest', async (req, reply) => {
    void reply.headers(SECURITY_HEADERS).header('x-request-id', req.id);
    const key = req.headers['x-api-key'];
    const m = typeof key === 'string' ? KEY_RE.exec(key) : null;
    const hash = m ? await db.keyHash(m[1]) : undefined;
    if (!hash || !timingSafeEqual(sha256(key as string), Buffer.from(hash, 'hex'))) {
      await refuse(reply, 401, { response: 'failed', cause: 'unauthenticated', detail: 'the API key is not valid' });
    }
  });

  app.get('/user/get', async (req, reply) => {
    const user = String((req.query as Record<string, string>).user ?? '');
    const at = user.indexOf('@');
    const u = await db.user(user.slice(0, at), user.slice(at + 1).toLowerCase());
    if (!u) return refuse(reply, 404, { response: 'failed', cause: 'nonexistant', detail: `no user ${user}` });
    return {
      response: 'ok',
      user: {
        user: `${u.username}@${String(u.domain).toLowerCase()}`,
        username: u.username,
        domain: String(u.domain).toLowerCase(),
        type: u.type,
        displayname: u.displayname,
        email: u.email,
        password: u.type === 'local' ? u.subscriber_password : u.password,
        registrar: u.registrar,
        r_port: u.r_port,
        proxy: u.proxy,
        p_port: u.p_port,
        authid: u.authid,
        dialplan: u.dialplan,
        linetext: u.linetext,
      },
    };
  });

  app.get('/phone/get', async (req, reply) => {
    const mac = String((req.query as Record<string, string>).mac ?? '')
      .replace(/[:-]/g, '')
      .toLowerCase();
    // The same two statements as kamprov: the users on the phone, and its device record.
    const [rows, device] = [await db.phoneUsers(mac), await db.device(mac)];
    if (rows.length === 0 && !device) return refuse(reply, 404, { response: 'failed', cause: 'nonexistant', detail: `no phone ${mac}` });
    const users = rows.map((r) => `${r.username}@${r.domain.toLowerCase()}`);
    return device ? { response: 'ok', mac, vendor: device.vendor, model: device.model ?? null, users } : { response: 'ok', mac, users };
  });

  app.get('/numbers/inpool', async (req, reply) => {
    const number = String((req.query as Record<string, string>).number ?? '').replace(/^ /, '+');
    if (!(await db.inpool(number.slice(1))))
      return refuse(reply, 404, { response: 'failed', cause: 'nonexistant', detail: `${number} is not in the pool` });
    return { response: 'ok', number };
  });

  app.listen({ port, host: '127.0.0.1' }).then(
    () => process.stdout.write('baseline listening\n'),
    (err: Error) => {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    },
  );
}

/**
 * The statements, with `?` placeholders (baseline-pg.ts numbers them). `ci` compares domains
 * ignoring case as kamprov's dialect does (MySQL's `_ci` collation: `=`; PostgreSQL: LOWER()).
 */
export const sqlFor = (ci: (left: string, right: string) => string) => ({
  keyHash: 'SELECT key_hash FROM kamprov_api_keys WHERE key_id = ? AND revoked_at IS NULL',
  user: `SELECT u.username, u.domain, u.type, u.displayname, u.email, u.password, u.registrar, u.r_port, u.proxy,
                u.p_port, u.authid, u.dialplan, u.linetext, s.password AS subscriber_password
           FROM kamprov_users u LEFT JOIN subscriber s ON s.username = u.username AND ${ci('s.domain', 'u.domain')}
          WHERE u.username = ? AND ${ci('u.domain', '?')} ORDER BY u.id`,
  phoneUsers: `SELECT u.username, u.domain FROM kamprov_phones p INNER JOIN kamprov_users u ON u.id = p.user_id
                WHERE p.mac = ? ORDER BY p.line, u.username, u.domain`,
  device: 'SELECT vendor, model FROM kamprov_phone_devices WHERE mac = ?',
  inpool: 'SELECT id FROM kamprov_numbers WHERE number = ? LIMIT 1',
});
