/** The escape character used in every LIKE we build (portable across MySQL and SQLite). */
export const LIKE_ESCAPE = '!';

/**
 * Glob to SQL LIKE: `*` -> `%`, `?` -> `_`, and LIKE's own `%`, `_` and the escape
 * character are literal. A glob without wildcards matches anywhere (`term` = `*term*`).
 * Use with `LIKE :pattern ESCAPE '!'`.
 */
export function globToLike(glob: string): string {
  const hasWildcard = /[*?]/.test(glob);
  let out = '';
  for (const ch of glob) {
    if (ch === '*') out += '%';
    else if (ch === '?') out += '_';
    else if (ch === '%' || ch === '_' || ch === LIKE_ESCAPE) out += LIKE_ESCAPE + ch;
    else out += ch;
  }
  return hasWildcard ? out : `%${out}%`;
}

/**
 * The literal text a glob's matches must start with ('' when it starts with a wildcard),
 * so a query can add an indexable `LIKE 'prefix%'` next to the exact pattern.
 */
export function literalPrefix(glob: string): string {
  if (!/[*?]/.test(glob)) return '';
  const m = /^[^*?]*/.exec(glob);
  return m ? m[0] : '';
}

/** Escapes a literal for use inside a LIKE pattern. */
export function escapeLike(literal: string): string {
  return literal.replace(/[%_!]/g, (c) => LIKE_ESCAPE + c);
}
