import { DomainError, EnvelopeMap } from '../common/domain-error';
import { failed, invalid, ProblemEnvelope } from '../common/envelope';

/** Everything the users service can refuse; each code's envelope is in USERS_ENVELOPES. */
export enum UsersErrorCode {
  NotFound = 'NotFound',
  AlreadyExists = 'AlreadyExists',
  InUse = 'InUse',
  DomainNotLocal = 'DomainNotLocal',
  DomainIsLocal = 'DomainIsLocal',
  RemoteFieldOnLocalUser = 'RemoteFieldOnLocalUser',
  PasswordRequired = 'PasswordRequired',
}

const USERS_ENVELOPES = {
  [UsersErrorCode.NotFound]: (e) => failed('nonexistant', e.detail),
  [UsersErrorCode.AlreadyExists]: (e) => failed('exists', e.detail),
  [UsersErrorCode.InUse]: (e) => failed('inuse', e.detail),
  [UsersErrorCode.DomainNotLocal]: (e) => failed('nxdomain', e.detail),
  [UsersErrorCode.DomainIsLocal]: (e) => failed('domain', e.detail),
  [UsersErrorCode.RemoteFieldOnLocalUser]: (e) => invalid(e.param ?? 'user', e.detail),
  [UsersErrorCode.PasswordRequired]: (e) => invalid(e.param ?? 'password', e.detail),
} satisfies EnvelopeMap<UsersErrorCode, UsersError>;

export class UsersError extends DomainError<UsersErrorCode> {
  constructor(
    code: UsersErrorCode,
    detail: string,
    /** The parameter at fault, for codes that answer `invalid`. */
    readonly param?: string,
  ) {
    super(code, detail);
  }

  envelope(): ProblemEnvelope {
    return USERS_ENVELOPES[this.code](this);
  }
}
