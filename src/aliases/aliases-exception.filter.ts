import { Catch } from '@nestjs/common';
import { DomainExceptionFilter } from '../common/domain-exception.filter';
import { failed, ProblemEnvelope } from '../common/envelope';
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
export class AliasesExceptionFilter extends DomainExceptionFilter<AliasesError> {
  protected toEnvelope(exception: AliasesError): ProblemEnvelope {
    return aliasesErrorToEnvelope(exception);
  }
}
