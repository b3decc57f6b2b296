import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { AsYouType } from 'libphonenumber-js';
import { randomInt } from 'node:crypto';
import { Brackets, DataSource, type QueryRunner, SelectQueryBuilder } from 'typeorm';
import type { WriteAudit } from '../audit/write-audit';
import { globToLike, LIKE_ESCAPE } from '../common/glob';
import type { AllConfig } from '../config/config.types';
import { SqlDialect, type SeriesInsert } from '../database/sql-dialect';
import { keysetChunks, LIST_CHUNK_ROWS, mapChunks } from '../database/keyset';
import { Transactor } from '../database/transactor';
import { NumberEntity } from './entities/number.entity';
import { NumbersError, NumbersErrorCode } from './numbers.errors';

/** What numbers/add_range answers. */
export interface RangeResult {
  added: number;
  skipped: number;
  start: string;
  end: string;
}

/** Numbers per multi-row INSERT in add_range (about 750 kB of SQL; 3.7-4.3 s for a million on MariaDB, 5.2-5.5 s in 10,000s). */
export const INSERT_BATCH = 50_000;
/** Numbers per generated INSERT (SqlDialect.insertSeries): about 0.3 s of work each, well inside the statement timeout. */
export const SERIES_BATCH = 100_000;
/** Rounds of random id draws before numbers/list?random=true falls back to a scan. */
const RANDOM_ROUNDS = 6;
/** Most ids looked up in one round. */
const RANDOM_MAX_DRAW = 20_000;
/**
 * A round of at most this many ids is looked up by a prepared statement (SqlDialect.hotRead),
 * its id list padded to a power of two from 8: four statement texts in all, whatever the draw.
 */
const RANDOM_PREPARED_MAX = 64;
const E164_MAX_DIGITS = 15;

/**
 * The number pool. Numbers come in and go out as E.164 text (`+4761123456`, validated
 * by IsE164); the table holds their digits as a BIGINT (see NumberEntity).
 */
