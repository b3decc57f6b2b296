import { Brackets, type ObjectLiteral, type SelectQueryBuilder } from 'typeorm';

/** Rows per query of a streamed list: what a list holds in memory at most, per request. */
export const LIST_CHUNK_ROWS = 5000;

/** One column of a keyset: its SQL expression and the alias it is selected as. */
export interface KeysetColumn {
  expr: string;
  alias: string;
}

/**
 * The rows of `query`, in the order of `keys` (which must identify a row: a unique key, or
 * the DISTINCT columns), `chunk` rows per query: keyset pagination, `WHERE (keys) > (last
 * row's keys) ORDER BY keys LIMIT chunk`. Portable to every database, no connection or
 * statement held between chunks (so no statement timeout however long the list), and at
 * most one chunk in memory. Not a snapshot: rows written meanwhile may or may not appear.
 * `query` must select every key column under its alias and have no ORDER BY or LIMIT.
 */
export async function* keysetChunks<R extends Record<string, unknown>, E extends ObjectLiteral = ObjectLiteral>(
  query: SelectQueryBuilder<E>,
  keys: KeysetColumn[],
  limit?: number,
  chunk = LIST_CHUNK_ROWS,
): AsyncGenerator<R[]> {
  let last: R | undefined;
  let left = limit ?? Infinity;
  while (left > 0) {
    const size = Math.min(chunk, left);
    const qb = query.clone();
    keys.forEach((k, i) => (i === 0 ? qb.orderBy(k.expr) : qb.addOrderBy(k.expr)));
    if (last) {
      const after = last;
      qb.andWhere(
        new Brackets((w) => {
          keys.forEach((_, i) => {
            w.orWhere(
              new Brackets((c) => {
                for (let j = 0; j < i; j++) c.andWhere(`${keys[j].expr} = :ks${j}`);
                c.andWhere(`${keys[i].expr} > :ks${i}`);
              }),
            );
          });
        }),
        Object.fromEntries(keys.map((k, i) => [`ks${i}`, after[k.alias]])),
      );
    }
    qb.limit(size);
    const rows = await qb.getRawMany<R>();
    if (rows.length > 0) yield rows;
    if (rows.length < size) return;
    left -= rows.length;
    last = rows[rows.length - 1];
  }
}
