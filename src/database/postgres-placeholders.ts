/**
 * kamprov's raw SQL is written with `?` placeholders (what mysql2 and better-sqlite3
 * take); PostgreSQL takes `$1, $2, ...`. The PostgreSQL driver (postgres-dialect.ts)
 * rewrites each statement that has parameters and no `$n` placeholder of its own, so the
 * services' raw SQL runs unchanged on all three databases. A `?` inside a string literal,
 * a quoted identifier, a dollar-quoted string or a comment is left alone.
 */
export function toNumberedPlaceholders(sql: string): string {
  if (!sql.includes('?') || /\$[0-9]/.test(sql)) return sql;
  let out = '';
  let n = 0;
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i];
    const next = sql[i + 1];
    if (ch === "'" || ch === '"') {
      // A quoted literal or identifier; a doubled quote inside is an escaped quote.
      let j = i + 1;
      for (;;) {
        if (j >= sql.length) break;
        if (sql[j] === ch) {
          if (sql[j + 1] === ch) j += 2;
          else break;
        } else if (ch === "'" && sql[j] === '\\' && /[eE]$/.test(sql.slice(0, i))) j += 2;
        else j++;
      }
      out += sql.slice(i, j + 1);
      i = j + 1;
    } else if (ch === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      const j = end < 0 ? sql.length : end;
      out += sql.slice(i, j);
      i = j;
    } else if (ch === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      const j = end < 0 ? sql.length : end + 2;
      out += sql.slice(i, j);
      i = j;
    } else if (ch === '$' && /^\$[A-Za-z_]?\w*\$/.test(sql.slice(i))) {
      const tag = /^\$[A-Za-z_]?\w*\$/.exec(sql.slice(i))![0];
      const end = sql.indexOf(tag, i + tag.length);
      const j = end < 0 ? sql.length : end + tag.length;
      out += sql.slice(i, j);
      i = j;
    } else if (ch === '?') {
      out += `$${++n}`;
      i++;
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}
