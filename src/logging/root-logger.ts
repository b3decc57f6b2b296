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
 */
export function createRootLogger(settings: LoggingSettings): Logger {
  const options = loggerOptions(settings);
  if (resolveFormat(settings.format) === 'pretty') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { PinoPretty } = require('pino-pretty') as typeof import('pino-pretty');
    return pino(
      options,
      PinoPretty({
        sync: true,
        translateTime: 'SYS:HH:MM:ss.l',
        // The request log's fields are all in its msg already; reqId stays.
        ignore: 'pid,hostname,context,method,url,node,status,response,cause,key,ms',
        messageFormat: '{if context}[{context}] {end}{msg}',
      }),
    );
  }
  return pino(options, pino.destination({ fd: 1, sync: true }));
}
