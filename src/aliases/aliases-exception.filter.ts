import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { failed, ProblemEnvelope } from '../common/envelope';
import { EnvelopeRenderer } from '../common/envelope-renderer';
import { AliasesError, AliasesErrorCode } from './aliases.errors';

export function aliasesErrorToEnvelope(e: AliasesError): ProblemEnvelope {
  switch (e.code) {
    case AliasesErrorCode.NotFound:
    case AliasesErrorCode.DestinationNotFound:
      return failed('nonexistant', e.detail);
    case AliasesErrorCode.AlreadyExists:
    case AliasesErrorCode.E164Taken:
      return failed('exists', e.detail);
    case AliasesErrorCode.DomainNotLocal:
      return failed('nxdomain', e.detail);
  }
}

@Catch(AliasesError)
export class AliasesExceptionFilter implements ExceptionFilter<AliasesError> {
  constructor(private readonly renderer: EnvelopeRenderer) {}

  catch(exception: AliasesError, host: ArgumentsHost): void {
    this.renderer.send(host.switchToHttp().getResponse<FastifyReply>(), aliasesErrorToEnvelope(exception));
  }
}
