import { Catch } from '@nestjs/common';
import { DomainExceptionFilter } from '../common/domain-exception.filter';
import { failed, ProblemEnvelope } from '../common/envelope';
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
export class PhonesExceptionFilter extends DomainExceptionFilter<PhonesError> {
  protected toEnvelope(exception: PhonesError): ProblemEnvelope {
    return phonesErrorToEnvelope(exception);
  }
}
