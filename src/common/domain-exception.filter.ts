import { ArgumentsHost, ExceptionFilter, Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { ProblemEnvelope } from './envelope';
import { EnvelopeRenderer } from './envelope-renderer';

/**
 * Base of the modules' exception filters: a module supplies its exhaustive code-to-envelope
 * switch (toEnvelope); rendering is the one renderer's.
 */
@Injectable()
export abstract class DomainExceptionFilter<E extends Error> implements ExceptionFilter<E> {
  constructor(private readonly renderer: EnvelopeRenderer) {}

  protected abstract toEnvelope(exception: E): ProblemEnvelope;

  /** Extra response headers for an error (none by default). */
  protected headers(_exception: E): Record<string, string> {
    return {};
  }

  catch(exception: E, host: ArgumentsHost): void {
    this.renderer.send(host.switchToHttp().getResponse<FastifyReply>(), this.toEnvelope(exception), this.headers(exception));
  }
}