@Injectable()
export class NumbersService {
  private readonly maxRange: number;
  /** lookUp's statement for each padded size (8, 16, 32, 64 ids), built once. */
  private readonly lookupSql = new Map<number, string>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly dialect: SqlDialect,
    private readonly transactor: Transactor,
    config: ConfigService<AllConfig, true>,
  ) {
    this.maxRange = config.get('app', { infer: true }).numbersMaxRange;
  }

  /** The pool (or the numbers matching the glob) in numeric order, read as one column of raw rows. */
  async list(search?: string, limit?: number): Promise<string[]> {
    const all: string[] = [];
    for await (const chunk of this.listChunks(search, limit)) all.push(...chunk);
    return all;
  }

  /**
   * The pool (or a search of it) in numeric order, `chunk` numbers at a time (keyset
   * pagination on the unique number index): numbers/list streams these, so a
   * million-number pool is never held in memory nor read by one long statement.
   */
  async *listChunks(search?: string, limit?: number, chunk = LIST_CHUNK_ROWS): AsyncGenerator<string[]> {
    const qb = this.matching(search);
    if (!qb) return;
    qb.select(this.e164(), 'e164').addSelect('n.number', 'number');
    yield* mapChunks(keysetChunks<{ e164: string }>(qb, [{ expr: 'n.number', alias: 'number' }], limit, chunk), (r) => r.e164);
  }

  /**
   * `limit` numbers drawn uniformly at random without repeats, in random order.
   *
   * Without a search the cost does not grow with the pool: every row has a distinct
   * integer `id` between MIN(id) and MAX(id) (both read off the primary key). We draw
   * ids from that span uniformly *without replacement*, i.e. we walk a prefix of a
   * uniformly random permutation of the span, and look the drawn ids up by primary key;
   * ids of removed rows (holes) are skipped. The rows met along a uniformly random
   * permutation of the span come in a uniformly random order of the rows themselves
   * (every row has exactly one id, and holes are skipped whatever the order), so the
   * first `limit` rows met, kept in draw order, are a uniform sample without repeats in
   * random order. Each round draws as many ids as the hit rate seen so far says are
   * needed; after RANDOM_ROUNDS rounds (only when the span is mostly holes) or when the
   * pool is small next to `limit`, the pick is made afresh from a scan of the pool,
   * which is uniform too. With a search, the matches are read chunk by chunk and sampled
   * (time O(matches), memory O(limit)).
   */
  async random(limit: number, search?: string): Promise<string[]> {
    if (search !== undefined) {
      return reservoir(this.listChunks(search), limit);
    }
    // Prepared (hotRead): a random pick is a read node, as cheap as the others.
    const [bounds] = await this.dialect.hotRead<{ lo: number | string | null; hi: number | string | null }>(
      'SELECT MIN(id) AS lo, MAX(id) AS hi FROM kamprov_numbers',
      [],
    );
    if (bounds?.lo === null || bounds?.lo === undefined || bounds.hi === null) return [];
    const lo = Number(bounds.lo);
    const hi = Number(bounds.hi);
    const span = hi - lo + 1;
    // Drawing at most half the span keeps each distinct draw below two tries on average.
    const maxDrawn = Math.floor(span / 2);
    if (limit > maxDrawn) return this.randomByScan(limit);

    const drawn = new Set<number>();
    const picked: string[] = [];
    let hits = 0;
    for (let round = 0; round < RANDOM_ROUNDS; round++) {
      const need = limit - picked.length;
      const hitRate = (hits + 1) / (drawn.size + 1);
      const want = Math.min(RANDOM_MAX_DRAW, Math.ceil((need / hitRate) * 1.25) + 8, maxDrawn - drawn.size);
      if (want <= 0) break;
      const ids: number[] = [];
      while (ids.length < want) {
        const id = randomInt(lo, hi + 1);
        if (!drawn.has(id)) {
          drawn.add(id);
          ids.push(id);
        }
      }
      const rows = await this.lookUp(ids);
      const found = new Map(rows.map((r) => [Number(r.id), r.e164]));
      for (const id of ids) {
        const e164 = found.get(id);
        if (e164 === undefined) continue;
        hits++;
        picked.push(e164);
        if (picked.length === limit) return picked;
      }
    }
    return this.randomByScan(limit);
  }

  /** The numbers of those `ids` that are rows (random's rounds). */
  private lookUp(ids: number[]): Promise<{ id: number | string; e164: string }[]> {
    if (ids.length > RANDOM_PREPARED_MAX) {
      return this.dataSource
        .createQueryBuilder(NumberEntity, 'n')
        .select('n.id', 'id')
        .addSelect(this.e164(), 'e164')
        .where('n.id IN (:...ids)', { ids })
        .getRawMany<{ id: number | string; e164: string }>();
    }
    let slots = 8;
    while (slots < ids.length) slots *= 2;
    // The padding repeats an id already asked for: IN lists it once.
    const padded = ids.concat(Array<number>(slots - ids.length).fill(ids[0]));
    let sql = this.lookupSql.get(slots);
    if (!sql) {
      sql = `SELECT n.id AS id, ${this.e164()} AS e164 FROM kamprov_numbers n WHERE n.id IN (${padded.map(() => '?').join(', ')})`;
      this.lookupSql.set(slots, sql);
    }
    return this.dialect.hotRead<{ id: number | string; e164: string }>(sql, padded);
  }

  /** The insert and its audit record, in one transaction. */
  async add(e164: string, audit?: WriteAudit): Promise<string> {
    try {
      await this.transactor.run(async (em) => {
        await em
          .createQueryBuilder()
          .insert()
          .into(NumberEntity)
          .values({ number: digitsOf(e164) })
          .updateEntity(false)
          .execute();
        await audit?.recordOk(em);
      }, audit);
    } catch (err) {
      if (this.dialect.isUniqueViolation(err)) throw new NumbersError(NumbersErrorCode.AlreadyExists, `${e164} is already in the pool`);
      throw err;
    }
    return e164;
  }

  /**
   * Adds every number from start to end (both included) in one transaction: where the
   * database generates the numbers itself (PostgreSQL's generate_series), in INSERTs of
   * SERIES_BATCH numbers that leave out those the pool holds; elsewhere in
   * multi-row INSERTs of INSERT_BATCH numbers. Each batch is a contiguous stretch of
   * numbers, so the ones already in the pool are found with one range read of the
   * unique index and left out; the dialect's insert-ignore covers numbers another
   * writer adds meanwhile. Leaving present numbers out keeps MariaDB from spending
   * auto-increment ids on them, which keeps `id` dense for random picks.
   */
  async addRange(start: string, end: string, audit?: WriteAudit): Promise<RangeResult> {
    const first = Number(digitsOf(start));
    const last = Number(digitsOf(end));
    this.checkRange(start, end, first, last);
    const added = await this.transactor.run(async (em) => {
      const runner = em.queryRunner;
      if (!runner) throw new Error('add_range must run in a transaction');
      let inserted = 0;
      const generated = this.dialect.insertSeries('kamprov_numbers', 'number', first, first) !== undefined;
      const batch = generated ? SERIES_BATCH : INSERT_BATCH;
      for (let lo = first; lo <= last; lo += batch) {
        const hi = Math.min(lo + batch - 1, last);
        const series = this.dialect.insertSeries('kamprov_numbers', 'number', lo, hi);
        if (series) {
          inserted += await insertSeriesBatch(runner, series, this.dialect);
          continue;
        }
        // The bounds are integers computed here, never client text.
        const present = (await runner.query(`SELECT number FROM kamprov_numbers WHERE number BETWEEN ${lo} AND ${hi}`)) as {
          number: number | string;
        }[];
        const have = new Set(present.map((r) => Number(r.number)));
        const values: string[] = [];
        for (let n = lo; n <= hi; n++) if (!have.has(n)) values.push(`(${n})`);
        if (values.length === 0) continue;
        const result = await runner.query(this.dialect.insertIgnore('kamprov_numbers', ['number'], values.join(',')), [], true);
        inserted += result.affected ?? 0;
      }
      await audit?.recordOk(em);
      return inserted;
    }, audit);
    return { added, skipped: last - first + 1 - added, start, end };
  }

  /**
   * Pulls a number: one DELETE, so under concurrency exactly one caller sees it go; its
   * audit record in the same transaction (none written when no row went).
   */
  async remove(e164: string, audit?: WriteAudit): Promise<string> {
    await this.transactor.run(async (em) => {
      const result = await em
        .createQueryBuilder()
        .delete()
        .from(NumberEntity)
        .where('number = :number', { number: Number(digitsOf(e164)) })
        .execute();
      if (!result.affected) throw notInPool(e164);
      await audit?.recordOk(em);
    }, audit);
    return e164;
  }

  async inpool(e164: string): Promise<string> {
    // Plain SQL on the unique index: inpool is a hot read.
    const [row] = await this.dialect.hotRead<{ id: number }>('SELECT id FROM kamprov_numbers WHERE number = ? LIMIT 1', [digitsOf(e164)]);
    if (!row) throw notInPool(e164);
    return e164;
  }

  /**
   * A range is a stretch of one numbering plan: start and end share the country calling code
   * and have as many digits as each other, so every number between them shares the code too.
   */
  private checkRange(start: string, end: string, first: number, last: number): void {
    const startCode = callingCode(start);
    const endCode = callingCode(end);
    if (startCode === undefined) throw invalidRange(`start ${start} begins with no assigned country calling code`);
    if (endCode === undefined) throw invalidRange(`end ${end} begins with no assigned country calling code`);
    if (startCode !== endCode) {
      throw invalidRange(`start and end must share a country calling code: ${start} is +${startCode}, ${end} is +${endCode}`);
    }
    // Of one length, start and end bound every number between them to their lead-in (the
    // calling code's digits); of two lengths, +4799..+47100 would span +48..., +1... too.
    if (digitsOf(start).length !== digitsOf(end).length) {
      throw invalidRange(`start ${start} and end ${end} must have the same number of digits`);
    }
    if (first >= last) throw invalidRange(`start ${start} must be less than end ${end}`);
    const count = last - first + 1;
    if (count > this.maxRange) {
      throw invalidRange(`the range holds ${count} numbers; at most ${this.maxRange} (NUMBERS_MAX_RANGE) at a time`);
    }
  }

  /** A fresh uniform pick from a scan of the whole pool; for small pools and sparse ids. */
  private randomByScan(limit: number): Promise<string[]> {
    return reservoir(this.listChunks(), limit);
  }

  /** The E.164 text of `n.number`, built by the database. */
  private e164(): string {
    return this.dialect.concat("'+'", 'n.number');
  }

  /**
   * The pool filtered by a number glob (undefined when nothing can match). The glob is
   * matched against the E.164 text; with wildcards its leading '+' may be left out. A
   * glob anchored at the start (`+4761*`) also becomes ranges of the BIGINT index —
   * numbers starting with the digits 4761 are 4761, 47610..47619, 476100..476199, ...,
   * one range per length up to 15 digits — so it reads only the matching stretches.
   */
  private matching(search?: string): SelectQueryBuilder<NumberEntity> | undefined {
    const qb = this.dataSource.createQueryBuilder(NumberEntity, 'n');
    if (search === undefined) return qb;
    const glob = /[*?]/.test(search) && /^[0-9]/.test(search) ? `+${search}` : search;
    qb.where(`${this.e164()} LIKE :pattern ESCAPE '${LIKE_ESCAPE}'`, { pattern: globToLike(glob) });
    const lead = /^\+([0-9]+)/.exec(glob)?.[1];
    if (lead !== undefined) {
      const ranges = prefixRanges(lead);
      if (ranges.length === 0) return undefined;
      qb.andWhere(
        new Brackets((w) => {
          ranges.forEach(([lo, hi], i) => w.orWhere(`n.number BETWEEN :lo${i} AND :hi${i}`, { [`lo${i}`]: lo, [`hi${i}`]: hi }));
        }),
      );
    }
    return qb;
  }
}

