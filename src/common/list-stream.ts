import { StreamableFile } from '@nestjs/common';
import { Readable } from 'node:stream';
import { type LogScope, ScopedLogger } from '../logging/scoped-logger';

const logger = new ScopedLogger('kamprov');

/** Marks the body stream of a streamed ok envelope, so the request log and metrics count it as `ok`. */
export const OK_ENVELOPE_STREAM = Symbol('kamprov.okEnvelopeStream');

/**
 * An ok envelope with one list, `{"response":"ok","<field>":[...]}`, streamed from chunks of
 * items as they are read: byte for byte what `ok({ [field]: items })` would answer, without
 * ever holding the list. The first chunk is read before answering, so a database that
 * fails at once still gets its error envelope; one that fails midway cuts the answer off
 * (the client sees a truncated, invalid JSON body and a reset connection, never a short
 * list that looks whole), and the failure is logged here, through `scope` (the request:
 * the line carries its `reqId`). Fastify, which then resets the connection, logs nothing of
 * it (its own request logging is off), and a StreamableFile's error handler is Express's only.
 */
export async function streamedOk<T>(
  field: string,
  chunks: AsyncIterator<T[]> | AsyncIterable<T[]>,
  scope?: LogScope,
): Promise<StreamableFile> {
  const it = Symbol.asyncIterator in chunks ? chunks[Symbol.asyncIterator]() : chunks;
  const first = await it.next();
  // The chunk in hand, and nothing else: each chunk is dropped before the next is awaited (a
  // list waiting for its turn at the database holds no items), and the first one is not kept
  // by this closure for the whole list. Twenty lists at once then hold about twenty encoded
  // chunks, not three chunks of rows each.
  let pending: T[] | undefined = first.done ? undefined : first.value;
  async function* body(): AsyncGenerator<Buffer> {
    let open = `{"response":"ok",${JSON.stringify(field)}:[`;
    let sep = '';
    let items = pending;
    pending = undefined;
    while (items !== undefined) {
      if (items.length > 0) {
        // One native stringify per chunk, its brackets cut off: the items exactly as
        // ok({ [field]: items }) writes them, without a string per item; encoded here, so the
        // stream buffers bytes, not the string and its copy.
        const json = JSON.stringify(items);
        items = undefined;
        yield Buffer.from(open + sep + json.slice(1, -1), 'utf8');
        open = '';
        sep = ',';
      }
      items = undefined;
      let next: IteratorResult<T[]>;
      try {
        next = await it.next();
      } catch (err) {
        const e = err instanceof Error ? err : new Error(String(err));
        logger.error(`list ${field} failed midway: ${e.name}: ${e.message}`, scope);
        throw err;
      }
      items = next.done ? undefined : next.value;
    }
    yield Buffer.from(`${open}]}`, 'utf8');
  }
  const stream = Object.assign(Readable.from(body(), { objectMode: false }), { [OK_ENVELOPE_STREAM]: true });
  return new StreamableFile(stream, { type: 'application/json; charset=utf-8' });
}
