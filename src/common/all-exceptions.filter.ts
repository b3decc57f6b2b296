import { ArgumentsHost, Catch, ExceptionFilter, HttpException } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ScopedLogger } from '../logging/scoped-logger';
import { isDatabaseError, isTimeout, unrepresentableColumn } from '../database/db-errors';
import { DomainError } from './domain-error';
import { error, failed, invalid, InvalidRequestError, ProblemEnvelope } from './envelope';
import { EnvelopeRenderer } from './envelope-renderer';

/**
 * The one exception filter (registered once, as APP_FILTER): every error becomes an envelope.
 * A module's DomainError answers its own envelope (each module's exhaustive map in its
 * `*.errors.ts`) and headers; unknown nodes are failed/nonexistant, malformed requests
 * invalid, database trouble error/dbfail, and anything else error/internal. Nothing of a
 * stack trace or SQL reaches the client. Errors Fastify raises outside a route (before
 * routing, in hooks) reach it too, through the error handler Nest gives Fastify.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new ScopedLogger('kamprov');

  constructor(private readonly renderer: EnvelopeRenderer) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const reply = ctx.getResponse<FastifyReply>();
    const request = ctx.getRequest<FastifyRequest>();
    const headers = exception instanceof DomainError ? exception.headers() : {};
    this.renderer.send(reply, this.toEnvelope(exception, request), headers);
  }

  toEnvelope(exception: unknown, request?: FastifyRequest): ProblemEnvelope {
    if (exception instanceof DomainError) return exception.envelope();
    if (exception instanceof InvalidRequestError) return invalid(exception.param, exception.detail);
    if (exception instanceof HttpException) return this.fromHttpException(exception, request);
    const path = request ? request.url.split('?')[0] : '?';
    const column = unrepresentableColumn(exception);
    if (column !== undefined) {
      // A valid value the column's character set cannot hold (latin1 in an older Kamailio
      // database): retrying cannot help, so it is the request's fault. The driver's message
      // quotes the value's bytes (a password, perhaps): only the column is logged.
      this.logger.warn(`database refused a value on ${path}: column ${column || '(unnamed)'} cannot store its characters`, request);
      const param = column || 'request';
      return invalid(
        param,
        `${param} has characters this database cannot store (the column's character set is not UTF-8, e.g. latin1); use characters it can hold`,
      );
    }
    if (isTimeout(exception)) {
      const e = exception as Error;
      this.logger.error(`database timeout on ${path}: ${e.name}: ${e.message}`, request);
      return error('timeout', 'the database did not answer in time (busy or locked); try again later');
    }
    if (isDatabaseError(exception)) {
      // Name and message only: a QueryFailedError also carries the SQL and its parameters.
      const e = exception as Error;
      this.logger.error(`database failure on ${path}: ${e.name}: ${e.message}`, request);
      return error('dbfail', 'the database is unreachable or failed; try again later');
    }
    const e = exception instanceof Error ? exception : new Error(String(exception));
    this.logger.error(`unexpected failure on ${path}: ${e.message}`, request, e.stack);
    return error('internal', 'an internal error occurred');
  }

  private fromHttpException(exception: HttpException, request?: FastifyRequest): ProblemEnvelope {
    const status = exception.getStatus();
    if (status === 404) {
      const path = request ? request.url.split('?')[0] : 'this path';
      return failed('nonexistant', `no such node: ${request?.method ?? 'GET'} ${path}`);
    }
    if (status === 429) return failed('toomany', 'too many requests for this key; retry after the Retry-After seconds');
    if (status >= 400 && status < 500) return invalid('request', exception.message);
    this.logger.error(`HTTP ${status}: ${exception.message}`, request);
    return error('internal', 'an internal error occurred');
  }
}