const digitsOf = (e164: string): string => e164.slice(1);

/** The country calling code an E.164 number starts with, by libphonenumber's metadata. */
function callingCode(e164: string): string | undefined {
  const typer = new AsYouType();
  typer.input(e164);
  return typer.getCallingCode();
}

/** The BIGINT ranges holding every valid number whose digits start with `lead`. */
function prefixRanges(lead: string): [number, number][] {
  if (lead.startsWith('0') || lead.length > E164_MAX_DIGITS) return [];
  const base = Number(lead);
  const ranges: [number, number][] = [];
  for (let length = lead.length; length <= E164_MAX_DIGITS; length++) {
    const scale = 10 ** (length - lead.length);
    ranges.push([base * scale, (base + 1) * scale - 1]);
  }
  return ranges;
}

/**
 * `k` items drawn uniformly without repeats from `chunks`, in random order, holding `k`
 * items and one chunk at most, never all of them (reservoir sampling, Algorithm R: after
 * `seen` items each is in the reservoir with probability k/seen; the reservoir is then
 * shuffled). A search matching a million numbers costs a list's memory, not a million rows.
 */
async function reservoir<T>(chunks: AsyncIterable<T[]>, k: number): Promise<T[]> {
  const kept: T[] = [];
  let seen = 0;
  for await (const chunk of chunks) {
    for (const item of chunk) {
      seen++;
      if (kept.length < k) kept.push(item);
      else {
        const j = randomInt(0, seen);
        if (j < k) kept[j] = item;
      }
    }
  }
  return sample(kept, k);
}

