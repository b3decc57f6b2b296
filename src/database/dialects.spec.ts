import { DATABASE_URL_FORMS, DATABASE_URL_PATTERN, parseDatabaseUrl } from './dialects';
import { MysqlDialect } from './mysql-dialect';
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
    expect(DATABASE_URL_PATTERN.test('postgres://root@db/kamprov')).toBe(false);
    expect(DATABASE_URL_FORMS).toBe('sqlite:PATH or mysql://user:pass@host:port/database');
  });
});
