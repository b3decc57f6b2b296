import type { LoggerService } from '@nestjs/common';
import { Logger as NestPinoLogger, Params, PinoLogger } from 'nestjs-pino';
import type { Logger } from 'pino';

/**
 * Nest's logger (start-up, exceptions, `new Logger(ctx).log(...)`) as nestjs-pino's Logger
 * over the given root pino logger, in place from the first line Nest writes (no buffering,
 * so a failing start-up still shows its logs). Its lines carry no `reqId`: code that logs for
 * a request writes through that request's logger instead (logging/scoped-logger.ts).
 */
export function nestLoggerFor(root: Logger): LoggerService {
  const params: Params = { pinoHttp: { logger: root }, useExisting: true };
  return new NestPinoLogger(new PinoLogger(params), params);
}
