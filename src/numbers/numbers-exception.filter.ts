import { Catch } from '@nestjs/common';
import { DomainExceptionFilter } from '../common/domain-exception.filter';
import { failed, invalid, ProblemEnvelope } from '../common/envelope';
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
export class NumbersExceptionFilter extends DomainExceptionFilter<NumbersError> {
  protected toEnvelope(exception: NumbersError): ProblemEnvelope {
    return numbersErrorToEnvelope(exception);
  }
}
