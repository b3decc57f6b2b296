import { Writable } from 'node:stream';
import pino from 'pino';
import { ReadGate } from '../database/keyset';
import { streamedOk } from './list-stream';

const tick = () => new Promise((resolve) => setTimeout(resolve, 20));

/** A list of `chunks` chunks of `size` items each, counting how many chunks were read. */
function counted(chunks: number, size: number) {
  const state = { read: 0 };
  async function* gen(): AsyncGenerator<string[]> {
    for (let c = 0; c < chunks; c++) {
      await Promise.resolve(); // a read
      state.read++;
      yield Array.from({ length: size }, (_, i) => `+47${String(c * size + i).padStart(8, '0')}`);
    }
  }
  return { state, gen };
}

describe('streamedOk', () => {
  it('answers the bytes ok() would, whatever the chunks (empty ones too)', async () => {
    async function* gen(): AsyncGenerator<string[]> {
      await Promise.resolve();
      yield ['a"b', 'c\\d'];
      yield [];
      yield ['é\u0001'];
    }
    const file = await streamedOk('users', gen());
    let text = '';
    for await (const part of file.getStream()) text += String(part);
    expect(text).toBe(JSON.stringify({ response: 'ok', users: ['a"b', 'c\\d', 'é\u0001'] }));
    const none = await streamedOk('users', (async function* () {})());
    let empty = '';
    for await (const part of none.getStream()) empty += String(part);
    expect(empty).toBe('{"response":"ok","users":[]}');
  });

  it("fails the stream when a later chunk's read fails, and logs it through the request's logger", async () => {
    const lines: Record<string, unknown>[] = [];
    const log = pino({ base: undefined, timestamp: false }, { write: (s: string) => lines.push(JSON.parse(s) as Record<string, unknown>) });
    async function* gen(): AsyncGenerator<string[]> {
      await Promise.resolve();
      yield ['+4723456789'];
      throw Object.assign(new Error("Table 'kamprov.kamprov_numbers' doesn't exist"), { name: 'QueryFailedError' });
    }
    const file = await streamedOk('numbers', gen(), { log: log.child({ reqId: 'list-1' }) });
    let text = '';
    let failure: unknown;
    try {
      for await (const part of file.getStream()) text += String(part);
    } catch (err) {
      failure = err;
    }
    // Cut off after what was read: never a short list that looks whole.
    expect(text).toBe('{"response":"ok","numbers":["+4723456789"');
    expect((failure as Error).message).toMatch(/doesn't exist/);
    expect(lines).toEqual([
      {
        level: 50,
        reqId: 'list-1',
        context: 'kamprov',
        msg: "list numbers failed midway: QueryFailedError: Table 'kamprov.kamprov_numbers' doesn't exist",
      },
    ]);
  });

  it('waits for the reader: a client that stops reading stops the reads (backpressure)', async () => {
    const { state, gen } = counted(100, 5000);
    const file = await streamedOk('numbers', gen());
    let written = 0;
    const pending: (() => void)[] = [];
    // A socket whose peer reads nothing: the first write is taken, then no callback comes.
    const stalled = new Writable({
      highWaterMark: 16 * 1024,
      write(chunk: Buffer, _enc, done) {
        written += chunk.length;
        pending.push(done);
      },
    });
    file.getStream().pipe(stalled);
    for (let i = 0; i < 10; i++) await tick();
    // The first chunk, the one in the stream's buffer and at most one being encoded: not 100.
    expect(state.read).toBeLessThanOrEqual(3);
    expect(written).toBeGreaterThan(0);
    // The reader drains: the reads go on to the end.
    stalled._write = (chunk: Buffer, _enc, done) => {
      written += chunk.length;
      done();
    };
    pending.splice(0).forEach((done) => done());
    await new Promise((resolve) => stalled.on('finish', resolve));
    expect(state.read).toBe(100);
  });
});

describe('ReadGate', () => {
  it('runs at most max reads at once, and a first chunk before later ones', async () => {
    const gate = new ReadGate(2);
    let running = 0;
    let most = 0;
    const order: string[] = [];
    const read = (name: string) => async () => {
      running++;
      most = Math.max(most, running);
      await tick();
      order.push(name);
      running--;
      return name;
    };
    const all = [
      gate.run(false, read('a2')),
      gate.run(false, read('b2')),
      gate.run(false, read('c2')),
      gate.run(false, read('d2')),
      gate.run(true, read('e1')),
    ];
    expect(gate.waiting).toBe(3);
    expect(await Promise.all(all)).toEqual(['a2', 'b2', 'c2', 'd2', 'e1']);
    expect(most).toBe(2);
    // e1 came last but was the first read to get a freed slot.
    expect(order.indexOf('e1')).toBe(2);
  });

  it('lets a later chunk through after four first chunks in a row, so new lists cannot starve a streaming one', async () => {
    const gate = new ReadGate(1);
    const order: string[] = [];
    const read = (name: string) => async () => {
      await tick();
      order.push(name);
      return name;
    };
    const all = [gate.run(true, read('held')), gate.run(false, read('later'))];
    for (let i = 0; i < 8; i++) all.push(gate.run(true, read(`first${i}`)));
    await Promise.all(all);
    expect(order.indexOf('later')).toBe(5);
  });

  it('frees its slot when a read fails', async () => {
    const gate = new ReadGate(1);
    await expect(gate.run(true, () => Promise.reject(new Error('db down')))).rejects.toThrow('db down');
    expect(await gate.run(true, () => Promise.resolve(7))).toBe(7);
  });
});
