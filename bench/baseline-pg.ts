/**
 * The PostgreSQL baseline: bench/baseline-common.ts's bare Fastify server on pg, every
 * statement a named prepared statement (parsed and planned once per connection).
 * Run by bench/run.ts: `node baseline-pg.js <postgres-url> <port>`.
 */
import { Pool } from 'pg';
import { serveBaseline, sqlFor } from './baseline-common';

const [, , url, portArg] = process.argv;
const pool = new Pool({ connectionString: url, max: 10 });
type Row = Record<string, any>;
const SQL = sqlFor((left, right) => `LOWER(${left}) = LOWER(${right})`);
const numbered = (sql: string) => {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
};
const statement = (name: keyof typeof SQL) => {
  const text = numbered(SQL[name]);
  return async (values: unknown[]) => (await pool.query<Row>({ name: `baseline_${name}`, text, values })).rows;
};
const keyHash = statement('keyHash');
const user = statement('user');
const phoneUsers = statement('phoneUsers');
const device = statement('device');
const inpool = statement('inpool');

serveBaseline(
  {
    keyHash: async (keyId) => (await keyHash([keyId]))[0]?.key_hash as string | undefined,
    user: async (username, domain) => (await user([username, domain]))[0],
    phoneUsers: async (mac) => (await phoneUsers([mac])) as { username: string; domain: string }[],
    device: async (mac) => (await device([mac]))[0] as { vendor: string; model: string | null } | undefined,
    inpool: async (digits) => (await inpool([digits])).length > 0,
  },
  Number(portArg),
);
