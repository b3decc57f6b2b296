import { Logger } from '@nestjs/common';
import type { FastifyBaseLogger } from 'fastify';

/**
 * What carries the logger of the request being handled: the Fastify request itself (its
 * `log` is Fastify's child of the root logger, with `reqId`) or an object of that request's
 * call that a service is given anyway (its WriteAudit, a ProvRequest).
 */
export interface LogScope {
  readonly log?: FastifyBaseLogger;
}

/**
 * Nest's `Logger` for one context, which writes a line through the logger of the request it
 * is handed, so that the line carries that request's `reqId`: the same line, field for field,
 * as Nest's logger (nestjs-pino over the root logger) writes without a request. Without one
 * (start-up, timers, the audit backlog's later writes; a scope without a logger) it is
 * Nest's logger.
 *
 * The request is handed over explicitly, not found in an implicit async context: Node 20's
 * only one, AsyncLocalStorage, hooks every promise and tick of the whole process, which cost
 * the hot reads about a tenth of their CPU (README, Performance).
 */
export class ScopedLogger {
  private readonly nest: Logger;

  constructor(readonly context: string) {
    this.nest = new Logger(context);
  }

  debug(message: string, scope?: LogScope): void {
    const log = scope?.log;
    if (log) log.debug({ context: this.context }, message);
    else this.nest.debug(message);
  }

  log(message: string, scope?: LogScope): void {
    const log = scope?.log;
    if (log) log.info({ context: this.context }, message);
    else this.nest.log(message);
  }

  warn(message: string, scope?: LogScope): void {
    const log = scope?.log;
    if (log) log.warn({ context: this.context }, message);
    else this.nest.warn(message);
  }

  /** With `stack`, the line carries `err` (message and stack), as nestjs-pino writes `error(message, stack)`. */
  error(message: string, scope?: LogScope, stack?: string): void {
    const log = scope?.log;
    if (!log) {
      if (stack === undefined) this.nest.error(message);
      else this.nest.error(message, stack);
    } else if (stack === undefined) {
      log.error({ context: this.context }, message);
    } else {
      const err = new Error(message);
      err.stack = stack;
      log.error({ context: this.context, err });
    }
  }
}
