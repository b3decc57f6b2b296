import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { failed, ProblemEnvelope } from '../common/envelope';
import { EnvelopeRenderer } from '../common/envelope-renderer';
import { PhonesError, PhonesErrorCode } from './phones.errors';

export function phonesErrorToEnvelope(e: PhonesError): ProblemEnvelope {
  switch (e.code) {
    case PhonesErrorCode.NotFound:
      return failed('nonexistant', e.detail);
    case PhonesErrorCode.AlreadyExists:
      return failed('exists', e.detail);
  }
}

@Catch(PhonesError)
export class PhonesExceptionFilter implements ExceptionFilter<PhonesError> {
  constructor(private readonly renderer: EnvelopeRenderer) {}

  catch(exception: PhonesError, host: ArgumentsHost): void {
    this.renderer.send(host.switchToHttp().getResponse<FastifyReply>(), phonesErrorToEnvelope(exception));
  }
}
