import { QueryFailedError } from 'typeorm';

/** Driver error codes, read from the error TypeORM wraps (mysql2 `code`, better-sqlite3 `code`). */
function driverCode(err: unknown): string | undefined {
  if (err instanceof QueryFailedError) {
    const d = err.driverError as { code?: unknown } | undefined;
    return typeof d?.code === 'string' ? d.code : undefined;
  }
  const c = (err as { code?: unknown } | null)?.code;
  return typeof c === 'string' ? c : undefined;
}

/** A unique key was violated: someone else holds the row we tried to create. */
export function isUniqueViolation(err: unknown): boolean {
  const code = driverCode(err);
  return code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** A foreign key was violated: the parent row is gone (insert) or children remain (delete). */
export function isForeignKeyViolation(err: unknown): boolean {
  const code = driverCode(err);
  return code === 'ER_NO_REFERENCED_ROW_2' || code === 'ER_ROW_IS_REFERENCED_2' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}

/** Errors that mean the database could not do its job (unreachable, locked, timed out, failed). */
export function isDatabaseError(err: unknown): boolean {
  if (err instanceof QueryFailedError) return true;
  const name = (err as { name?: unknown } | null)?.name;
  if (typeof name === 'string' && /TypeORM|QueryFailed|ConnectionIsNotSet|CannotConnect|SqliteError/.test(name)) return true;
  const code = driverCode(err);
  // mysql2's pool says these in words only (a closed pool during shutdown, a full queue).
  const message = (err as { message?: unknown } | null)?.message;
  if (!code && typeof message === 'string' && /^(Pool is closed|Queue limit reached|No connections available)\.$/.test(message)) {
    return true;
  }
  if (!code) return false;
  return (
    code.startsWith('SQLITE_') ||
    code.startsWith('ER_') ||
    code.startsWith('PROTOCOL_') ||
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'POOL_ACQUIRE_TIMEOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'POOL_CLOSED'].includes(code)
  );
}
