import { Catch } from '@nestjs/common';
import { DomainExceptionFilter } from '../common/domain-exception.filter';
import { failed, ProblemEnvelope } from '../common/envelope';
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
export class DomainsExceptionFilter extends DomainExceptionFilter<DomainsError> {
  protected toEnvelope(exception: DomainsError): ProblemEnvelope {
    return domainsErrorToEnvelope(exception);
  }
}