/** Up to k items drawn uniformly without repeats, in random order (partial Fisher-Yates, in place: shuffles and shortens `items`). */
function sample<T>(items: T[], k: number): T[] {
  const n = Math.min(k, items.length);
  for (let i = 0; i < n; i++) {
    const j = randomInt(i, items.length);
    [items[i], items[j]] = [items[j], items[i]];
  }
  // In place: a pick as big as the pool is not copied once more.
  items.length = n;
  return items;
}

const notInPool = (e164: string) => new NumbersError(NumbersErrorCode.NotFound, `${e164} is not in the pool`);
const invalidRange = (detail: string) => new NumbersError(NumbersErrorCode.InvalidRange, detail);

/**
 * One generated batch of add_range (SqlDialect.insertSeries): the fast INSERT under a
 * savepoint; should a concurrent writer have added one of its numbers meanwhile (a unique
 * violation), back to the savepoint and the INSERT that skips such rows.
 */
async function insertSeriesBatch(runner: QueryRunner, series: SeriesInsert, dialect: SqlDialect): Promise<number> {
  await runner.query('SAVEPOINT kamprov_series');
  try {
    const result = await runner.query(series.fast, [], true);
    await runner.query('RELEASE SAVEPOINT kamprov_series');
    return result.affected ?? 0;
  } catch (err) {
    if (!dialect.isUniqueViolation(err)) throw err;
    await runner.query('ROLLBACK TO SAVEPOINT kamprov_series');
    return (await runner.query(series.safe, [], true)).affected ?? 0;
  }
}
