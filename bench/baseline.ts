/**
 * The MariaDB/MySQL baseline: bench/baseline-common.ts's bare Fastify server on mysql2, every
 * statement a prepared statement (`execute`: the binary protocol, parsed once per connection).
 * Run by bench/run.ts: `node baseline.js <mysql-url> <port>`.
 */
import { createPool, RowDataPacket } from 'mysql2/promise';
import { serveBaseline, sqlFor } from './baseline-common';

const [, , url, portArg] = process.argv;
const pool = createPool({ uri: url, connectionLimit: 10 });
const SQL = sqlFor((left, right) => `${left} = ${right}`);
const rows = async (sql: string, params: string[]) => (await pool.execute<RowDataPacket[]>(sql, params))[0];

serveBaseline(
  {
    keyHash: async (keyId) => (await rows(SQL.keyHash, [keyId]))[0]?.key_hash as string | undefined,
    user: async (username, domain) => (await rows(SQL.user, [username, domain]))[0],
    phoneUsers: async (mac) => (await rows(SQL.phoneUsers, [mac])) as { username: string; domain: string }[],
    device: async (mac) => (await rows(SQL.device, [mac]))[0] as { vendor: string; model: string | null } | undefined,
    inpool: async (digits) => (await rows(SQL.inpool, [digits])).length > 0,
  },
  Number(portArg),
);
