import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { failed, invalid, ProblemEnvelope } from '../common/envelope';
import { EnvelopeRenderer } from '../common/envelope-renderer';
import { NumbersError, NumbersErrorCode } from './numbers.errors';

export function numbersErrorToEnvelope(e: NumbersError): ProblemEnvelope {
  switch (e.code) {
    case NumbersErrorCode.NotFound:
      return failed('nonexistant', e.detail);
    case NumbersErrorCode.AlreadyExists:
      return failed('exists', e.detail);
    case NumbersErrorCode.InvalidRange:
      return invalid('range', e.detail);
  }
}

@Catch(NumbersError)
export class NumbersExceptionFilter implements ExceptionFilter<NumbersError> {
  constructor(private readonly renderer: EnvelopeRenderer) {}

  catch(exception: NumbersError, host: ArgumentsHost): void {
    this.renderer.send(host.switchToHttp().getResponse<FastifyReply>(), numbersErrorToEnvelope(exception));
  }
}
