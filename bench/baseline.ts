/**
 * The baseline: a bare Fastify + mysql2 server answering user/get, phone/get?mac= and
 * numbers/inpool with the same SQL, the same key check (one indexed lookup and a
 * constant-time hash compare) and the same JSON as kamprov, and no framework. Our stand-in
 * for the fastest this stack can go. Run by bench/run.ts: `node baseline.js <mysql-url> <port>`.
 */
import Fastify from 'fastify';
import { createPool, RowDataPacket } from 'mysql2/promise';
import { createHash, timingSafeEqual } from 'node:crypto';

const [, , url, portArg] = process.argv;
const pool = createPool({ uri: url, connectionLimit: 10 });
const app = Fastify({ logger: false });
const sha256 = (s: string) => createHash('sha256').update(s).digest();

async function authorized(key: unknown): Promise<boolean> {
  if (typeof key !== 'string') return false;
  const m = /^kp_([0-9a-f]{12})_[A-Za-z0-9_-]{32}$/.exec(key);
  if (!m) return false;
  const [rows] = await pool.query<RowDataPacket[]>(
    'SELECT key_hash FROM kamprov_api_keys WHERE key_id = ? AND revoked_at IS NULL LIMIT 1',
    [m[1]],
  );
  return rows.length === 1 && timingSafeEqual(sha256(key), Buffer.from(rows[0].key_hash as string, 'hex'));
}

app.addHook('onRequest', async (req, reply) => {
  if (!(await authorized(req.headers['x-api-key']))) {
    await reply.code(401).send({ response: 'failed', cause: 'unauthenticated', detail: 'no key' });
  }
});

app.get('/user/get', async (req, reply) => {
  const user = String((req.query as Record<string, string>).user ?? '');
  const at = user.indexOf('@');
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT u.username, u.domain, u.type, u.displayname, u.email, u.password, u.registrar, u.r_port, u.proxy,
            u.p_port, u.authid, u.dialplan, u.linetext, s.password AS subscriber_password
       FROM kamprov_users u LEFT JOIN subscriber s ON s.username = u.username AND s.domain = u.domain
      WHERE u.username = ? AND u.domain = ? LIMIT 1`,
    [user.slice(0, at), user.slice(at + 1).toLowerCase()],
  );
  const u = rows[0];
  if (!u) return reply.code(404).send({ response: 'failed', cause: 'nonexistant', detail: `no user ${user}` });
  return {
    response: 'ok',
    user: {
      user: `${u.username}@${u.domain}`,
      username: u.username,
      domain: u.domain,
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
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT u.username, u.domain FROM kamprov_phones p INNER JOIN kamprov_users u ON u.id = p.user_id
      WHERE p.mac = ? ORDER BY u.username, u.domain`,
    [mac],
  );
  if (rows.length === 0) return reply.code(404).send({ response: 'failed', cause: 'nonexistant', detail: `no phone ${mac}` });
  return { response: 'ok', mac, users: rows.map((r) => `${r.username}@${r.domain}`) };
});

app.get('/numbers/inpool', async (req, reply) => {
  const number = String((req.query as Record<string, string>).number ?? '').replace(/^ /, '+');
  const [rows] = await pool.query<RowDataPacket[]>('SELECT id FROM kamprov_numbers WHERE number = ? LIMIT 1', [number.slice(1)]);
  if (rows.length === 0) return reply.code(404).send({ response: 'failed', cause: 'nonexistant', detail: `${number} is not in the pool` });
  return { response: 'ok', number };
});

app.listen({ port: Number(portArg), host: '127.0.0.1' }).then(
  () => process.stdout.write('baseline listening\n'),
  (err: Error) => {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  },
);
