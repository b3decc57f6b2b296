import { errorDialects } from './dialects';

/*
 * Error checks for code that has no SqlDialect at hand (the global exception filter, the
 * API keys). They ask every dialect: an error is what the database that raised it says.
 * Services inject SqlDialect and ask it instead.
 */

/** A unique key was violated: someone else holds the row we tried to create. */
export function isUniqueViolation(err: unknown): boolean {
  return errorDialects.some((d) => d.isUniqueViolation(err));
}

/** A foreign key was violated: the parent row is gone (insert) or children remain (delete). */
export function isForeignKeyViolation(err: unknown): boolean {
  return errorDialects.some((d) => d.isForeignKeyViolation(err));
}

/**
 * The column that cannot hold a value of the failed statement (a character outside its
 * character set): its name, '' when unknown; undefined for other errors. Such an error's
 * message quotes the value's bytes: never log it.
 */
export function unrepresentableColumn(err: unknown): string | undefined {
  for (const d of errorDialects) {
    const column = d.unrepresentableColumn(err);
    if (column !== undefined) return column;
  }
  return undefined;
}

/** A statement or lock wait ran out of time (error/timeout). */
export function isTimeout(err: unknown): boolean {
  return errorDialects.some((d) => d.isTimeout(err));
}

/** Errors that mean the database could not do its job (unreachable, locked, timed out, failed). */
export function isDatabaseError(err: unknown): boolean {
  return errorDialects.some((d) => d.isDatabaseError(err));
}
