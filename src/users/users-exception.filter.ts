import { Catch } from '@nestjs/common';
import { DomainExceptionFilter } from '../common/domain-exception.filter';
import { failed, invalid, ProblemEnvelope } from '../common/envelope';
import { UsersError, UsersErrorCode } from './users.errors';

export function usersErrorToEnvelope(e: UsersError): ProblemEnvelope {
  switch (e.code) {
    case UsersErrorCode.NotFound:
      return failed('nonexistant', e.detail);
    case UsersErrorCode.AlreadyExists:
      return failed('exists', e.detail);
    case UsersErrorCode.InUse:
      return failed('inuse', e.detail);
    case UsersErrorCode.DomainNotLocal:
      return failed('nxdomain', e.detail);
    case UsersErrorCode.DomainIsLocal:
      return failed('domain', e.detail);
    case UsersErrorCode.RemoteFieldOnLocalUser:
      return invalid(e.param ?? 'user', e.detail);
  }
}

@Catch(UsersError)
export class UsersExceptionFilter extends DomainExceptionFilter<UsersError> {
  protected toEnvelope(exception: UsersError): ProblemEnvelope {
    return usersErrorToEnvelope(exception);
  }
}
