import pino from 'pino';
import { execFileSync } from 'node:child_process';
import { constants, createReadStream, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { droppedLogLines, isoTime, logDestination, loggerOptions, withPlainPrimitives } from './root-logger';

describe('isoTime', () => {
  it("writes what pino's isoTime writes, for the same and for another millisecond", () => {
    const now = jest.spyOn(Date, 'now');
    try {
      for (const t of [0, 1_800_000_000_000, 1_800_000_000_000, 1_800_000_000_001, 1_799_999_999_999]) {
        now.mockReturnValue(t);
        expect(isoTime()).toBe(pino.stdTimeFunctions.isoTime());
      }
    } finally {
      now.mockRestore();
    }
  });
});

describe('withPlainPrimitives', () => {
  const lines = (patch: boolean, log: (l: pino.Logger) => void): string[] => {
    const out: string[] = [];
    const options = loggerOptions({ level: 'verbose', format: 'json' });
    const base = pino({ ...options, timestamp: false, base: undefined }, { write: (s: string) => out.push(s) });
    log(patch ? withPlainPrimitives(base) : base);
    return out;
  };
  const secretError = Object.assign(new Error('boom'), { api_key: 'SECRET-k-err', password: 'SECRET-p-err' });
  const logs = (l: pino.Logger) => {
    l.info({ context: 'HTTP', method: 'GET', url: '/user/get?user=a%40b', status: 200, ms: 1.5, ok: true, cause: undefined }, 'line');
    l.child({ reqId: 'r-1' }).warn({ nul: null, big: 10n, list: [1, { password: 'p-list' }] }, 'child');
    l.error({ user: { name: 'a', password: 'SECRET-p1', api_key: 'SECRET-k1' }, password: 'SECRET-p0', err: secretError }, 'secrets');
    l.info(
      { headers: { 'x-api-key': 'SECRET-k2', authorization: 'Bearer SECRET-k3' }, text: 'say "hi"\n\u2028', n: Number.NaN },
      'headers',
    );
    l.info('plain %s', 'interpolated');
  };

  it('writes every line as pino with the same options writes it', () => {
    expect(lines(true, logs)).toEqual(lines(false, logs));
  });

  it("replaces pino's stringifier for fields without a path of their own", () => {
    const logger = pino(loggerOptions({ level: 'info', format: 'json' }), { write: () => undefined });
    const stringifiers = (logger as unknown as Record<symbol, Record<symbol, unknown>>)[pino.symbols.stringifiersSym];
    const before = stringifiers[pino.symbols.wildcardFirstSym];
    expect(typeof before).toBe('function');
    withPlainPrimitives(logger);
    expect(stringifiers[pino.symbols.wildcardFirstSym]).not.toBe(before);
  });

  it('still censors the paths one level down, in objects and serialized errors', () => {
    const text = lines(true, logs).join('');
    // (Distinct words: a short one could be in the stack trace's paths.)
    for (const secret of ['SECRET-p-err', 'SECRET-k-err', 'SECRET-p1', 'SECRET-k1', 'SECRET-p0', 'SECRET-k2', 'SECRET-k3'])
      expect(text).not.toContain(secret);
    expect(JSON.parse(lines(true, logs)[2])).toMatchObject({ user: { name: 'a', password: '***', api_key: '***' }, password: '***' });
  });
});

describe('logDestination', () => {
  it('keeps logging when its reader stalls: lines past the bound are dropped and counted', async () => {
    // A FIFO nobody reads: its 64 KiB buffer fills, and every write after that would block.
    const dir = mkdtempSync(join(tmpdir(), 'kamprov-log-'));
    const fifo = join(dir, 'out');
    execFileSync('mkfifo', [fifo]);
    const fd = openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK);
    const destination = logDestination(fd, 256 * 1024);
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const logger = pino(loggerOptions({ level: 'info', format: 'json' }), destination);
      const before = droppedLogLines();
      const started = Date.now();
      for (let i = 0; i < 20_000; i++) logger.info({ i, padding: 'x'.repeat(80) }, 'a line of about 200 bytes');
      expect(Date.now() - started).toBeLessThan(5_000); // (sync writes would block at 64 KiB)
      // 4 MB logged, 64 KiB in the pipe and at most 256 KiB waiting: most lines are dropped.
      expect(droppedLogLines() - before).toBeGreaterThan(15_000);
      expect(stderr).toHaveBeenCalledWith(expect.stringContaining('log lines are being dropped'));
    } finally {
      stderr.mockRestore();
      // A reader at last: what waits is written, and the destination ends.
      const reader = createReadStream(fifo);
      reader.resume();
      await new Promise<void>((resolve) => {
        destination.once('close', () => resolve());
        destination.end();
      });
      reader.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
