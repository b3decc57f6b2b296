/** Everything the users service can refuse; mapped to envelopes in UsersExceptionFilter. */
export enum UsersErrorCode {
  NotFound = 'NotFound',
  AlreadyExists = 'AlreadyExists',
  InUse = 'InUse',
  DomainNotLocal = 'DomainNotLocal',
  DomainIsLocal = 'DomainIsLocal',
  RemoteFieldOnLocalUser = 'RemoteFieldOnLocalUser',
}

export class UsersError extends Error {
  constructor(
    readonly code: UsersErrorCode,
    readonly detail: string,
    /** The parameter at fault, for codes that answer `invalid`. */
    readonly param?: string,
  ) {
    super(detail);
  }
}
