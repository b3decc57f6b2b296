import { QueryFailedError } from 'typeorm';
import { isDatabaseError, isTimeout } from './db-errors';
import { DATABASE_URL_FORMS, DATABASE_URL_PATTERN, parseDatabaseUrl } from './dialects';
import { MysqlDialect } from './mysql-dialect';
import { PostgresDialect } from './postgres-dialect';
import { toNumberedPlaceholders } from './postgres-placeholders';
import { SqliteDialect } from './sqlite-dialect';

describe('parseDatabaseUrl', () => {
  it('reads SQLite paths, relative and absolute', () => {
    expect(parseDatabaseUrl('sqlite:./data/x.sqlite')).toMatchObject({ type: 'sqlite', path: './data/x.sqlite' });
    expect(parseDatabaseUrl('sqlite:///var/lib/kamprov/x.sqlite')).toMatchObject({ type: 'sqlite', path: '/var/lib/kamprov/x.sqlite' });
  });

  it('reads MySQL URLs with encoded credentials', () => {
    expect(parseDatabaseUrl('mysql://kam%40p:s%3Acret@db.example.com:3307/kamailio', 5)).toEqual({
      type: 'mysql',
      host: 'db.example.com',
      port: 3307,
      username: 'kam@p',
      password: 's:cret',
      database: 'kamailio',
      poolSize: 5,
      migrationsRun: true,
    });
    expect(parseDatabaseUrl('mysql://root@127.0.0.1/kamprov')).toMatchObject({ port: 3306, password: '' });
  });
});

describe('dialect error classification without a database', () => {
  const sqlite = new SqliteDialect();
  const mysql = new MysqlDialect();
  const err = (code: string, message = code) => Object.assign(new Error(message), { code });

  it('tells unique, foreign-key and transient failures apart, each in its own codes', () => {
    expect(mysql.classify(err('ER_DUP_ENTRY', "Duplicate entry 'a' for key 'x_uq'"))).toEqual({ kind: 'unique', key: 'x_uq' });
    expect(mysql.uniqueKey(err('ER_DUP_ENTRY', "Duplicate entry 'a' for key 't.x_uq'"))).toBe('x_uq');
    expect(mysql.isForeignKeyViolation(err('ER_ROW_IS_REFERENCED_2'))).toBe(true);
    expect(mysql.isTransient(err('ER_LOCK_DEADLOCK'))).toBe(true);
    expect(mysql.isTransient(err('ER_LOCK_WAIT_TIMEOUT'))).toBe(true);
    expect(mysql.classify(err('SQLITE_BUSY'))).toBeUndefined();
    expect(sqlite.isUniqueViolation(err('SQLITE_CONSTRAINT_UNIQUE'))).toBe(true);
    expect(sqlite.uniqueKey(err('SQLITE_CONSTRAINT_PRIMARYKEY'))).toBe('PRIMARY');
    expect(sqlite.isForeignKeyViolation(err('SQLITE_CONSTRAINT_FOREIGNKEY'))).toBe(true);
    expect(sqlite.isTransient(err('SQLITE_BUSY'))).toBe(true);
    expect(sqlite.classify(err('ER_DUP_ENTRY'))).toBeUndefined();
  });

  it('tells a timeout (statement timeout, lock wait that ran out) from a database that failed', () => {
    expect(mysql.classify(err('PROTOCOL_SEQUENCE_TIMEOUT'))).toEqual({ kind: 'timeout' });
    expect(mysql.classify(err('ER_STATEMENT_TIMEOUT'))).toEqual({ kind: 'timeout' });
    expect(mysql.isTimeout(err('ER_LOCK_WAIT_TIMEOUT'))).toBe(true);
    expect(mysql.isTimeout(err('ER_LOCK_DEADLOCK'))).toBe(false);
    expect(mysql.isTimeout(err('ECONNREFUSED'))).toBe(false);
    expect(mysql.isTimeout(err('PROTOCOL_SEQUENCE_TIMEOUT'))).toBe(true);
    expect(mysql.isTransient(err('PROTOCOL_SEQUENCE_TIMEOUT'))).toBe(false);
    expect(sqlite.isTimeout(err('SQLITE_BUSY'))).toBe(true);
    expect(sqlite.isTimeout(err('SQLITE_IOERR'))).toBe(false);
  });

  it('classifies what a Galera node answers: certification failure retried, a node outside the primary component unavailable', () => {
    // As TypeORM throws them: a QueryFailedError around mysql2's error.
    const failed = (sql: string, code: string, errno: number, message: string) =>
      new QueryFailedError(sql, [], Object.assign(new Error(message), { code, errno, sqlState: '40001', sqlMessage: message }));
    const certification = failed('COMMIT', 'ER_LOCK_DEADLOCK', 1213, 'Deadlock found when trying to get lock; try restarting transaction');
    expect(mysql.classify(certification)).toEqual({ kind: 'transient' });
    expect(mysql.isTimeout(certification)).toBe(false);
    const notPrimary = failed('SELECT 1', 'ER_UNKNOWN_COM_ERROR', 1047, 'WSREP has not yet prepared node for application use');
    expect(mysql.classify(notPrimary)).toEqual({ kind: 'other' });
    expect([mysql.isTransient(notPrimary), mysql.isTimeout(notPrimary), mysql.isDatabaseError(notPrimary)]).toEqual([false, false, true]);
    // The global filter's view (no dialect at hand): a database that failed, dbfail.
    expect([isDatabaseError(notPrimary), isTimeout(notPrimary)]).toEqual([true, false]);
  });

  it('recognises database errors and nothing else', () => {
    expect(mysql.isDatabaseError(err('ECONNREFUSED'))).toBe(true);
    expect(mysql.isDatabaseError(new Error('Pool is closed.'))).toBe(true);
    expect(sqlite.isDatabaseError(err('SQLITE_IOERR'))).toBe(true);
    for (const d of [sqlite, mysql]) {
      expect(d.isDatabaseError(new Error('boom'))).toBe(false);
      expect(d.isDatabaseError(err('ENOENT'))).toBe(false);
    }
  });
});

