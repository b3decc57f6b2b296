import { Logger } from '@nestjs/common';
import pino from 'pino';
import { nestLoggerFor } from './nest-logger';
import { loggerOptions } from './root-logger';
import { ScopedLogger } from './scoped-logger';

describe('ScopedLogger', () => {
  const out: Record<string, unknown>[] = [];
  const root = pino(
    { ...loggerOptions({ level: 'verbose', format: 'json' }), timestamp: false, base: undefined },
    { write: (s: string) => out.push(JSON.parse(s) as Record<string, unknown>) },
  );
  const request = { log: root.child({ reqId: 'req-1' }) };
  const failure = new Error('boom');

  beforeAll(() => Logger.overrideLogger(nestLoggerFor(root)));
  afterAll(() => Logger.overrideLogger(new Logger()));
  beforeEach(() => (out.length = 0));

  /** What `log` writes with a request and without one. */
  const both = (log: (l: ScopedLogger, scope?: { log: pino.Logger }) => void) => {
    const logger = new ScopedLogger('Ctx');
    log(logger, request);
    log(logger);
    expect(out).toHaveLength(2);
    return { scoped: out[0], unscoped: out[1] };
  };

  it.each([
    ['debug', (l: ScopedLogger, s?: { log: pino.Logger }) => l.debug('d 1', s)],
    ['log', (l: ScopedLogger, s?: { log: pino.Logger }) => l.log('i 1', s)],
    ['warn', (l: ScopedLogger, s?: { log: pino.Logger }) => l.warn('w 1', s)],
    ['error', (l: ScopedLogger, s?: { log: pino.Logger }) => l.error('e 1', s)],
    ['error with a stack', (l: ScopedLogger, s?: { log: pino.Logger }) => l.error('e 2', s, failure.stack)],
  ])("%s: with a request, the line Nest's logger writes, plus the request's reqId", (_name, log) => {
    const { scoped, unscoped } = both(log);
    expect(unscoped).not.toHaveProperty('reqId');
    expect(scoped).toEqual({ ...unscoped, reqId: 'req-1' });
    expect(scoped.context).toBe('Ctx');
  });

  it('puts the stack in err, with the message, as nestjs-pino does for error(message, stack)', () => {
    const { scoped } = both((l, s) => l.error('unexpected failure on /x: boom', s, failure.stack));
    expect(scoped).toMatchObject({
      level: 'error',
      msg: 'unexpected failure on /x: boom',
      err: { message: 'unexpected failure on /x: boom' },
    });
    expect((scoped.err as { stack: string }).stack).toBe(failure.stack);
  });

  it("writes through Nest's logger for a scope without a logger", () => {
    new ScopedLogger('Ctx').warn('no logger', {});
    expect(out).toEqual([{ level: 'warn', context: 'Ctx', msg: 'no logger' }]);
  });
});
