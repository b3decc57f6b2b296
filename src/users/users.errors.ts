import { DomainError } from '../common/domain-error';

/** Everything the users service can refuse; mapped to envelopes in UsersExceptionFilter. */
export enum UsersErrorCode {
  NotFound = 'NotFound',
  AlreadyExists = 'AlreadyExists',
  InUse = 'InUse',
  DomainNotLocal = 'DomainNotLocal',
  DomainIsLocal = 'DomainIsLocal',
  RemoteFieldOnLocalUser = 'RemoteFieldOnLocalUser',
}

export class UsersError extends DomainError<UsersErrorCode> {
  constructor(
    code: UsersErrorCode,
    detail: string,
    /** The parameter at fault, for codes that answer `invalid`. */
    readonly param?: string,
  ) {
    super(code, detail);
  }
}
