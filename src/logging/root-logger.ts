import pino, { Logger, LoggerOptions } from 'pino';
import type { LogFormat, LogLevel } from '../config/env.validation';
import { redactUrl } from '../common/request-log.hook';

export interface LoggingSettings {
  level: LogLevel;
  format: LogFormat;
}

/** Nest's `verbose` is pino's `trace`; the other names are the same. */
export const pinoLevel = (level: LogLevel): pino.Level => (level === 'verbose' ? 'trace' : level);

/**
 * `pretty` when asked for, or with `auto` on a terminal outside production (and only if
 * pino-pretty, a development dependency, is installed); JSON otherwise.
 */
export function resolveFormat(format: LogFormat, stream: { isTTY?: boolean } = process.stdout): 'json' | 'pretty' {
  if (format === 'json') return 'json';
  if (format === 'auto' && (!stream.isTTY || process.env.NODE_ENV === 'production')) return 'json';
  try {
    require.resolve('pino-pretty');
    return 'pretty';
  } catch {
    return 'json';
  }
}

interface SerializableRequest {
  id?: unknown;
  method?: string;
  url?: string;
}

/**
 * Paths pino censors wherever a request, an error or a caller's object carries them: the
 * key headers, and `password`/`api_key` values one level down. Request URLs are redacted by
 * the `req` serializer (redactUrl).
 */
export const REDACT_PATHS = [
  'req.headers["x-api-key"]',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers["x-api-key"]',
  'headers.authorization',
  'password',
  'api_key',
  '*.password',
  '*.api_key',
];

/**
 * pino's `isoTime` (`,"time":"<ISO 8601>"`), formatted once per millisecond: under load
 * several lines share a millisecond, and each would format the same date again.
 */
export function isoTime(now = Date.now()): string {
  if (now !== lastTime) {
    lastTime = now;
    lastIso = `,"time":"${new Date(now).toISOString()}"`;
  }
  return lastIso;
}

let lastTime = Number.NaN;
let lastIso = '';

export function loggerOptions(settings: LoggingSettings): LoggerOptions {
  return {
    level: pinoLevel(settings.level),
    timestamp: isoTime,
    formatters: { level: (label) => ({ level: label }) },
    base: { pid: process.pid },
    redact: { paths: REDACT_PATHS, censor: '***' },
    serializers: {
      // Never headers; the URL with its secrets replaced.
      req: (req: SerializableRequest) => ({ id: req.id, method: req.method, url: redactUrl(String(req.url ?? '')) }),
      err: pino.stdSerializers.err,
    },
  };
}

/**
 * The one pino logger of a kamprov process: Fastify's request loggers are its children, and
 * Nest's own logs go through it (nestjs-pino). JSON lines on standard output, or pino-pretty.
 *
 * JSON lines are written asynchronously (logDestination).
 */
export function createRootLogger(settings: LoggingSettings): Logger {
  const options = loggerOptions(settings);
  if (resolveFormat(settings.format) === 'pretty') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { PinoPretty } = require('pino-pretty') as typeof import('pino-pretty');
    return withPlainPrimitives(
      pino(
        options,
        PinoPretty({
          sync: true,
          translateTime: 'SYS:HH:MM:ss.l',
          // The request log's fields are all in its msg already; reqId stays.
          ignore: 'pid,hostname,context,method,url,node,status,response,cause,key,ms',
          messageFormat: '{if context}[{context}] {end}{msg}',
        }),
      ),
    );
  }
  const destination = logDestination(1);
  jsonOutput = destination;
  return withPlainPrimitives(pino(options, destination));
}

type Stringifier = (value: unknown) => string;

/**
 * pino runs every field of every line that has no redaction path of its own through the
 * redactor of the `*.` paths (`*.password`, `*.api_key`), a string or a number too, where
 * there is nothing one level down to censor: that was 2.5 µs of the request log's 4 µs a
 * line, and 13 % of the bytes a read request allocated. A string, number or boolean is
 * written as the redactor writes it (JSON); anything else, an object or a serialized
 * error, still goes through it. The logger's children share the change.
 */
export function withPlainPrimitives(logger: Logger): Logger {
  const stringifiers = (logger as unknown as Record<symbol, Record<symbol, Stringifier | undefined>>)[pino.symbols.stringifiersSym];
  const nested = stringifiers?.[pino.symbols.wildcardFirstSym];
  if (nested) {
    stringifiers[pino.symbols.wildcardFirstSym] = (value) => {
      const type = typeof value;
      return type === 'string' || type === 'number' || type === 'boolean' ? JSON.stringify(value) : nested(value);
    };
  }
  return logger;
}

/** At most this many bytes of log lines wait for standard output; past it, lines are dropped. */
export const LOG_BUFFER_BYTES = 16 * 1024 * 1024;

let droppedLines = 0;

/** Log lines dropped because standard output did not keep up (kamprov_log_lines_dropped_total). */
export const droppedLogLines = (): number => droppedLines;

/**
 * Where JSON lines go: `fd`, written asynchronously (sonic-boom, `sync: false`). A line goes
 * out at once when no write is under way, and the lines logged while one is are written
 * together after it: under load one write carries many lines instead of one blocking
 * system call per request. What is still buffered is written synchronously when the
 * process exits (pino registers that for an asynchronous destination), on process.exit()
 * and after a fatal error too.
 *
 * A reader that stops reading (a stalled log pipe) no longer stops kamprov: lines wait in
 * memory up to `maxBytes`, and past that they are dropped, counted, and said once on
 * standard error, instead of every request blocking on the write.
 */
export function logDestination(fd: number, maxBytes = LOG_BUFFER_BYTES): ReturnType<typeof pino.destination> {
  const destination = pino.destination({ fd, sync: false, maxLength: maxBytes });
  destination.on('drop', (data: string) => {
    if (droppedLines === 0) {
      process.stderr.write(
        `kamprov: standard output is not keeping up: log lines are being dropped (counted in kamprov_log_lines_dropped_total)\n`,
      );
    }
    droppedLines += countLines(data);
  });
  return destination;
}

function countLines(data: string): number {
  let n = 0;
  for (let i = data.indexOf('\n'); i !== -1; i = data.indexOf('\n', i + 1)) n++;
  return Math.max(n, 1);
}

/** The asynchronous destination of the last JSON root logger (one per process in main.ts). */
let jsonOutput: { write(text: string): boolean } | undefined;

/**
 * Text for standard output that is not a log line (main.ts's initial key): through the
 * JSON logger's own destination, so it comes after every line logged before it and no
 * asynchronous write of lines can cut into it. Straight to standard output otherwise.
 */
export function printToStdout(text: string): void {
  if (jsonOutput) jsonOutput.write(text);
  else process.stdout.write(text);
}
