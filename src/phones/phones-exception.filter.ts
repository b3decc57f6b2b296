import { Catch } from '@nestjs/common';
import { DomainExceptionFilter } from '../common/domain-exception.filter';
import { failed, invalid, ProblemEnvelope } from '../common/envelope';
import { PhonesError, PhonesErrorCode } from './phones.errors';

export function phonesErrorToEnvelope(e: PhonesError): ProblemEnvelope {
  switch (e.code) {
    case PhonesErrorCode.NotFound:
      return failed('nonexistant', e.detail);
    case PhonesErrorCode.AlreadyExists:
      return failed('exists', e.detail);
    case PhonesErrorCode.InUse:
      return failed('inuse', e.detail);
    case PhonesErrorCode.Template:
      return invalid('template', e.detail);
  }
}

@Catch(PhonesError)
export class PhonesExceptionFilter extends DomainExceptionFilter<PhonesError> {
  protected toEnvelope(exception: PhonesError): ProblemEnvelope {
    return phonesErrorToEnvelope(exception);
  }
}
