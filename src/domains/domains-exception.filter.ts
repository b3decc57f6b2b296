import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { failed, ProblemEnvelope } from '../common/envelope';
import { EnvelopeRenderer } from '../common/envelope-renderer';
import { DomainsError, DomainsErrorCode } from './domains.errors';

export function domainsErrorToEnvelope(e: DomainsError): ProblemEnvelope {
  switch (e.code) {
    case DomainsErrorCode.NotFound:
      return failed('nonexistant', e.detail);
    case DomainsErrorCode.AlreadyExists:
      return failed('exists', e.detail);
    case DomainsErrorCode.InUse:
      return failed('inuse', e.detail);
  }
}

@Catch(DomainsError)
export class DomainsExceptionFilter implements ExceptionFilter<DomainsError> {
  constructor(private readonly renderer: EnvelopeRenderer) {}

  catch(exception: DomainsError, host: ArgumentsHost): void {
    this.renderer.send(host.switchToHttp().getResponse<FastifyReply>(), domainsErrorToEnvelope(exception));
  }
}
