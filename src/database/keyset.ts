import { Brackets, type ObjectLiteral, type SelectQueryBuilder } from 'typeorm';

/** Rows per query of a streamed list: what a list holds in memory at most, per request. */
export const LIST_CHUNK_ROWS = 1000;

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
  // Both statements are built once per list (a clone per chunk cost more CPU than the read).
  const first = query.clone();
  keys.forEach((k, i) => (i === 0 ? first.orderBy(k.expr) : first.addOrderBy(k.expr)));
  const next = first.clone().andWhere(
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
  );
  // The previous chunk's keys only, not its row: the chunk itself is the consumer's once
  // yielded, and nothing here holds it while the next one is read.
  let after: unknown[] | undefined;
  let left = limit ?? Infinity;
  while (left > 0) {
    const size = Math.min(chunk, left);
    let qb = first;
    if (after) {
      const values = after;
      qb = next.setParameters(Object.fromEntries(keys.map((_, i) => [`ks${i}`, values[i]])));
    }
    qb.limit(size);
    let rows: R[] | undefined = await listReads.run(!after, () => qb.getRawMany<R>());
    const got = rows.length;
    if (got > 0) {
      const lastRow = rows[got - 1];
      after = keys.map((k) => lastRow[k.alias]);
      yield rows;
    }
    rows = undefined;
    if (got < size) return;
    left -= got;
  }
}

/**
 * The process's list chunk reads: at most `max` at once, however many lists stream; the
 * first chunk of a list goes before the later chunks of lists already streaming. Twenty
 * whole-pool lists then hold at most `max` pooled connections (the rest of the pool stays
 * for other requests), and a new list's first byte waits for the reads in flight only,
 * not for a turn behind every chunk of every other list. After FIRSTS_IN_A_ROW first chunks
 * in a row a waiting later chunk gets the slot, so no stream starves.
 */
const FIRSTS_IN_A_ROW = 4;

export class ReadGate {
  private busy = 0;
  private readonly firsts: (() => void)[] = [];
  private readonly laters: (() => void)[] = [];
  private firstsInARow = 0;

  constructor(readonly max: number) {}

  async run<T>(firstChunk: boolean, read: () => Promise<T>): Promise<T> {
    if (this.busy < this.max) this.busy++;
    else await new Promise<void>((resolve) => (firstChunk ? this.firsts : this.laters).push(resolve));
    try {
      return await read();
    } finally {
      // The slot passes straight to the next waiter, first chunks first, but never more than
      // FIRSTS_IN_A_ROW of them while a later chunk waits: lists opened in a steady stream
      // must not stall the lists already streaming.
      let waiter: (() => void) | undefined;
      if (this.laters.length > 0 && (this.firsts.length === 0 || this.firstsInARow >= FIRSTS_IN_A_ROW)) {
        waiter = this.laters.shift();
        this.firstsInARow = 0;
      } else {
        waiter = this.firsts.shift();
        if (waiter) this.firstsInARow++;
      }
      if (waiter) waiter();
      else this.busy--;
    }
  }

  /** Reads waiting for a slot (for tests). */
  get waiting(): number {
    return this.firsts.length + this.laters.length;
  }
}

/** Chunk reads at once in this process, for every streamed list together. */
export const LIST_READS_AT_ONCE = 2;
export const listReads = new ReadGate(LIST_READS_AT_ONCE);

/**
 * `chunks` with `f` applied to each row, each source chunk emptied once mapped: a list
 * then holds its rows or their mapped items, never both while the next chunk is read.
 * (keysetChunks has taken the keys it needs from a chunk before yielding it.)
 */
export async function* mapChunks<R, T>(chunks: AsyncIterable<R[]>, f: (row: R) => T): AsyncGenerator<T[]> {
  for await (const rows of chunks) {
    const items = rows.map(f);
    rows.length = 0;
    yield items;
  }
}