describe('DATABASE_URL validation by the dialects', () => {
  it('accepts each dialect form and names them all when refusing', () => {
    expect(DATABASE_URL_PATTERN.test('sqlite:./data/x.sqlite')).toBe(true);
    expect(DATABASE_URL_PATTERN.test('mysql://root@127.0.0.1:3306/kamprov')).toBe(true);
    expect(DATABASE_URL_PATTERN.test('mariadb://root@db/kamprov?ssl=true')).toBe(true);
    expect(DATABASE_URL_PATTERN.test('mysql://root@127.0.0.1:3306/')).toBe(false);
    expect(DATABASE_URL_PATTERN.test('postgres://root@db/kamprov')).toBe(true);
    expect(DATABASE_URL_PATTERN.test('postgresql://root@db:5433/kamprov?schema=kam')).toBe(true);
    expect(DATABASE_URL_PATTERN.test('postgres://root@db/')).toBe(false);
    expect(DATABASE_URL_PATTERN.test('mssql://root@db/kamprov')).toBe(false);
    expect(DATABASE_URL_FORMS).toBe('sqlite:PATH or mysql://user:pass@host:port/database or postgres://user:pass@host:port/database');
  });
});

describe('PostgreSQL', () => {
  const pg = new PostgresDialect();
  const pgErr = (code: string, extra: Record<string, unknown> = {}) =>
    Object.assign(new Error(code), { code, severity: 'ERROR', ...extra });

  it('reads postgres:// and postgresql:// URLs with encoded credentials and an optional schema', () => {
    expect(parseDatabaseUrl('postgres://kam%40p:s%3Acret@db.example.com:5433/kamailio?schema=kam', 7)).toEqual({
      type: 'postgres',
      host: 'db.example.com',
      port: 5433,
      username: 'kam@p',
      password: 's:cret',
      database: 'kamailio',
      schema: 'kam',
      poolSize: 7,
      migrationsRun: true,
    });
    expect(parseDatabaseUrl('postgresql://postgres@127.0.0.1/kamprov')).toMatchObject({ type: 'postgres', port: 5432, password: '' });
  });

  it('classifies SQLSTATE codes: 23505 with its constraint, 23503, 40P01/40001/55P03 transient, 57014 timeout, the rest other', () => {
    expect(pg.classify(pgErr('23505', { constraint: 'kamprov_numbers_number_uq' }))).toEqual({
      kind: 'unique',
      key: 'kamprov_numbers_number_uq',
    });
    expect(pg.uniqueKey(pgErr('23505', { constraint: 'subscriber_pkey' }))).toBe('PRIMARY');
    expect(pg.uniqueKey(pgErr('23505', { constraint: 'PK_0123abcd' }))).toBe('PRIMARY');
    expect(pg.isForeignKeyViolation(pgErr('23503'))).toBe(true);
    for (const code of ['40P01', '40001', '55P03']) expect(pg.isTransient(pgErr(code))).toBe(true);
    expect(pg.classify(pgErr('57014'))).toEqual({ kind: 'timeout' });
    expect(pg.classify(pgErr('55P03'))).toEqual({ kind: 'transient', lockWait: true });
    expect(pg.classify(pgErr('42P01'))).toEqual({ kind: 'other' });
    // Words only (pg, pg-pool), and network errors.
    expect(pg.isDatabaseError(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(pg.isDatabaseError(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(pg.isDatabaseError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBe(true);
    // Not its errors.
    expect(pg.classify(Object.assign(new Error('x'), { code: 'ER_DUP_ENTRY' }))).toBeUndefined();
    expect(pg.classify(Object.assign(new Error('x'), { code: 'SQLITE_BUSY' }))).toBeUndefined();
    expect(pg.classify(Object.assign(new Error('x'), { code: '23505' }))).toBeUndefined(); // no severity: not a server error
    expect(new MysqlDialect().classify(pgErr('23505'))).toBeUndefined();
    expect(new SqliteDialect().classify(pgErr('23505'))).toBeUndefined();
  });

  it('speaks PostgreSQL: || concat, ON CONFLICT DO NOTHING, FOR SHARE / FOR UPDATE [OF]', () => {
    expect(pg.concat("'+'", 'n.number')).toBe("CAST('+' AS TEXT) || CAST(n.number AS TEXT)");
    expect(pg.insertIgnore('t', ['a', 'b'], '(1,2),(3,4)')).toBe('INSERT INTO t (a, b) VALUES (1,2),(3,4) ON CONFLICT DO NOTHING');
    expect(pg.lockClause(undefined)).toBe('');
    expect(pg.lockClause('share')).toBe(' FOR SHARE');
    expect(pg.lockClause('update', 'u')).toBe(' FOR UPDATE OF u');
    expect(pg.serialisesTransactions).toBe(false);
  });

  it('rewrites ? placeholders to $n, outside literals, quoted names and comments only', () => {
    expect(toNumberedPlaceholders('SELECT id FROM t WHERE a = ? AND b = ?')).toBe('SELECT id FROM t WHERE a = $1 AND b = $2');
    expect(toNumberedPlaceholders('SELECT \'?\' AS q, "?" FROM t WHERE a = ? -- ?\n AND b = ? /* ? */')).toBe(
      'SELECT \'?\' AS q, "?" FROM t WHERE a = $1 -- ?\n AND b = $2 /* ? */',
    );
    expect(toNumberedPlaceholders("SELECT 'it''s ?' WHERE x = ?")).toBe("SELECT 'it''s ?' WHERE x = $1");
    expect(toNumberedPlaceholders('SELECT $tag$ ? $tag$ WHERE x = ?')).toBe('SELECT $tag$ ? $tag$ WHERE x = $1');
    // Already numbered (TypeORM's query builder): left alone.
    expect(toNumberedPlaceholders('SELECT * FROM t WHERE a = $1')).toBe('SELECT * FROM t WHERE a = $1');
  });
});
